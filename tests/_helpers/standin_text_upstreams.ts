// A real HTTP server standing in for Anthropic's Messages API and Gemini's generateContent /
// streamGenerateContent?alt=sse, on one port. Each test scripts the answer: a reply (text, tool
// calls, usage), slowly or not; an error in the provider's own form; a failure mid-stream (an
// error event, or the connection cut); a blocked prompt; or no answer at all.

export type Provider = "anthropic" | "gemini";

export type Script =
  | {
    kind: "reply";
    text?: string;
    toolCalls?: { id?: string; name: string; args: Record<string, unknown> }[];
    /** The provider's own stop reason (end_turn, max_tokens, STOP, SAFETY, …). */
    stop?: string;
    usage?: {
      input?: number;
      output?: number;
      cacheRead?: number;
      cacheWrite?: number;
      thoughts?: number;
    };
    /** Before the answer's head. */
    delayMs?: number;
    /** Between streamed events. */
    eventDelayMs?: number;
  }
  | { kind: "error"; status: number; type?: string; message?: string; reason?: string }
  | {
    kind: "fail_mid_stream";
    text?: string;
    /** Words sent before failing. */
    afterWords: number;
    /** An error event of this type (Anthropic) / code (Gemini), or the connection cut. */
    how: "error_event" | "cut";
  }
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
        : /^\/gemini\/v1beta\/models\/[^/:]+:(generateContent|streamGenerateContent)$/.test(
            url.pathname,
          )
        ? "gemini"
        : null;
      if (request.method !== "POST" || !provider) return new Response("not here", { status: 404 });
      const key = request.headers.get(provider === "anthropic" ? "x-api-key" : "x-goog-api-key");
      if (key !== STANDIN_KEY) {
        return provider === "anthropic"
          ? errorResponse("anthropic", { kind: "error", status: 401, type: "authentication_error" })
          : errorResponse("gemini", { kind: "error", status: 400, reason: "API_KEY_INVALID" });
      }
      const body = await request.json() as Record<string, unknown>;
      const stream = provider === "anthropic"
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
            : replyResponse(provider, stream, { kind: "reply", text: "", stop: "refusal" });
        case "fail_mid_stream":
          return failingStream(provider, script);
        case "reply":
          await wait(script.delayMs);
          return replyResponse(provider, stream, script);
      }
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  upstreams.anthropicUrl = `${base}/anthropic`;
  upstreams.geminiUrl = `${base}/gemini`;
  return upstreams;
}

const wait = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** The text cut into words, each with the space before it, as models stream. */
function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

function errorResponse(provider: Provider, script: Extract<Script, { kind: "error" }>): Response {
  const { status } = script;
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

function replyResponse(provider: Provider, stream: boolean, script: Reply): Response {
  const events = provider === "anthropic" ? anthropicEvents(script) : geminiEvents(script);
  if (!stream) {
    return Response.json(provider === "anthropic" ? anthropicMessage(script) : geminiWhole(script));
  }
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
      // Arguments split in two, as Anthropic streams them.
      const json = JSON.stringify(block.input);
      const half = Math.ceil(json.length / 2);
      for (const partial_json of [json.slice(0, half), json.slice(half)]) {
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

function failingStream(provider: Provider, script: Extract<Script, { kind: "fail_mid_stream" }>) {
  const reply: Reply = { kind: "reply", text: script.text ?? DEFAULT_TEXT };
  const events = provider === "anthropic"
    ? anthropicEvents(reply, script.afterWords)
    : geminiEvents(reply, script.afterWords);
  if (script.how === "error_event") {
    events.push(
      provider === "anthropic"
        ? sse("error", { error: { type: "overloaded_error", message: "Overloaded" } })
        : `data: ${
          JSON.stringify({
            error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" },
          })
        }\r\n\r\n`,
    );
    return sseResponse(events, 0);
  }
  return sseResponse(events, 0, (controller) => controller.error(new Error("connection cut")));
}
