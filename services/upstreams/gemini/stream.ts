// streamGenerateContent?alt=sse chunks as OpenAI chunks. Each chunk is a GenerateContentResponse;
// its usageMetadata is a running total, so the last one counts, never their sum (agno-agi/agno PR
// #6624). Function calls come whole, each its own tool call. The finish_reason is sent when the
// stream closes, once it is known whether tools were called.
import {
  type ChatCompletionChunk,
  ChunkBuilder,
  type ChunkTranslator,
  type FinishReason,
  NO_USAGE,
  type TextUsage,
} from "../../text/chat_response.ts";
import { utf8Bytes } from "../../text/token_bounds.ts";
import { parseUpstreamJson } from "../text_errors.ts";
import { UpstreamError } from "../types.ts";
import { geminiStreamError } from "./errors.ts";
import { finishReasonOf, readPiece } from "./response.ts";

export class GeminiChunks implements ChunkTranslator {
  usage: TextUsage = NO_USAGE;
  finishReason: FinishReason | null = null;
  deliveredBytes = 0;
  private started = false;
  private toolCalls = 0;
  private geminiFinish: string | null = null;

  constructor(private readonly chunks: ChunkBuilder, private readonly channel: string) {}

  push(data: string): ChatCompletionChunk[] {
    const body = parseUpstreamJson(data, this.channel);
    if (typeof body === "object" && body !== null && "error" in body) {
      throw geminiStreamError(body, this.channel);
    }
    const piece = readPiece(body, this.channel);
    if (piece.usage) this.usage = piece.usage;
    if (piece.finishReason) this.geminiFinish = piece.finishReason;
    const out: ChatCompletionChunk[] = [];
    if (!this.started) {
      this.started = true;
      out.push(this.chunks.role());
    }
    for (const text of piece.texts) {
      this.deliveredBytes += utf8Bytes(text);
      out.push(this.chunks.text(text));
    }
    for (const call of piece.toolCalls) {
      this.deliveredBytes += utf8Bytes(call.function.name) + utf8Bytes(call.function.arguments);
      out.push(
        this.chunks.toolCall(
          this.toolCalls++,
          call.id,
          call.function.name,
          call.function.arguments,
        ),
      );
    }
    return out;
  }

  end(): ChatCompletionChunk[] {
    if (this.geminiFinish === null) {
      throw new UpstreamError(
        "unavailable",
        `channel ${this.channel} ended its stream before a finishReason`,
        502,
      );
    }
    this.finishReason = finishReasonOf(this.geminiFinish, this.toolCalls > 0);
    const closing = [this.chunks.finish(this.finishReason)];
    if (this.chunks.includeUsage) closing.push(this.chunks.usage(this.usage));
    return closing;
  }
}
