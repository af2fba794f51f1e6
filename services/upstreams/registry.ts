// Picks the adapter for a channel's provider. Adapters are kept per channel, so an SDK client
// (and its connection pool) is reused across calls.
import type { Channel } from "../catalog/channels.ts";
import type { ImageUpstream } from "./types.ts";
import type { TextUpstream } from "./text_types.ts";
import { OpenAIImageUpstream } from "./openai/images.ts";
import { OpenAITextUpstream } from "./openai/chat.ts";
import { AnthropicTextUpstream } from "./anthropic/call.ts";
import { GeminiTextUpstream } from "./gemini/call.ts";
import { DemoImageUpstream } from "./demo/images.ts";
import { DemoTextUpstream } from "./demo/text.ts";
import type { ServerAddress } from "./image_urls.ts";

/** One adapter per channel (as configured now: a changed channel gets a new one). */
function perChannel<A>(make: (channel: Channel) => A): (channel: Channel) => A {
  const adapters = new Map<string, A>();
  return (channel) => {
    const key =
      `${channel.id}|${channel.provider}|${channel.baseUrl}|${channel.apiKey}|${channel.timeoutMs}`;
    let adapter = adapters.get(key);
    if (!adapter) adapters.set(key, adapter = make(channel));
    return adapter;
  };
}

export function imageUpstreams(options: { demoDelayMs: number; self: ServerAddress }) {
  return perChannel<ImageUpstream>((channel) =>
    channel.provider === "demo"
      ? new DemoImageUpstream(options.demoDelayMs)
      : new OpenAIImageUpstream(channel, options.self)
  );
}

export type ImageUpstreamFor = ReturnType<typeof imageUpstreams>;

/** The demo writes a word every this many ms: a stream that reads like one. */
const DEMO_WORD_DELAY_MS = 30;

export function textUpstreams(options: { demoDelayMs: number }) {
  return perChannel<TextUpstream>((channel) => {
    switch (channel.provider) {
      case "anthropic":
        return new AnthropicTextUpstream(channel);
      case "gemini":
        return new GeminiTextUpstream(channel);
      case "demo":
        return new DemoTextUpstream(options.demoDelayMs === 0 ? 0 : DEMO_WORD_DELAY_MS);
      default:
        return new OpenAITextUpstream(channel);
    }
  });
}

export type TextUpstreamFor = ReturnType<typeof textUpstreams>;
