// What an OpenAI-compatible channel answers to a chat call, read as untrusted: the completion or
// each stream chunk is checked with zod and rebuilt in our own shapes (our id, the model as the
// customer named it), never forwarded as it came. Choices keep their index (n > 1 passes through).
// Usage is required: it is what the call is billed on. prompt_tokens includes the cached tokens.
import { z } from "zod";
import {
  type AnswerHead,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChunkDelta,
  type ChunkTranslator,
  type FinishReason,
  NO_USAGE,
  openAIUsage,
  type TextUsage,
  tokenCount,
} from "../../text/chat_response.ts";
import { utf8Bytes } from "../../text/token_bounds.ts";
import { malformed, parseUpstreamJson } from "../text_errors.ts";
import { UpstreamError, upstreamErrorBody } from "../types.ts";
import type { TextReply } from "../text_types.ts";

const usage = z.looseObject({
  prompt_tokens: tokenCount,
  completion_tokens: tokenCount,
  prompt_tokens_details: z.looseObject({ cached_tokens: tokenCount.nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: tokenCount.nullish() }).nullish(),
});

const toolCall = z.looseObject({
  id: z.string().max(200),
  function: z.looseObject({ name: z.string().max(200), arguments: z.string() }),
});

const completionBody = z.looseObject({
  choices: z.array(z.looseObject({
    index: z.int().min(0).max(127).optional(),
    message: z.looseObject({
      content: z.string().nullish(),
      refusal: z.string().nullish(),
      tool_calls: z.array(toolCall).max(128).nullish(),
    }),
    finish_reason: z.string().nullish(),
  })).min(1).max(128),
  usage,
});

const chunkBody = z.looseObject({
  choices: z.array(z.looseObject({
    index: z.int().min(0).max(127),
    delta: z.looseObject({
      content: z.string().nullish(),
      refusal: z.string().nullish(),
      tool_calls: z.array(z.looseObject({
        index: z.int().min(0).max(127),
        id: z.string().max(200).nullish(),
        function: z.looseObject({
          name: z.string().max(200).nullish(),
          arguments: z.string().nullish(),
        }).nullish(),
      })).max(128).nullish(),
    }).nullish(),
    finish_reason: z.string().nullish(),
  })).max(128).nullish(),
  usage: usage.nullish(),
});

export function usageOf(reported: z.infer<typeof usage>): TextUsage {
  const cached = Math.min(
    reported.prompt_tokens_details?.cached_tokens ?? 0,
    reported.prompt_tokens,
  );
  return {
    inputTokens: reported.prompt_tokens - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: reported.completion_tokens,
    reasoningTokens: Math.min(
      reported.completion_tokens_details?.reasoning_tokens ?? 0,
      reported.completion_tokens,
    ),
  };
}

function finishReasonOf(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "stop";
  }
}

export function fromOpenAICompletion(body: unknown, head: AnswerHead, channel: string): TextReply {
  const parsed = completionBody.safeParse(body);
  if (!parsed.success) throw malformed(channel, "chat completion");
  const used = usageOf(parsed.data.usage);
  const completion: ChatCompletion = {
    ...head,
    object: "chat.completion",
    choices: parsed.data.choices.map((choice, i) => ({
      index: choice.index ?? i,
      message: {
        role: "assistant",
        content: choice.message.content ?? null,
        refusal: choice.message.refusal ?? null,
        ...(choice.message.tool_calls?.length
          ? {
            tool_calls: choice.message.tool_calls.map((call) => ({
              id: call.id,
              type: "function" as const,
              function: { name: call.function.name, arguments: call.function.arguments },
            })),
          }
          : {}),
      },
      logprobs: null,
      finish_reason: finishReasonOf(choice.finish_reason),
    })),
    usage: openAIUsage(used),
  };
  return { completion, usage: used };
}

type UpstreamDelta = NonNullable<
  NonNullable<z.infer<typeof chunkBody>["choices"]>[number]["delta"]
>;

function streamError(error: unknown, channel: string): UpstreamError {
  const body = upstreamErrorBody(error);
  return new UpstreamError(
    "unavailable",
    `channel ${channel} failed mid-stream: ${body?.message ?? "an error event"}`,
    502,
    body,
  );
}

/** An OpenAI-compatible stream, chunk by chunk, rebuilt under our head. */
export class OpenAIChunks implements ChunkTranslator {
  usage: TextUsage = NO_USAGE;
  finishReason: FinishReason | null = null;
  deliveredBytes = 0;
  private done = false;
  private usageSeen = false;

  constructor(
    private readonly head: AnswerHead,
    private readonly includeUsage: boolean,
    private readonly channel: string,
  ) {}

  push(data: string): ChatCompletionChunk[] {
    if (data.trim() === "[DONE]") {
      this.done = true;
      return [];
    }
    const body = parseUpstreamJson(data, this.channel);
    // A failure mid-stream comes as a data line holding the error envelope, as the openai SDK
    // reads it; taken for an empty chunk, its words were lost.
    const { error } = (body ?? {}) as { error?: unknown };
    if (error) throw streamError(error, this.channel);
    const parsed = chunkBody.safeParse(body);
    if (!parsed.success) throw malformed(this.channel, "stream chunk");
    const { choices, usage: reported } = parsed.data;
    if (reported) {
      this.usage = usageOf(reported);
      this.usageSeen = true;
    }
    if (!choices?.length) return [];
    return [{
      ...this.head,
      object: "chat.completion.chunk",
      choices: choices.map((choice) => {
        const finish = choice.finish_reason ? finishReasonOf(choice.finish_reason) : null;
        if (finish && choice.index === 0) this.finishReason = finish;
        return {
          index: choice.index,
          delta: this.delta(choice.delta ?? {}),
          logprobs: null,
          finish_reason: finish,
        };
      }),
      ...(this.includeUsage ? { usage: null } : {}),
    }];
  }

  end(): ChatCompletionChunk[] {
    if (!this.done && !(this.finishReason && this.usageSeen)) {
      throw new UpstreamError(
        "unavailable",
        `channel ${this.channel} ended its stream before [DONE]`,
        502,
      );
    }
    if (!this.usageSeen) throw malformed(this.channel, "stream (no usage: it cannot be billed)");
    if (!this.includeUsage) return [];
    return [{
      ...this.head,
      object: "chat.completion.chunk",
      choices: [],
      usage: openAIUsage(this.usage),
    }];
  }

  private delta(delta: UpstreamDelta) {
    const out: ChunkDelta = {};
    if (typeof delta.role === "string") out.role = "assistant";
    if (typeof delta.content === "string") {
      out.content = delta.content;
      this.deliveredBytes += utf8Bytes(delta.content);
    }
    if (typeof delta.refusal === "string") out.refusal = delta.refusal;
    if (delta.tool_calls?.length) {
      out.tool_calls = delta.tool_calls.map((call) => {
        const args = call.function?.arguments ?? "";
        this.deliveredBytes += utf8Bytes(args) + utf8Bytes(call.function?.name ?? "");
        return {
          index: call.index,
          ...(call.id ? { id: call.id, type: "function" as const } : {}),
          function: {
            ...(call.function?.name ? { name: call.function.name } : {}),
            arguments: args,
          },
        };
      });
    }
    return out;
  }
}
