// Picks the adapter for a channel's provider. Adapters are kept per channel, so an SDK client
// (and its connection pool) is reused across calls.
import type { Channel } from "../channels.ts";
import type { ImageUpstream } from "./types.ts";
import { OpenAIImageUpstream } from "./openai.ts";
import { DemoImageUpstream } from "./demo.ts";
import type { ServerAddress } from "./image_urls.ts";

export function imageUpstreams(options: { demoDelayMs: number; self: ServerAddress }) {
  const adapters = new Map<string, ImageUpstream>();
  return (channel: Channel): ImageUpstream => {
    const cacheKey =
      `${channel.id}|${channel.provider}|${channel.baseUrl}|${channel.apiKey}|${channel.timeoutMs}`;
    let adapter = adapters.get(cacheKey);
    if (!adapter) {
      adapter = channel.provider === "demo"
        ? new DemoImageUpstream(options.demoDelayMs)
        : new OpenAIImageUpstream(channel, options.self);
      adapters.set(cacheKey, adapter);
    }
    return adapter;
  };
}

export type ImageUpstreamFor = ReturnType<typeof imageUpstreams>;
