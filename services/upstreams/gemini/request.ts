// A chat request as Gemini's generateContent takes it: contents of user/model turns made of parts,
// the system prompt as systemInstruction (not a user message: songquanpeng/one-api #1020), the
// sampling and limits in generationConfig, tools as functionDeclarations with their JSON Schema
// as is (parametersJsonSchema: the OpenAPI-subset `parameters` refuses additionalProperties and
// friends). What Gemini cannot honour and would change the answer's shape is refused in OpenAI's
// words; hints that only tune sampling or bookkeeping are left out.
import type {
  AssistantMessage,
  ChatMessage,
  ChatRequest,
  UserMessage,
} from "../../text/chat_request.ts";
import { invalidValue, unsupported } from "../text_errors.ts";
import {
  assistantTexts,
  mergeTurns,
  nonEmptyTexts,
  parseDataUrl,
  toolArguments,
  type Turn,
} from "../text_parts.ts";

export type GeminiPart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string } }
  | { functionCall: { name: string; args: Record<string, unknown> }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: Record<string, unknown> } };

export interface GeminiContent {
  role: "user" | "model";
  parts: GeminiPart[];
}

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  generationConfig: {
    maxOutputTokens: number;
    temperature?: number;
    topP?: number;
    stopSequences?: string[];
    seed?: number;
    responseMimeType?: string;
    responseJsonSchema?: Record<string, unknown>;
  };
  tools?: {
    functionDeclarations: {
      name: string;
      description?: string;
      parametersJsonSchema?: Record<string, unknown>;
    }[];
  }[];
  toolConfig?: {
    functionCallingConfig: { mode: "AUTO" | "ANY" | "NONE"; allowedFunctionNames?: string[] };
  };
}

/**
 * Gemini 3 wants the thought signature it gave with a function call echoed back; OpenAI's format
 * has no place for it, so replayed calls carry Google's documented stand-in value
 * (ai.google.dev/gemini-api/docs/thought-signatures), on the first call of a turn as Gemini does.
 */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

export function toGeminiRequest(request: ChatRequest, maxTokens: number): GeminiRequest {
  refuseUnsupported(request);
  const system = request.messages.flatMap((m) =>
    m.role === "system" || m.role === "developer" ? nonEmptyTexts(m.content) : []
  );
  const names = toolNames(request.messages);
  const r = request;
  return {
    contents: mergeTurns(
      request.messages.flatMap((m, i) => toTurn(m, i, names)),
      (part) => "functionResponse" in part,
    ).map(({ role, items }) => ({ role, parts: items })),
    ...(system.length ? { systemInstruction: { parts: system.map((text) => ({ text })) } } : {}),
    generationConfig: {
      maxOutputTokens: maxTokens,
      ...(r.temperature !== undefined ? { temperature: r.temperature } : {}),
      ...(r.top_p !== undefined ? { topP: r.top_p } : {}),
      ...(r.stop !== undefined
        ? { stopSequences: typeof r.stop === "string" ? [r.stop] : r.stop }
        : {}),
      ...(r.seed !== undefined ? { seed: r.seed } : {}),
      ...(r.response_format?.type === "json_object"
        ? { responseMimeType: "application/json" }
        : {}),
      ...(r.response_format?.type === "json_schema"
        ? {
          responseMimeType: "application/json",
          ...(r.response_format.json_schema.schema
            ? { responseJsonSchema: r.response_format.json_schema.schema }
            : {}),
        }
        : {}),
    },
    ...tools(request),
  };
}

function refuseUnsupported(r: ChatRequest) {
  if ((r.n ?? 1) > 1) {
    throw unsupported("n", "Gemini models return one choice per request here; 'n' must be 1.");
  }
  if (r.logprobs) {
    throw unsupported("logprobs", "Log probabilities are not available for Gemini models.");
  }
  if (r.modalities?.includes("audio") || r.audio) {
    throw unsupported("modalities", "Gemini models answer in text only here; omit audio output.");
  }
}

function tools(r: ChatRequest): Pick<GeminiRequest, "tools" | "toolConfig"> {
  if (!r.tools?.length) return {};
  const declarations = r.tools.map(({ function: f }) => ({
    name: f.name,
    ...(f.description ? { description: f.description } : {}),
    ...(f.parameters ? { parametersJsonSchema: f.parameters } : {}),
  }));
  const choice = r.tool_choice;
  const mode = choice === "none"
    ? "NONE"
    : choice === "auto" || choice === undefined
    ? "AUTO"
    : "ANY";
  return {
    tools: [{ functionDeclarations: declarations }],
    ...(choice === undefined ? {} : {
      toolConfig: {
        functionCallingConfig: {
          mode,
          ...(typeof choice === "object" ? { allowedFunctionNames: [choice.function.name] } : {}),
        },
      },
    }),
  };
}

/** Tool call id → function name: a functionResponse names its function, a tool message does not. */
function toolNames(messages: ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) {
    if (m.role === "assistant") {
      for (const call of m.tool_calls ?? []) names.set(call.id, call.function.name);
    }
  }
  return names;
}

function toTurn(
  message: ChatMessage,
  index: number,
  names: Map<string, string>,
): Turn<"user" | "model", GeminiPart>[] {
  switch (message.role) {
    case "system":
    case "developer":
      return [];
    case "user":
      return [{ role: "user", items: userParts(message, index) }];
    case "assistant":
      return [{ role: "model", items: modelParts(message, index) }];
    case "tool":
      return [{
        role: "user",
        items: [{
          functionResponse: {
            // The parser checked the id answers an earlier call.
            name: names.get(message.tool_call_id) ?? message.tool_call_id,
            response: { content: nonEmptyTexts(message.content).join("\n") },
          },
        }],
      }];
  }
}

function userParts(message: UserMessage, index: number): GeminiPart[] {
  if (typeof message.content === "string") return textParts([message.content]);
  return message.content.flatMap((part, j): GeminiPart[] => {
    if (part.type === "text") return textParts([part.text]);
    const param = `messages[${index}].content[${j}].image_url.url`;
    // Fetching a client's URL from our server would let anyone aim it inward: only inline data.
    if (!part.image_url.url.startsWith("data:")) {
      throw invalidValue(
        param,
        "Gemini models here take images as base64 data URLs ('data:image/png;base64,…'), not links.",
      );
    }
    const { mediaType, data } = parseDataUrl(part.image_url.url, param);
    return [{ inlineData: { mimeType: mediaType, data } }];
  });
}

function modelParts(message: AssistantMessage, index: number): GeminiPart[] {
  return [
    ...textParts(assistantTexts(message)),
    ...(message.tool_calls ?? []).map((call, j): GeminiPart => ({
      functionCall: {
        name: call.function.name,
        args: toolArguments(
          call.function.arguments,
          `messages[${index}].tool_calls[${j}].function.arguments`,
        ),
      },
      ...(j === 0 ? { thoughtSignature: SKIP_THOUGHT_SIGNATURE } : {}),
    })),
  ];
}

function textParts(all: string[]): GeminiPart[] {
  return all.filter((text) => text !== "").map((text) => ({ text }));
}
