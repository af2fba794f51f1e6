// The built-in offline text upstream: the demo reply, whole or streamed word by word after a short
// pause per word, and the demo content policy's refusal for prompts on its word list (the same
// free refusal a provider's safety block gives). No keys, no network.
import { demoPolicyViolation } from "./policy.ts";
import {
  type ChatCompletionChunk,
  ChunkBuilder,
  completion,
  type FinishReason,
  type TextUsage,
} from "../../text/chat_response.ts";
import { demoReply } from "./reply.ts";
import { utf8Bytes } from "../../text/token_bounds.ts";
import { policyBlock, unsupported } from "../text_errors.ts";
import type { TextCall, TextReply, TextStream, TextUpstream } from "../text_types.ts";
import { UpstreamError } from "../types.ts";
import { sleep } from "./images.ts";

export class DemoTextUpstream implements TextUpstream {
  constructor(private readonly wordDelayMs: number) {}

  // deno-lint-ignore require-await
  async complete(call: TextCall, signal: AbortSignal): Promise<TextReply> {
    const reply = this.reply(call, signal);
    const answer = { text: reply.words.join(""), toolCalls: [], finishReason: reply.finishReason };
    return { completion: completion(call.head, answer, reply.usage), usage: reply.usage };
  }

  // deno-lint-ignore require-await
  async stream(call: TextCall, signal: AbortSignal): Promise<TextStream> {
    const reply = this.reply(call, signal);
    const builder = new ChunkBuilder(
      call.head,
      call.request.stream_options?.include_usage === true,
    );
    const progress: {
      usage: TextUsage;
      finishReason: FinishReason | null;
      deliveredBytes: number;
    } = {
      usage: { ...reply.usage, outputTokens: 0 },
      finishReason: null,
      deliveredBytes: 0,
    };
    const delay = this.wordDelayMs;
    async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
      yield builder.role();
      for (const word of reply.words) {
        await sleep(delay, signal);
        progress.deliveredBytes += utf8Bytes(word);
        progress.usage = {
          ...progress.usage,
          outputTokens: Math.ceil(progress.deliveredBytes / 4),
        };
        yield builder.text(word);
      }
      progress.usage = reply.usage;
      progress.finishReason = reply.finishReason;
      yield builder.finish(reply.finishReason);
      if (builder.includeUsage) yield builder.usage(reply.usage);
    }
    return { chunks: chunks(), progress };
  }

  private reply(call: TextCall, signal: AbortSignal) {
    if (signal.aborted) throw new UpstreamError("unavailable", "demo call aborted", 499);
    if ((call.request.n ?? 1) > 1) {
      throw unsupported("n", "The demo model returns one choice per request; 'n' must be 1.");
    }
    const prompt = call.request.messages.map((m) =>
      typeof m.content === "string"
        ? m.content
        : (m.content ?? []).map((p) => p.type === "text" ? p.text : "").join(" ")
    ).join("\n");
    const categories = demoPolicyViolation(prompt);
    if (categories) throw policyBlock("the demo", categories.join(", "));
    return demoReply(call.request, call.maxOutputTokens);
  }
}
