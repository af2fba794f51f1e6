// Gemini's GenerateContentResponse (a whole answer, or one stream chunk) read into what OpenAI's
// answer needs. Lenient where Google adds fields (modelVersion, safetyRatings, thoughtSignature),
// strict where we rely on it (parts, the token counts we bill). A blocked prompt comes as HTTP 200
// with promptFeedback.blockReason and no candidates (vercel/ai #19758): a policy refusal.
import { z } from "zod";
import {
  type AnswerHead,
  type ChatCompletion,
  type ChatToolCallOut,
  completion,
  type FinishReason,
  NO_USAGE,
  type TextUsage,
  tokenCount,
  toolCallId,
} from "../../text/chat_response.ts";
import { malformed, policyBlock } from "../text_errors.ts";
import { argumentsJson } from "../text_parts.ts";

const part = z.looseObject({
  text: z.string().optional(),
  thought: z.boolean().nullish(),
  functionCall: z.looseObject({
    name: z.string(),
    args: z.record(z.string(), z.unknown()).nullish(),
    id: z.string().nullish(),
  }).optional(),
});

const usageMetadata = z.looseObject({
  promptTokenCount: tokenCount.nullish(),
  candidatesTokenCount: tokenCount.nullish(),
  thoughtsTokenCount: tokenCount.nullish(),
  cachedContentTokenCount: tokenCount.nullish(),
  toolUsePromptTokenCount: tokenCount.nullish(),
});

export const generateContentResponse = z.looseObject({
  candidates: z.array(z.looseObject({
    content: z.looseObject({ parts: z.array(part).nullish() }).nullish(),
    finishReason: z.string().nullish(),
  })).nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: usageMetadata.nullish(),
});
export type GenerateContentResponse = z.infer<typeof generateContentResponse>;

/** Gemini's counts. promptTokenCount includes the cached tokens; thoughts are output it leaves out. */
export function usageOf(usage: z.infer<typeof usageMetadata>): TextUsage {
  const prompt = (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0);
  const cached = Math.min(usage.cachedContentTokenCount ?? 0, prompt);
  const thoughts = usage.thoughtsTokenCount ?? 0;
  return {
    inputTokens: prompt - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: (usage.candidatesTokenCount ?? 0) + thoughts,
    reasoningTokens: thoughts,
  };
}

const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

export function finishReasonOf(reason: string, calledTools: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  // Gemini says STOP after a function call; OpenAI says tool_calls.
  return calledTools ? "tool_calls" : "stop";
}

/** What one response (or stream chunk) adds to the answer. */
export interface GeminiPiece {
  texts: string[];
  toolCalls: ChatToolCallOut[];
  finishReason: string | null;
  usage: TextUsage | null;
}

/** Reads one response; throws the policy refusal for a blocked prompt, "unavailable" if malformed. */
export function readPiece(body: unknown, channel: string): GeminiPiece {
  const parsed = generateContentResponse.safeParse(body);
  if (!parsed.success) throw malformed(channel, "answer");
  const { candidates, promptFeedback, usageMetadata } = parsed.data;
  const candidate = candidates?.[0];
  if (!candidate && promptFeedback?.blockReason) {
    throw policyBlock("Google", promptFeedback.blockReason);
  }
  const texts: string[] = [];
  const toolCalls: ChatToolCallOut[] = [];
  for (const p of candidate?.content?.parts ?? []) {
    // Thought summaries are not part of an OpenAI answer.
    if (p.thought) continue;
    if (p.text) texts.push(p.text);
    if (p.functionCall) {
      toolCalls.push({
        // Function calls often come without an id: make one.
        id: p.functionCall.id || toolCallId(),
        type: "function",
        function: { name: p.functionCall.name, arguments: argumentsJson(p.functionCall.args) },
      });
    }
  }
  return {
    texts,
    toolCalls,
    finishReason: candidate?.finishReason ?? null,
    usage: usageMetadata ? usageOf(usageMetadata) : null,
  };
}

/** A whole generateContent answer as a chat.completion, with its usage. */
export function fromGeminiResponse(
  body: unknown,
  head: AnswerHead,
  channel: string,
): { completion: ChatCompletion; usage: TextUsage } {
  const piece = readPiece(body, channel);
  if (piece.finishReason === null) throw malformed(channel, "answer (no candidate)");
  const usage = piece.usage ?? NO_USAGE;
  const finishReason = finishReasonOf(piece.finishReason, piece.toolCalls.length > 0);
  return {
    completion: completion(
      head,
      { text: piece.texts.join(""), toolCalls: piece.toolCalls, finishReason },
      usage,
    ),
    usage,
  };
}
