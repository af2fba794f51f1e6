// Anthropic's Message (a non-streamed answer) as OpenAI's chat.completion. The answer is checked
// with zod: lenient where Anthropic adds fields or block types (thinking, server tools: skipped),
// strict where we rely on it (text, tool calls, the token counts we bill).
import { z } from "zod";
import {
  type AnswerHead,
  type ChatCompletion,
  type ChatToolCallOut,
  completion,
  type FinishReason,
  type TextUsage,
  tokenCount,
} from "../../text/chat_response.ts";
import { argumentsJson } from "../text_parts.ts";
import { malformed } from "../text_errors.ts";

export const anthropicUsage = z.looseObject({
  input_tokens: tokenCount.nullish(),
  output_tokens: tokenCount.nullish(),
  cache_creation_input_tokens: tokenCount.nullish(),
  cache_read_input_tokens: tokenCount.nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsage>;

const block = z.looseObject({ type: z.string() });
export const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
export const toolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});

const message = z.looseObject({
  type: z.literal("message"),
  content: z.array(block),
  stop_reason: z.string().nullish(),
  usage: anthropicUsage.extend({ input_tokens: tokenCount, output_tokens: tokenCount }),
});

/** Anthropic's counts; cache tokens come on top of input_tokens (BerriAI/litellm #11364). */
export function usageOf(usage: AnthropicUsage, previous?: TextUsage): TextUsage {
  return {
    inputTokens: usage.input_tokens ?? previous?.inputTokens ?? 0,
    cacheReadTokens: usage.cache_read_input_tokens ?? previous?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? previous?.cacheWriteTokens ?? 0,
    outputTokens: usage.output_tokens ?? previous?.outputTokens ?? 0,
    reasoningTokens: 0,
  };
}

export function finishReasonOf(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default: // end_turn, stop_sequence, pause_turn
      return "stop";
  }
}

/** A Messages answer as a chat.completion, with its usage. Throws "unavailable" when malformed. */
export function fromAnthropicMessage(
  body: unknown,
  head: AnswerHead,
  channel: string,
): { completion: ChatCompletion; usage: TextUsage } {
  const parsed = message.safeParse(body);
  if (!parsed.success) throw malformed(channel, "message");
  let text = "";
  const toolCalls: ChatToolCallOut[] = [];
  for (const raw of parsed.data.content) {
    if (raw.type === "text") {
      const written = textBlock.safeParse(raw);
      if (!written.success) throw malformed(channel, "text block");
      text += written.data.text;
    }
    if (raw.type === "tool_use") {
      const call = toolUseBlock.safeParse(raw);
      if (!call.success) throw malformed(channel, "tool_use block");
      toolCalls.push({
        id: call.data.id,
        type: "function",
        function: { name: call.data.name, arguments: argumentsJson(call.data.input) },
      });
    }
  }
  const usage = usageOf(parsed.data.usage);
  const finishReason = finishReasonOf(parsed.data.stop_reason);
  return { completion: completion(head, { text, toolCalls, finishReason }, usage), usage };
}
