// The body of POST /v1/chat/completions, checked the way OpenAI checks it: the parameters it
// accepts today, errors in its words with `param` naming the field ("messages[0].role"), and an
// unknown top-level parameter refused as OpenAI does ("Unrecognized request argument supplied").
// zod checks each shape; the ranges and the rules across fields are checked after it.
import { z } from "zod";
import { ApiError } from "../platform/errors.ts";
import { invalidType, missingParameter, requireObjectBody } from "../platform/param_errors.ts";

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string(), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const refusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });
const toolCall = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

// Fields OpenAI accepts on a message but no model reads, stripped rather than refused: clients
// echo back what an earlier answer carried (annotations, audio, provider extras).
const messageSchemas = {
  system: z.object({
    role: z.literal("system"),
    content: z.union([z.string(), z.array(textPart)]),
    name: z.string().optional(),
  }),
  developer: z.object({
    role: z.literal("developer"),
    content: z.union([z.string(), z.array(textPart)]),
    name: z.string().optional(),
  }),
  user: z.object({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, imagePart]))]),
    name: z.string().optional(),
  }),
  assistant: z.object({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, refusalPart]))])
      .optional(),
    refusal: z.string().optional(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
  }),
  tool: z.object({
    role: z.literal("tool"),
    content: z.union([z.string(), z.array(textPart)]),
    tool_call_id: z.string(),
  }),
};

export type TextPart = z.infer<typeof textPart>;
export type ImagePart = z.infer<typeof imagePart>;
export type ChatToolCall = z.infer<typeof toolCall>;
export type SystemMessage = z.infer<typeof messageSchemas.system | typeof messageSchemas.developer>;
export type UserMessage = z.infer<typeof messageSchemas.user>;
export type AssistantMessage = z.infer<typeof messageSchemas.assistant>;
export type ToolMessage = z.infer<typeof messageSchemas.tool>;
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

const functionTool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});
export type FunctionTool = z.infer<typeof functionTool>;

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);
export type ToolChoice = z.infer<typeof toolChoice>;

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);
export type ResponseFormat = z.infer<typeof responseFormat>;

const bodySchema = z.object({
  model: z.string(),
  messages: z.array(z.unknown()),
  frequency_penalty: z.number().optional(),
  presence_penalty: z.number().optional(),
  logit_bias: z.record(z.string(), z.number()).optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.int().optional(),
  max_tokens: z.int().optional(),
  max_completion_tokens: z.int().optional(),
  n: z.int().optional(),
  response_format: responseFormat.optional(),
  seed: z.int().optional(),
  service_tier: z.string().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({
    include_usage: z.boolean().nullish(),
    include_obfuscation: z.boolean().nullish(),
  }).optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  tools: z.array(functionTool).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  store: z.boolean().optional(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).optional(),
  verbosity: z.enum(["low", "medium", "high"]).optional(),
  modalities: z.array(z.enum(["text", "audio"])).optional(),
  audio: z.record(z.string(), z.unknown()).optional(),
  prediction: z.record(z.string(), z.unknown()).optional(),
  web_search_options: z.record(z.string(), z.unknown()).optional(),
  prompt_cache_key: z.string().optional(),
  prompt_cache_retention: z.string().optional(),
  safety_identifier: z.string().optional(),
  // The deprecated functions API: known to OpenAI, so refused by name below, not as unknown.
  functions: z.array(z.unknown()).optional(),
  function_call: z.unknown().optional(),
});

/** A checked chat request, in OpenAI's own field names (an OpenAI channel gets it as is). */
export type ChatRequest =
  & Omit<z.infer<typeof bodySchema>, "messages" | "functions" | "function_call">
  & {
    messages: ChatMessage[];
  };

const KNOWN_PARAMS = new Set(Object.keys(bodySchema.shape));
const ROLES = ["system", "assistant", "user", "function", "tool", "developer"];

// [min, max] of each numeric parameter, as OpenAI documents them.
const RANGES: Record<string, [number, number]> = {
  frequency_penalty: [-2, 2],
  presence_penalty: [-2, 2],
  temperature: [0, 2],
  top_p: [0, 1],
  top_logprobs: [0, 20],
  max_tokens: [1, Number.MAX_SAFE_INTEGER],
  max_completion_tokens: [1, Number.MAX_SAFE_INTEGER],
  n: [1, 128],
};

