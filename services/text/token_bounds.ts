// What a chat call can cost at most, in tokens, known before it starts: the hold is priced from
// these. A token is at least one byte of text for every tokenizer the providers use (byte-level
// BPE, SentencePiece with byte fallback), so UTF-8 bytes bound the prompt from above; chars/4
// under-counts code and CJK (ENTERPILOT/GoModel PR #933). What the model reads beyond the text
// (role markers, the tool-use preamble, an image) is bounded by the constants below.
import { ApiError } from "../platform/errors.ts";
import type { ChatMessage, ChatRequest } from "./chat_request.ts";

/** Role markers and separators around one message (OpenAI counts 3-4; others are alike). */
export const MESSAGE_OVERHEAD_TOKENS = 16;
/** Reply priming and the request's own framing. */
export const REQUEST_OVERHEAD_TOKENS = 32;
/** The preamble a provider adds when tools are offered (Anthropic documents ~350 tokens). */
export const TOOLS_OVERHEAD_TOKENS = 1_024;
/** One image at the highest detail any provider bills (OpenAI ≈1.5k, Claude ≈1.6k-4.8k). */
export const IMAGE_TOKENS = 8_192;

/** UTF-8 length without encoding: 1 byte below U+0080, 2 below U+0800, else at most 3 per unit. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
  }
  return bytes;
}

/** An upper bound of the prompt's tokens, whatever the model's tokenizer. */
export function promptTokenBound(request: ChatRequest): number {
  let tokens = REQUEST_OVERHEAD_TOKENS;
  for (const message of request.messages) tokens += messageBound(message);
  if (request.tools?.length) {
    tokens += TOOLS_OVERHEAD_TOKENS + utf8Bytes(JSON.stringify(request.tools));
  }
  if (request.response_format?.type === "json_schema") {
    tokens += MESSAGE_OVERHEAD_TOKENS + utf8Bytes(JSON.stringify(request.response_format));
  }
  return tokens;
}

function messageBound(message: ChatMessage): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  if ("name" in message && message.name) tokens += utf8Bytes(message.name);
  if (typeof message.content === "string") {
    tokens += utf8Bytes(message.content);
  } else {
    for (const part of message.content ?? []) {
      if (part.type === "text") tokens += utf8Bytes(part.text);
      else if (part.type === "refusal") tokens += utf8Bytes(part.refusal);
      else tokens += IMAGE_TOKENS;
    }
  }
  if (message.role === "assistant") {
    if (message.refusal) tokens += utf8Bytes(message.refusal);
    for (const call of message.tool_calls ?? []) {
      tokens += MESSAGE_OVERHEAD_TOKENS + utf8Bytes(call.id) + utf8Bytes(call.function.name) +
        utf8Bytes(call.function.arguments);
    }
  }
  if (message.role === "tool") tokens += utf8Bytes(message.tool_call_id);
  return tokens;
}

/** The output tokens the call may produce per choice: what the request asks, else the model's limit. */
export function maxOutputTokens(request: ChatRequest, modelOutputLimit: number): number {
  const asked = request.max_completion_tokens ?? request.max_tokens;
  if (asked !== undefined && asked > modelOutputLimit) {
    const param = request.max_completion_tokens !== undefined
      ? "max_completion_tokens"
      : "max_tokens";
    throw ApiError.invalidValue(
      param,
      `${param} is too large: ${asked}. This model supports at most ${modelOutputLimit} completion tokens, whereas you provided ${asked}.`,
    );
  }
  return asked ?? modelOutputLimit;
}

/** Both bounds of the hold; output counts every choice (`n`). Throws when max tokens is too large. */
export function holdTokens(
  request: ChatRequest,
  modelOutputLimit: number,
): { promptTokens: number; outputTokens: number } {
  return {
    promptTokens: promptTokenBound(request),
    outputTokens: maxOutputTokens(request, modelOutputLimit) * (request.n ?? 1),
  };
}
