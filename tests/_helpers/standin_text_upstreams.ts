// A real HTTP server standing in for Anthropic's Messages API, Gemini's generateContent /
// streamGenerateContent?alt=sse and OpenAI's Chat Completions, on one port. Each test scripts the
// answer: a reply (text, tool calls, usage), slowly or not; an error in the provider's own form; a
// failure mid-stream (an error event, or the connection cut); a blocked prompt; or no answer at
// all.

export type Provider = "anthropic" | "gemini" | "openai";

export type Script =
  | {
    kind: "reply";
    text?: string;
    toolCalls?: { id?: string; name: string; args: Record<string, unknown> }[];
    /** The provider's own stop reason (end_turn, max_tokens, STOP, SAFETY, length, …). */
    stop?: string;
    usage?: {
      /** Prompt tokens read fresh (OpenAI's and Gemini's prompt counts add cacheRead to it). */
      input?: number;
      /** Visible output; by default one token a word. */
      output?: number;
      cacheRead?: number;
      cacheWrite?: number;
      /** Thinking on top of output (Gemini's thoughtsTokenCount; OpenAI's reasoning_tokens). */
      thoughts?: number;
    };
    /** Before the answer's head. */
    delayMs?: number;
    /** The answer waits for this first (a test keeps calls at the upstream until it lets go). */
    until?: Promise<unknown>;
    /** Between streamed events. */
    eventDelayMs?: number;
  }
  | {
    kind: "error";
    status: number;
    type?: string;
    message?: string;
    /** Gemini's ErrorInfo reason; OpenAI's error code. */
    reason?: string;
    /** OpenAI's param: by default "messages" for a 400, else null. */
    param?: string | null;
  }
  | {
    kind: "fail_mid_stream";
    text?: string;
    /** Words sent before failing. */
    afterWords: number;
    /** An error event (each provider's own), or the connection cut. */
    how: "error_event" | "cut";
  }
  /** Gemini: the blockReason; OpenAI: the error code (by default invalid_prompt). */
  | { kind: "blocked"; reason?: string }
  | { kind: "hang" };

export interface RecordedCall {
  provider: Provider;
  path: string;
  stream: boolean;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface StandinTextUpstreams {
  /** Base URL for an Anthropic channel (`/v1/messages` is added by the adapter). */
  anthropicUrl: string;
  /** Base URL for a Gemini channel (`/v1beta/models/…` is added by the adapter). */
  geminiUrl: string;
  /** Base URL for an OpenAI channel, ending in /v1 as the openai SDK's baseURL does. */
  openaiUrl: string;
  calls: RecordedCall[];
  respond: (call: RecordedCall) => Script;
  close(): Promise<void>;
}

export const STANDIN_KEY = "standin-key";
const DEFAULT_TEXT = "Hello from the stand-in upstream.";

export function startStandinTextUpstreams(): StandinTextUpstreams {
  const hanging = new Set<() => void>();
  const upstreams: StandinTextUpstreams = {
    anthropicUrl: "",
    geminiUrl: "",
    openaiUrl: "",
    calls: [],
    respond: () => ({ kind: "reply" }),
    async close() {
      for (const finish of hanging) finish();
      await server.shutdown();
    },
  };
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      const provider = url.pathname === "/anthropic/v1/messages"
        ? "anthropic"
        : url.pathname === "/openai/v1/chat/completions"
        ? "openai"
        : /^\/gemini\/v1beta\/models\/[^/:]+:(generateContent|streamGenerateContent)$/.test(
            url.pathname,
          )
        ? "gemini"
        : null;
      if (request.method !== "POST" || !provider) return new Response("not here", { status: 404 });
      if (!hasKey(provider, request.headers)) {
        return errorResponse(
          provider,
          provider === "gemini"
            ? { kind: "error", status: 400, reason: "API_KEY_INVALID" }
            : { kind: "error", status: 401 },
        );
      }
      const body = await request.json() as Record<string, unknown>;
      const stream = provider !== "gemini"
        ? body.stream === true
        : url.pathname.endsWith(":streamGenerateContent") && url.searchParams.get("alt") === "sse";
      const call: RecordedCall = {
        provider,
        path: url.pathname + url.search,
        stream,
        headers: Object.fromEntries(request.headers),
        body,
      };
      upstreams.calls.push(call);
      const includeUsage =
        (body.stream_options as { include_usage?: unknown } | null)?.include_usage === true;
      const script = upstreams.respond(call);
      switch (script.kind) {
        case "hang":
          await new Promise<void>((resolve) => {
            hanging.add(resolve);
            request.signal.addEventListener("abort", () => resolve());
          });
          return new Response(null, { status: 499 });
        case "error":
          return errorResponse(provider, script);
        case "blocked":
          return provider === "gemini"
            ? geminiBlocked(script.reason ?? "SAFETY", stream)
            : provider === "openai"
            ? openaiBlocked(script.reason ?? "invalid_prompt")
            : replyResponse(provider, stream, { kind: "reply", text: "", stop: "refusal" });
        case "fail_mid_stream":
          return failingStream(provider, script, includeUsage);
        case "reply":
          await script.until;
          await wait(script.delayMs);
          return replyResponse(provider, stream, script, includeUsage);
      }
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  upstreams.anthropicUrl = `${base}/anthropic`;
  upstreams.geminiUrl = `${base}/gemini`;
  upstreams.openaiUrl = `${base}/openai/v1`;
  return upstreams;
}

function hasKey(provider: Provider, headers: Headers): boolean {
  switch (provider) {
    case "anthropic":
      return headers.get("x-api-key") === STANDIN_KEY;
    case "gemini":
      return headers.get("x-goog-api-key") === STANDIN_KEY;
    case "openai":
      return headers.get("authorization") === `Bearer ${STANDIN_KEY}`;
  }
}

const wait = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** The text cut into words, each with the space before it, as models stream. */
function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** Tool arguments split in two, as providers stream them in pieces. */
function halves(json: string): string[] {
  const half = Math.ceil(json.length / 2);
  return [json.slice(0, half), json.slice(half)];
}

function errorResponse(provider: Provider, script: Extract<Script, { kind: "error" }>): Response {
  const { status } = script;
  if (provider === "openai") return openaiError(script);
  if (provider === "anthropic") {
    const type = script.type ?? ANTHROPIC_TYPE[status] ?? "api_error";
    return Response.json({
      type: "error",
      error: { type, message: script.message ?? `stand-in ${type}` },
      request_id: "req_standin",
    }, { status });
  }
  const statusName = GEMINI_STATUS[status] ?? "INTERNAL";
  return Response.json({
    error: {
      code: status,
      message: script.message ??
        (script.reason === "API_KEY_INVALID"
          ? "API key not valid. Please pass a valid API key."
          : `stand-in ${statusName}`),
      status: statusName,
      ...(script.reason
        ? {
          details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: script.reason }],
        }
        : {}),
    },
  }, { status });
}

