// A chat request as Anthropic's Messages API takes it. What Claude cannot honour and would change
// the answer's shape (n > 1, logprobs, audio, a JSON response format, temperature above 1) is
// refused in OpenAI's words before any call; hints that only tune sampling or bookkeeping (seed,
// penalties, logit_bias, store, service_tier, reasoning_effort …) are left out.
import type {
  AssistantMessage,
  ChatMessage,
  ChatRequest,
  FunctionTool,
  ImagePart,
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

export type AnthropicBlock =
  | { type: "text"; text: string }
  | {
    type: "image";
    source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };
  }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; tool_use_id: string; content?: string };

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: AnthropicBlock[];
}

export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: { type: "text"; text: string }[];
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: {
    type: "auto" | "any" | "tool" | "none";
    name?: string;
    disable_parallel_tool_use?: boolean;
  };
  metadata?: { user_id: string };
  stream?: boolean;
}

const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/** `model` is the provider's model id; `maxTokens` the output bound the hold was made for. */
export function toAnthropicRequest(
  request: ChatRequest,
  options: { model: string; maxTokens: number; stream: boolean },
): AnthropicRequest {
  refuseUnsupported(request);
  const system = request.messages.flatMap((m) =>
    m.role === "system" || m.role === "developer" ? nonEmptyTexts(m.content) : []
  );
  const body: AnthropicRequest = {
    model: options.model,
    // Always the caller's bound: a small default cuts answers (BerriAI/litellm PR #2855).
    max_tokens: options.maxTokens,
    messages: mergeTurns(
      request.messages.flatMap((m, i) => toTurn(m, i)),
      (block) => block.type === "tool_result",
    ).map(({ role, items }) => ({ role, content: items })),
    ...(system.length ? { system: system.map((text) => ({ type: "text" as const, text })) } : {}),
    ...sampling(request),
    ...(request.stop !== undefined
      ? { stop_sequences: typeof request.stop === "string" ? [request.stop] : request.stop }
      : {}),
    ...tools(request),
    ...endUser(request),
  };
  if (options.stream) body.stream = true;
  return body;
}

function refuseUnsupported(r: ChatRequest) {
  if ((r.n ?? 1) > 1) {
    throw unsupported("n", "Claude models return one choice per request; 'n' must be 1.");
  }
  if (r.logprobs) {
    throw unsupported(
      "logprobs",
      "Claude models do not return log probabilities; omit 'logprobs'.",
    );
  }
  if (r.modalities?.includes("audio") || r.audio) {
    throw unsupported("modalities", "Claude models answer in text only; omit audio output.");
  }
  if (r.response_format && r.response_format.type !== "text") {
    throw unsupported(
      "response_format",
      `response_format '${r.response_format.type}' is not supported for Claude models; ask for JSON in the prompt instead.`,
    );
  }
  // Anthropic's range is 0 to 1. Clamping would silently change the answer the client asked for,
  // and Anthropic would refuse the value anyway: refuse it, naming the field.
  if (r.temperature !== undefined && r.temperature > 1) {
    throw unsupported(
      "temperature",
      `Invalid 'temperature': Claude models accept 0 to 1, but got ${r.temperature} instead.`,
    );
  }
}

/** Who the end user is, for Anthropic's abuse checks; it takes at most 256 characters. */
function endUser(r: ChatRequest): Pick<AnthropicRequest, "metadata"> {
  const id = r.safety_identifier ?? r.user;
  return id && id.length <= 256 ? { metadata: { user_id: id } } : {};
}

/** Newer Claude models refuse temperature and top_p together (BerriAI/litellm #15097): keep one. */
function sampling(r: ChatRequest): Pick<AnthropicRequest, "temperature" | "top_p"> {
  const { temperature, top_p } = r;
  if (temperature !== undefined && top_p !== undefined) {
    // A value left at its default changes nothing, so the other one is the one meant.
    if (top_p === 1) return { temperature };
    if (temperature === 1) return { top_p };
    return { temperature };
  }
  return {
    ...(temperature !== undefined ? { temperature } : {}),
    ...(top_p !== undefined ? { top_p } : {}),
  };
}

function tools(r: ChatRequest): Pick<AnthropicRequest, "tools" | "tool_choice"> {
  if (!r.tools?.length) return {};
  const out: Pick<AnthropicRequest, "tools" | "tool_choice"> = { tools: r.tools.map(toTool) };
  const choice = r.tool_choice;
  const noParallel = r.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === "none") out.tool_choice = { type: "none" };
  else if (choice === "required") out.tool_choice = { type: "any", ...noParallel };
  else if (typeof choice === "object") {
    out.tool_choice = { type: "tool", name: choice.function.name, ...noParallel };
  } else if (choice === "auto" || r.parallel_tool_calls === false) {
    out.tool_choice = { type: "auto", ...noParallel };
  }
  return out;
}

/** A tool without parameters is still a tool: it gets an empty object schema (new-api #6859). */
function toTool(tool: FunctionTool) {
  const { name, description, parameters } = tool.function;
  return {
    name,
    ...(description ? { description } : {}),
    input_schema: parameters ?? { type: "object", properties: {} },
  };
}

function toTurn(message: ChatMessage, index: number): Turn<"user" | "assistant", AnthropicBlock>[] {
  switch (message.role) {
    case "system":
    case "developer":
      return [];
    case "user":
      return [{ role: "user", items: userBlocks(message, index) }];
    case "assistant":
      return [{ role: "assistant", items: assistantBlocks(message, index) }];
    case "tool": {
      const text = nonEmptyTexts(message.content).join("\n");
      return [{
        role: "user",
        items: [{
          type: "tool_result",
          tool_use_id: message.tool_call_id,
          ...(text ? { content: text } : {}),
        }],
      }];
    }
  }
}

function userBlocks(message: UserMessage, index: number): AnthropicBlock[] {
  if (typeof message.content === "string") return textBlocks([message.content]);
  return message.content.flatMap((part, j): AnthropicBlock[] =>
    part.type === "text"
      ? textBlocks([part.text])
      : [imageBlock(part, `messages[${index}].content[${j}].image_url.url`)]
  );
}

function imageBlock(part: ImagePart, param: string): AnthropicBlock {
  const url = part.image_url.url;
  if (!url.startsWith("data:")) return { type: "image", source: { type: "url", url } };
  const image = parseDataUrl(url, param);
  if (!IMAGE_TYPES.includes(image.mediaType)) {
    throw invalidValue(
      param,
      `Invalid image: '${image.mediaType}' is not supported for Claude models; use ${
        IMAGE_TYPES.join(", ")
      }.`,
    );
  }
  return {
    type: "image",
    source: { type: "base64", media_type: image.mediaType, data: image.data },
  };
}

function assistantBlocks(message: AssistantMessage, index: number): AnthropicBlock[] {
  return [
    // Empty text blocks are refused (an assistant's "" beside its tool calls).
    ...textBlocks(assistantTexts(message)),
    ...(message.tool_calls ?? []).map((call, j): AnthropicBlock => ({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: toolArguments(
        call.function.arguments,
        `messages[${index}].tool_calls[${j}].function.arguments`,
      ),
    })),
  ];
}

function textBlocks(all: string[]): AnthropicBlock[] {
  return all.filter((text) => text !== "").map((text) => ({ type: "text", text }));
}
