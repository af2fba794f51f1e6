// Anthropic's stream events as OpenAI chunks, in order. message_start carries the exact input
// usage; each content block is text or a tool call, and deltas are routed by the block's index
// (BerriAI/litellm #5231: tool arguments split across calls); message_delta carries stop_reason and
// the cumulative output count; message_stop ends it. ping and unknown events are skipped.
import { z } from "zod";
import {
  type ChatCompletionChunk,
  ChunkBuilder,
  type ChunkTranslator,
  type FinishReason,
  NO_USAGE,
  type TextUsage,
} from "../../text/chat_response.ts";
import { utf8Bytes } from "../../text/token_bounds.ts";
import { malformed, parseUpstreamJson } from "../text_errors.ts";
import { UpstreamError } from "../types.ts";
import { anthropicStreamError } from "./errors.ts";
import { anthropicUsage, finishReasonOf, textBlock, toolUseBlock, usageOf } from "./response.ts";

const event = z.looseObject({ type: z.string() });
const messageStart = z.looseObject({ message: z.looseObject({ usage: anthropicUsage }) });
const blockStart = z.looseObject({
  index: z.int(),
  content_block: z.looseObject({ type: z.string() }),
});
const blockDelta = z.looseObject({
  index: z.int(),
  delta: z.union([
    z.looseObject({ type: z.literal("text_delta"), text: z.string() }),
    z.looseObject({ type: z.literal("input_json_delta"), partial_json: z.string() }),
    z.looseObject({ type: z.string() }),
  ]),
});
const messageDelta = z.looseObject({
  delta: z.looseObject({ stop_reason: z.string().nullish() }),
  usage: anthropicUsage.nullish(),
});

export class AnthropicChunks implements ChunkTranslator {
  usage: TextUsage = NO_USAGE;
  finishReason: FinishReason | null = null;
  deliveredBytes = 0;
  private stopped = false;
  /** Content block index → the tool call's index among the answer's tool calls. */
  private readonly tools = new Map<number, number>();

  constructor(private readonly chunks: ChunkBuilder, private readonly channel: string) {}

  push(data: string, _event?: string): ChatCompletionChunk[] {
    const parsed = event.safeParse(parseUpstreamJson(data, this.channel));
    if (!parsed.success) throw malformed(this.channel, "stream event");
    const value = parsed.data;
    switch (value.type) {
      case "message_start":
        this.usage = usageOf(this.read(messageStart, value).message.usage);
        return [this.chunks.role()];
      case "content_block_start":
        return this.blockStart(this.read(blockStart, value));
      case "content_block_delta":
        return this.blockDelta(this.read(blockDelta, value));
      case "message_delta": {
        const { delta, usage } = this.read(messageDelta, value);
        if (usage) this.usage = usageOf(usage, this.usage);
        this.finishReason = finishReasonOf(delta.stop_reason);
        return [this.chunks.finish(this.finishReason)];
      }
      case "message_stop":
        this.stopped = true;
        return [];
      case "error":
        throw anthropicStreamError(value, this.channel);
      default: // ping, content_block_stop, and event types added later
        return [];
    }
  }

  end(): ChatCompletionChunk[] {
    if (!this.stopped) {
      throw new UpstreamError(
        "unavailable",
        `channel ${this.channel} ended its stream before message_stop`,
        502,
      );
    }
    const closing: ChatCompletionChunk[] = [];
    if (this.finishReason === null) {
      this.finishReason = "stop";
      closing.push(this.chunks.finish("stop"));
    }
    if (this.chunks.includeUsage) closing.push(this.chunks.usage(this.usage));
    return closing;
  }

  private blockStart({ index, content_block }: z.infer<typeof blockStart>): ChatCompletionChunk[] {
    if (content_block.type === "tool_use") {
      const call = toolUseBlock.safeParse(content_block);
      if (!call.success) throw malformed(this.channel, "tool_use block");
      const toolIndex = this.tools.size;
      this.tools.set(index, toolIndex);
      this.deliveredBytes += utf8Bytes(call.data.name);
      return [this.chunks.toolCall(toolIndex, call.data.id, call.data.name)];
    }
    if (content_block.type === "text") {
      const text = textBlock.safeParse(content_block);
      if (text.success && text.data.text) return this.text(text.data.text);
    }
    return [];
  }

  private blockDelta({ index, delta }: z.infer<typeof blockDelta>): ChatCompletionChunk[] {
    if ("text" in delta && delta.type === "text_delta") {
      return delta.text ? this.text(delta.text as string) : [];
    }
    if ("partial_json" in delta && delta.type === "input_json_delta") {
      const toolIndex = this.tools.get(index);
      if (toolIndex === undefined) throw malformed(this.channel, "input_json_delta");
      const args = delta.partial_json as string;
      if (!args) return [];
      this.deliveredBytes += utf8Bytes(args);
      return [this.chunks.toolArguments(toolIndex, args)];
    }
    return []; // thinking_delta, signature_delta, citations_delta: not part of an OpenAI answer
  }

  private text(text: string): ChatCompletionChunk[] {
    this.deliveredBytes += utf8Bytes(text);
    return [this.chunks.text(text)];
  }

  private read<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw malformed(this.channel, "stream event");
    return parsed.data;
  }
}