/** Validates a parsed JSON body; throws ApiError 400 in OpenAI's words. */
export function parseChatRequest(body: unknown): ChatRequest {
  const fields = withoutNulls(requireObjectBody(body));
  const unknown = Object.keys(fields).find((key) => !KNOWN_PARAMS.has(key));
  if (unknown !== undefined) {
    throw new ApiError(
      400,
      `Unrecognized request argument supplied: ${unknown}`,
      "invalid_request_error",
    );
  }
  if (fields.model === undefined) {
    throw new ApiError(400, "you must provide a model parameter", "invalid_request_error");
  }
  const parsed = bodySchema.safeParse(fields);
  if (!parsed.success) throw shapeError(parsed.error.issues[0], fields);
  const { functions: _functions, function_call: _functionCall, ...b } = parsed.data;
  if (_functions !== undefined || _functionCall !== undefined) {
    const param = _functions !== undefined ? "functions" : "function_call";
    throw ApiError.invalidValue(
      param,
      `'${param}' is the deprecated functions API, which is not supported here; use 'tools' and 'tool_choice' instead.`,
    );
  }
  checkRanges(b);
  const messages = b.messages.map((message, i) => parseMessage(message, i));
  const request: ChatRequest = { ...b, messages };
  checkAcrossFields(request);
  return request;
}

function parseMessage(value: unknown, index: number): ChatMessage {
  const at = `messages[${index}]`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidType(at, "an object", value);
  }
  const message = withoutNulls(value as Record<string, unknown>);
  const role = message.role;
  if (role === undefined) {
    throw missingParameter(`${at}.role`);
  }
  if (role === "function") {
    throw ApiError.invalidValue(
      `${at}.role`,
      "Messages with role 'function' belong to the deprecated functions API, which is not supported here; use role 'tool' with 'tool_call_id'.",
    );
  }
  if (typeof role !== "string" || !(role in messageSchemas)) {
    throw ApiError.invalidValue(
      `${at}.role`,
      unsupported(role, ROLES),
    );
  }
  const schema = messageSchemas[role as keyof typeof messageSchemas];
  const parsed = schema.safeParse(message);
  if (!parsed.success) throw shapeError(parsed.error.issues[0], message, at);
  const checked = parsed.data as ChatMessage;
  if (
    checked.role === "assistant" && checked.content === undefined && !checked.tool_calls?.length
  ) {
    throw missingParameter(`${at}.content`);
  }
  return checked;
}

function checkRanges(b: Record<string, unknown>) {
  for (const [param, [min, max]] of Object.entries(RANGES)) {
    const value = b[param];
    if (typeof value !== "number") continue;
    const kind = Number.isInteger(value) && (param === "n" || param.includes("tokens") ||
        param === "top_logprobs")
      ? "integer"
      : "decimal";
    if (value < min || value > max) {
      const below = value < min;
      throw new ApiError(
        400,
        `Invalid '${param}': ${kind} ${
          below ? "below minimum" : "above maximum"
        } value. Expected a value ${below ? `>= ${min}` : `<= ${max}`}, but got ${value} instead.`,
        "invalid_request_error",
        `${kind}_${below ? "below_min" : "above_max"}_value`,
        param,
      );
    }
  }
}

function checkAcrossFields(r: ChatRequest) {
  if (r.messages.length === 0) {
    throw new ApiError(
      400,
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      "invalid_request_error",
      "empty_array",
      "messages",
    );
  }
  if (Array.isArray(r.stop) && r.stop.length > 4) {
    throw new ApiError(
      400,
      `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${r.stop.length} instead.`,
      "invalid_request_error",
      "array_above_max_length",
      "stop",
    );
  }
  if (r.stream_options !== undefined && !r.stream) {
    throw new ApiError(
      400,
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      "invalid_request_error",
      null,
      "stream_options",
    );
  }
  if (r.top_logprobs !== undefined && !r.logprobs) {
    throw ApiError.invalidValue(
      "top_logprobs",
      "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
    );
  }
  const names = new Set<string>();
  for (const [i, tool] of (r.tools ?? []).entries()) {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.function.name)) {
      throw ApiError.invalidValue(
        `tools[${i}].function.name`,
        `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.`,
      );
    }
    names.add(tool.function.name);
  }
  if (r.tools && r.tools.length > 128) {
    throw new ApiError(
      400,
      `Invalid 'tools': array too long. Expected an array with maximum length 128, but got an array with length ${r.tools.length} instead.`,
      "invalid_request_error",
      "array_above_max_length",
      "tools",
    );
  }
  const choice = r.tool_choice;
  if (choice !== undefined && choice !== "none" && !r.tools?.length) {
    throw ApiError.invalidValue(
      "tool_choice",
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
    );
  }
  if (typeof choice === "object" && !names.has(choice.function.name)) {
    throw ApiError.invalidValue(
      "tool_choice",
      `Invalid value for 'tool_choice': no function named '${choice.function.name}' was specified in the 'tools' parameter.`,
    );
  }
  if (r.response_format?.type === "json_schema") {
    const name = r.response_format.json_schema.name;
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      throw ApiError.invalidValue(
        "response_format.json_schema.name",
        "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.",
      );
    }
  }
  checkToolReplies(r.messages);
}