const ANTHROPIC_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};
const GEMINI_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

type Reply = Extract<Script, { kind: "reply" }>;

function replyResponse(
  provider: Provider,
  stream: boolean,
  script: Reply,
  includeUsage = false,
): Response {
  if (!stream) {
    return Response.json(
      provider === "anthropic"
        ? anthropicMessage(script)
        : provider === "openai"
        ? openaiCompletion(script)
        : geminiWhole(script),
    );
  }
  const events = provider === "anthropic"
    ? anthropicEvents(script)
    : provider === "openai"
    ? openaiEvents(script, includeUsage)
    : geminiEvents(script);
  return sseResponse(events, script.eventDelayMs ?? 0);
}

function sseResponse(
  events: string[],
  delayMs: number,
  tail?: (c: ReadableStreamDefaultController) => void,
) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const event of events) {
        controller.enqueue(encoder.encode(event));
        await wait(delayMs);
      }
      if (tail) tail(controller);
      else controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
}

function anthropicUsage(script: Reply) {
  return {
    input_tokens: script.usage?.input ?? 12,
    cache_creation_input_tokens: script.usage?.cacheWrite ?? 0,
    cache_read_input_tokens: script.usage?.cacheRead ?? 0,
    output_tokens: script.usage?.output ?? words(script.text ?? DEFAULT_TEXT).length,
  };
}

function anthropicBlocks(script: Reply) {
  const text = script.text ?? DEFAULT_TEXT;
  return [
    ...(text ? [{ type: "text" as const, text }] : []),
    ...(script.toolCalls ?? []).map((call, i) => ({
      type: "tool_use" as const,
      id: call.id ?? `toolu_standin_${i}`,
      name: call.name,
      input: call.args,
    })),
  ];
}

function anthropicStop(script: Reply): string {
  return script.stop ?? (script.toolCalls?.length ? "tool_use" : "end_turn");
}

function anthropicMessage(script: Reply) {
  return {
    id: "msg_standin",
    type: "message",
    role: "assistant",
    model: "claude-standin",
    content: anthropicBlocks(script),
    stop_reason: anthropicStop(script),
    stop_sequence: null,
    usage: anthropicUsage(script),
  };
}

