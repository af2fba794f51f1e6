// What a chat call answers, in OpenAI's shapes (chat.completion and chat.completion.chunk), and the
// provider-neutral usage every translator reports. Translators build their chunks here, so every
// provider's stream has the same form: a first chunk with the role, deltas, one chunk with the
// finish_reason, then (include_usage) a last chunk with `choices: []` and the usage; with
// include_usage every other chunk carries `usage: null`, as OpenAI's do.
import { z } from "zod";

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** Tokens as providers bill them. Cached and cache-write tokens are NOT inside `inputTokens`. */
export interface TextUsage {
  /** Prompt tokens read at the full input rate. */
  inputTokens: number;
  /** Prompt tokens read from the provider's cache (cheaper). */
  cacheReadTokens: number;
  /** Prompt tokens written to the provider's cache (Anthropic bills them above the input rate). */
  cacheWriteTokens: number;
  /** Everything generated, thinking included. */
  outputTokens: number;
  /** The part of outputTokens spent thinking. */
  reasoningTokens: number;
}

export const NO_USAGE: TextUsage = Object.freeze({
  inputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
});

/** A token count from an upstream: a sane, non-negative safe integer, or the answer is refused. */
export const tokenCount = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

export interface ChatToolCallOut {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface OpenAIUsage {
  /** What the call was charged, in USD, exact (our addition: customers see each call's cost). */
  cost?: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      /** OpenAI's structured-output refusal, passed through from an OpenAI channel. */
      refusal: string | null;
      tool_calls?: ChatToolCallOut[];
    };
    logprobs: null;
    finish_reason: FinishReason;
  }[];
  usage: OpenAIUsage;
}

export interface ChunkDelta {
  role?: "assistant";
  content?: string;
  refusal?: string | null;
  tool_calls?: {
    index: number;
    id?: string;
    type?: "function";
    function: { name?: string; arguments: string };
  }[];
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: number;
    delta: ChunkDelta;
    logprobs: null;
    finish_reason: FinishReason | null;
  }[];
  usage?: OpenAIUsage | null;
}

/** OpenAI's usage: prompt_tokens includes the cached tokens (BerriAI/litellm #11364). */
export function openAIUsage(usage: TextUsage): OpenAIUsage {
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.outputTokens,
    total_tokens: prompt + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** "chatcmpl-" and 24 random letters and digits, like OpenAI's ids. */
export function completionId(): string {
  return `chatcmpl-${randomId(24)}`;
}

/** An id for a tool call the provider gave none (Gemini often does not). */
export function toolCallId(): string {
  return `call_${randomId(24)}`;
}

function randomId(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/** What every answer of one call shares. */
export interface AnswerHead {
  id: string;
  model: string;
  created: number;
}

export function answerHead(model: string): AnswerHead {
  return { id: completionId(), model, created: Math.floor(Date.now() / 1000) };
}

export function completion(
  head: AnswerHead,
  answer: { text: string; toolCalls: ChatToolCallOut[]; finishReason: FinishReason },
  usage: TextUsage,
): ChatCompletion {
  return {
    ...head,
    object: "chat.completion",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        // OpenAI sends null content beside tool calls when the model wrote no text.
        content: answer.text === "" && answer.toolCalls.length ? null : answer.text,
        refusal: null,
        ...(answer.toolCalls.length ? { tool_calls: answer.toolCalls } : {}),
      },
      logprobs: null,
      finish_reason: answer.finishReason,
    }],
    usage: openAIUsage(usage),
  };
}

/** Builds one call's stream chunks (a single choice, index 0). */
export class ChunkBuilder {
  constructor(readonly head: AnswerHead, readonly includeUsage: boolean) {}

  private chunk(delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
    return {
      ...this.head,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }

  role(): ChatCompletionChunk {
    return this.chunk({ role: "assistant", content: "", refusal: null });
  }

  text(content: string): ChatCompletionChunk {
    return this.chunk({ content });
  }

  /** The first chunk of a tool call: its id and name, arguments to follow. */
  toolCall(index: number, id: string, name: string, args = ""): ChatCompletionChunk {
    return this.chunk({
      tool_calls: [{ index, id, type: "function", function: { name, arguments: args } }],
    });
  }

  toolArguments(index: number, args: string): ChatCompletionChunk {
    return this.chunk({ tool_calls: [{ index, function: { arguments: args } }] });
  }

  finish(reason: FinishReason): ChatCompletionChunk {
    return this.chunk({}, reason);
  }

  /** The last chunk when include_usage: no choices (the field present, as strict SDKs require). */
  usage(usage: TextUsage): ChatCompletionChunk {
    return {
      ...this.head,
      object: "chat.completion.chunk",
      choices: [],
      usage: openAIUsage(usage),
    };
  }
}

/**
 * Turns one upstream stream into OpenAI chunks. The caller feeds it every upstream event in order
 * and, when the upstream closes, calls end(). Usage is readable at any time: after end() it is the
 * upstream's final count; before, what the upstream reported so far (for a stream cut short).
 */
export interface ChunkTranslator extends StreamProgress {
  /** The chunks one upstream event gives. Throws UpstreamError for an error event. */
  push(data: string, event?: string): ChatCompletionChunk[];
  /** The closing chunks. Throws UpstreamError when the upstream ended before its last event. */
  end(): ChatCompletionChunk[];
}

/** Where a stream stands: final once its chunks are all read, "so far" when it was cut. */
export interface StreamProgress {
  readonly usage: TextUsage;
  readonly finishReason: FinishReason | null;
  /** Bytes of text and tool arguments delivered so far (a floor for output when usage is cut). */
  readonly deliveredBytes: number;
}