/** Each tool message answers a tool call an earlier assistant message made, as OpenAI requires. */
function checkToolReplies(messages: ChatMessage[]) {
  const called = new Set<string>();
  for (const [i, message] of messages.entries()) {
    if (message.role === "assistant") {
      for (const call of message.tool_calls ?? []) called.add(call.id);
    } else if (message.role === "tool" && !called.has(message.tool_call_id)) {
      throw ApiError.invalidValue(
        `messages[${i}].tool_call_id`,
        `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'; no tool call has the id '${message.tool_call_id}'.`,
      );
    }
  }
}

/** Null means "not given" in OpenAI's API (the SDKs send it): drop it before checking shapes. */
function withoutNulls(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
}

/** "messages[0].content[1].type", as OpenAI names a nested parameter. */
function paramName(path: PropertyKey[], prefix = ""): string {
  return path.reduce<string>(
    (name, key) =>
      typeof key === "number" ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key),
    prefix,
  );
}

function valueAt(fields: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === "object"
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined,
    fields,
  );
}

function shapeError(issue: z.core.$ZodIssue, fields: unknown, prefix = ""): ApiError {
  const param = paramName(issue.path, prefix);
  const value = valueAt(fields, issue.path);
  if (issue.code === "invalid_type" && value === undefined) return missingParameter(param);
  if (issue.code === "invalid_type") {
    const expected = issue.expected === "int"
      ? "an integer"
      : issue.expected === "number"
      ? "a decimal"
      : issue.expected === "record"
      ? "an object"
      : `${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`;
    return invalidType(param, expected, value);
  }
  if (issue.code === "invalid_union") {
    const options = (issue as { options?: unknown[] }).options;
    if (options) return ApiError.invalidValue(param, unsupported(value, options));
    // The branch that got furthest says what is wrong (the array branch for an array, …).
    const inner = issue.errors.map((errors) => errors[0]).filter(Boolean)
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (inner && inner.path.length > 0) {
      return shapeError({ ...inner, path: [...issue.path, ...inner.path] }, fields, prefix);
    }
    const expected = issue.errors.map((errors) => errors[0])
      .filter((e) => e?.code === "invalid_type" && e.path.length === 0)
      .map((e) => (e as { expected: string }).expected);
    if (expected.length === issue.errors.length) {
      return invalidType(
        param,
        expected.map((e) => `an ${e}`.replace(/^an (?=[^aeiou])/, "a ")).join(" or "),
        value,
      );
    }
    return ApiError.invalidValue(param, `Invalid value for '${param}': ${JSON.stringify(value)}.`);
  }
  if (issue.code === "invalid_value") {
    return ApiError.invalidValue(param, unsupported(value, issue.values));
  }
  if (issue.code === "unrecognized_keys") {
    return ApiError.invalidValue(
      param,
      `Unrecognized parameter: '${issue.keys[0]}' in '${param}'.`,
    );
  }
  return ApiError.invalidValue(param, `Invalid value for '${param}': ${issue.message}.`);
}

/** "Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'." */
function unsupported(value: unknown, supported: readonly unknown[]): string {
  const quoted = supported.map((v) => `'${String(v)}'`);
  const list = quoted.length > 2
    ? `${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)}`
    : quoted.join(" and ");
  const shown = typeof value === "string" ? `'${value}'` : JSON.stringify(value);
  return `Invalid value: ${shown}. Supported values are: ${list}.`;
}