function sse(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function anthropicEvents(script: Reply, cutAfterWords?: number): string[] {
  const usage = anthropicUsage(script);
  const events = [
    sse("message_start", {
      message: {
        ...anthropicMessage(script),
        content: [],
        stop_reason: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  for (const block of anthropicBlocks(script)) {
    if (block.type === "text") {
      events.push(sse("content_block_start", { index, content_block: { type: "text", text: "" } }));
      events.push(sse("ping", {}));
      for (const [n, word] of words(block.text).entries()) {
        if (cutAfterWords !== undefined && n >= cutAfterWords) return events;
        events.push(
          sse("content_block_delta", { index, delta: { type: "text_delta", text: word } }),
        );
      }
    } else {
      events.push(sse("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      }));
      for (const partial_json of halves(JSON.stringify(block.input))) {
        events.push(
          sse("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } }),
        );
      }
    }
    events.push(sse("content_block_stop", { index }));
    index++;
  }
  events.push(sse("message_delta", {
    delta: { stop_reason: anthropicStop(script), stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  }));
  events.push(sse("message_stop", {}));
  return events;
}

function geminiUsage(script: Reply, outputSoFar?: number) {
  return {
    promptTokenCount: (script.usage?.input ?? 12) + (script.usage?.cacheRead ?? 0),
    candidatesTokenCount: outputSoFar ?? script.usage?.output ??
      words(script.text ?? DEFAULT_TEXT).length,
    ...(script.usage?.thoughts ? { thoughtsTokenCount: script.usage.thoughts } : {}),
    ...(script.usage?.cacheRead ? { cachedContentTokenCount: script.usage.cacheRead } : {}),
  };
}

function geminiParts(script: Reply) {
  const text = script.text ?? DEFAULT_TEXT;
  return [
    ...(text ? [{ text }] : []),
    ...(script.toolCalls ?? []).map((call) => ({
      functionCall: { name: call.name, args: call.args },
    })),
  ];
}

function geminiWhole(script: Reply) {
  return {
    candidates: [{
      content: { role: "model", parts: geminiParts(script) },
      finishReason: script.stop ?? "STOP",
      index: 0,
    }],
    usageMetadata: geminiUsage(script),
    modelVersion: "gemini-standin",
    responseId: "standin",
  };
}

function geminiEvents(script: Reply, cutAfterWords?: number): string[] {
  const data = (value: unknown) => `data: ${JSON.stringify(value)}\r\n\r\n`;
  const all = words(script.text ?? DEFAULT_TEXT);
  const shown = cutAfterWords === undefined ? all : all.slice(0, cutAfterWords);
  // Usage on every chunk is the running total, as Gemini sends it.
  const events = shown.map((word, n) =>
    data({
      candidates: [{ content: { role: "model", parts: [{ text: word }] }, index: 0 }],
      usageMetadata: geminiUsage(script, n + 1),
    })
  );
  if (cutAfterWords !== undefined) return events;
  const calls = geminiParts({ ...script, text: "" });
  events.push(data({
    candidates: [{
      content: { role: "model", parts: calls.length ? calls : [{ text: "" }] },
      finishReason: script.stop ?? "STOP",
      index: 0,
    }],
    usageMetadata: geminiUsage(script),
  }));
  return events;
}

function geminiBlocked(reason: string, stream: boolean): Response {
  const body = {
    promptFeedback: { blockReason: reason },
    usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
    modelVersion: "gemini-standin",
  };
  return stream ? sseResponse([`data: ${JSON.stringify(body)}\r\n\r\n`], 0) : Response.json(body);
}

function failingStream(
  provider: Provider,
  script: Extract<Script, { kind: "fail_mid_stream" }>,
  includeUsage: boolean,
) {
  const reply: Reply = { kind: "reply", text: script.text ?? DEFAULT_TEXT };
  const events = provider === "anthropic"
    ? anthropicEvents(reply, script.afterWords)
    : provider === "openai"
    ? openaiEvents(reply, includeUsage, script.afterWords)
    : geminiEvents(reply, script.afterWords);
  if (script.how === "error_event") return sseResponse([...events, errorEvent(provider)], 0);
  return sseResponse(events, 0, (controller) => controller.error(new Error("connection cut")));
}

/** How each provider says it failed mid-answer; nothing follows it. */
function errorEvent(provider: Provider): string {
  switch (provider) {
    case "anthropic":
      return sse("error", { error: { type: "overloaded_error", message: "Overloaded" } });
    case "gemini":
      return `data: ${
        JSON.stringify({
          error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" },
        })
      }\r\n\r\n`;
    case "openai":
      // A plain data line with the error envelope (the openai SDK throws it as an APIError).
      return `data: ${
        JSON.stringify({ error: openaiErrorBody({ kind: "error", status: 500 }) })
      }\n\n`;
  }
}

// OpenAI's Chat Completions. Cached tokens are inside prompt_tokens, reasoning tokens inside
// completion_tokens; a stream's chunks carry `usage: null` when include_usage was asked, then one
// last chunk with `choices: []` and the usage, then [DONE].

const OPENAI_HEAD = {
  id: "chatcmpl-standin",
  created: 1_700_000_000,
  model: "gpt-standin",
  service_tier: "default",
  system_fingerprint: "fp_standin",
};

function openaiUsage(script: Reply) {
  const cached = script.usage?.cacheRead ?? 0;
  const reasoning = script.usage?.thoughts ?? 0;
  const prompt = (script.usage?.input ?? 12) + cached;
  const completion = (script.usage?.output ?? words(script.text ?? DEFAULT_TEXT).length) +
    reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function openaiToolCalls(script: Reply) {
  return (script.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_standin_${i}`,
    type: "function" as const,
    function: { name: call.name, arguments: JSON.stringify(call.args) },
  }));
}

function openaiStop(script: Reply): string {
  return script.stop ?? (script.toolCalls?.length ? "tool_calls" : "stop");
}

function openaiCompletion(script: Reply) {
  const calls = openaiToolCalls(script);
  return {
    ...OPENAI_HEAD,
    object: "chat.completion",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: (script.text ?? DEFAULT_TEXT) || null,
        refusal: null,
        annotations: [],
        ...(calls.length ? { tool_calls: calls } : {}),
      },
      logprobs: null,
      finish_reason: openaiStop(script),
    }],
    usage: openaiUsage(script),
  };
}

function openaiEvents(script: Reply, includeUsage: boolean, cutAfterWords?: number): string[] {
  // Every chunk carries obfuscation padding, as OpenAI's do unless include_obfuscation is false.
  const chunk = (choices: unknown[], usage: unknown = null) =>
    `data: ${
      JSON.stringify({
        ...OPENAI_HEAD,
        object: "chat.completion.chunk",
        choices,
        ...(includeUsage ? { usage } : {}),
        obfuscation: "s7X",
      })
    }\n\n`;
  const delta = (value: Record<string, unknown>, finish_reason: string | null = null) =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason }]);
  const events = [delta({ role: "assistant", content: "", refusal: null })];
  for (const [n, word] of words(script.text ?? DEFAULT_TEXT).entries()) {
    if (cutAfterWords !== undefined && n >= cutAfterWords) return events;
    events.push(delta({ content: word }));
  }
  if (cutAfterWords !== undefined) return events;
  for (const [index, call] of openaiToolCalls(script).entries()) {
    events.push(delta({
      tool_calls: [{
        index,
        id: call.id,
        type: "function",
        function: { name: call.function.name, arguments: "" },
      }],
    }));
    for (const piece of halves(call.function.arguments)) {
      events.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  }
  events.push(delta({}, openaiStop(script)));
  if (includeUsage) events.push(chunk([], openaiUsage(script)));
  events.push("data: [DONE]\n\n");
  return events;
}

const OPENAI_ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  400: {
    type: "invalid_request_error",
    code: "invalid_value",
    message: "Invalid value for 'messages': the stand-in refuses it.",
  },
  401: {
    type: "invalid_request_error",
    code: "invalid_api_key",
    message:
      "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
  },
  403: {
    type: "request_forbidden",
    code: "unsupported_country_region_territory",
    message: "Country, region, or territory not supported",
  },
  404: {
    type: "invalid_request_error",
    code: "model_not_found",
    message: "The model `upstream-model` does not exist or you do not have access to it.",
  },
  429: {
    type: "requests",
    code: "rate_limit_exceeded",
    message: "Rate limit reached for requests per min (RPM). Please try again in 1s.",
  },
  500: {
    type: "server_error",
    code: null,
    message: "The server had an error while processing your request. Sorry about that!",
  },
  503: {
    type: "server_error",
    code: null,
    message: "The server is overloaded or not ready yet.",
  },
};

function openaiErrorBody(script: Extract<Script, { kind: "error" }>) {
  const known = OPENAI_ERRORS[script.status] ?? OPENAI_ERRORS[500];
  return {
    message: script.message ?? known.message,
    type: script.type ?? known.type,
    param: script.param !== undefined ? script.param : script.status === 400 ? "messages" : null,
    code: script.reason ?? known.code,
  };
}

function openaiError(script: Extract<Script, { kind: "error" }>): Response {
  return Response.json({ error: openaiErrorBody(script) }, { status: script.status });
}

/**
 * OpenAI refuses a flagged chat prompt with 400 invalid_prompt (param null), whatever the stream
 * flag; content_policy_violation is its older images code, asked for with `reason`.
 */
function openaiBlocked(code: string): Response {
  return openaiError({
    kind: "error",
    status: 400,
    param: null,
    reason: code,
    message: code === "invalid_prompt"
      ? "Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting"
      : "Your request was rejected as a result of our safety system.",
  });
}
