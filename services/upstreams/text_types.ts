// What every text upstream adapter takes and gives back, whatever the provider speaks. Errors are
// UpstreamErrors ("refused" or "unavailable"), as for images, so one failover serves both.
import type { Channel } from "../catalog/channels.ts";
import type { ChatRequest } from "../text/chat_request.ts";
import type {
  AnswerHead,
  ChatCompletion,
  ChatCompletionChunk,
  StreamProgress,
  TextUsage,
} from "../text/chat_response.ts";

/** The channel fields an adapter uses. */
export type TextChannel = Pick<Channel, "name" | "baseUrl" | "apiKey" | "timeoutMs">;

export interface TextCall {
  request: ChatRequest;
  /** The provider's id for the model (a channel may map ours to its own). */
  upstreamModel: string;
  /** The output bound the hold was made for: the request's max tokens, else the model's limit. */
  maxOutputTokens: number;
  /** id, model (as the client named it) and created of the answer. */
  head: AnswerHead;
}

export interface TextReply {
  completion: ChatCompletion;
  usage: TextUsage;
}

/**
 * An opened stream. It is returned only once the upstream has sent something beyond the role
 * chunk, so an error before any content (a 529, an error event first, a blocked prompt) is thrown
 * by `stream()` itself, while the next channel can still be tried. `chunks` throws UpstreamError
 * when the upstream fails later; `progress.usage` is the usage reported so far (to bill a stream
 * the client left, read `chunks` on to the end without sending them).
 */
export interface TextStream {
  chunks: AsyncIterable<ChatCompletionChunk>;
  progress: StreamProgress;
}

export interface TextUpstream {
  complete(call: TextCall, signal: AbortSignal): Promise<TextReply>;
  stream(call: TextCall, signal: AbortSignal): Promise<TextStream>;
}
