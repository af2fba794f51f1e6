// A real HTTP server standing in for an OpenAI-compatible image provider. Each test decides how
// it answers: OK, slowly, 5xx, 429, malformed JSON, a moderation block, or any answer at all (a
// hostile one); and what it serves at GET /files/<name> (image URLs).
import { paint } from "../../services/upstreams/demo/painter.ts";

export type Behaviour =
  | {
    kind: "ok";
    delayMs?: number;
    /** Answers only once this settles (a test holds the call open while it looks). */
    until?: Promise<unknown>;
    images?: number;
    size?: string;
    quality?: string;
    usage?: boolean;
  }
  | {
    kind: "status";
    status: number;
    code?: string;
    type?: string;
    message?: string;
    delayMs?: number;
  }
  | { kind: "moderation_blocked" }
  | { kind: "content_policy_violation" }
  | { kind: "malformed" }
  | { kind: "not_an_image" }
  | { kind: "hang" }
  | { kind: "answer"; status?: number; body: unknown };

export interface StandinUpstream {
  url: string;
  /** Bodies of the calls received, in order. */
  calls: Record<string, unknown>[];
  respond: (body: Record<string, unknown>) => Behaviour;
  /** What GET /files/<name> answers; requests for them are counted in `fileRequests`. */
  files: Map<string, () => Response>;
  fileRequests: string[];
  close(): Promise<void>;
}

const painted = new Map<string, Uint8Array>();

/** A real image of `size` ("WxH") in `format`, as a provider would make it. */
export async function standinImage(size: string, format = "png", index = 0): Promise<Uint8Array> {
  const key = `${size}|${format}|${index}`;
  if (!painted.has(key)) {
    const [width, height] = size.split("x").map(Number);
    const [bytes] = await paint({
      prompt: `stand-in ${index}`,
      width,
      height,
      format: format as "png",
      background: "opaque",
      compression: 90,
      n: 1,
    });
    painted.set(key, bytes);
  }
  return painted.get(key)!;
}

async function imageB64(size: string, format: string, index: number): Promise<string> {
  return (await standinImage(size, format, index)).toBase64();
}

export function startStandinUpstream(): StandinUpstream {
  const hanging = new Set<() => void>();
  const upstream: StandinUpstream = {
    url: "",
    calls: [],
    respond: () => ({ kind: "ok" }),
    files: new Map(),
    fileRequests: [],
    async close() {
      for (const finish of hanging) finish();
      await server.shutdown();
    },
  };
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      const file = /^\/files\/(.+)$/.exec(new URL(request.url).pathname)?.[1];
      if (request.method === "GET" && file !== undefined) {
        upstream.fileRequests.push(file);
        return upstream.files.get(file)?.() ?? new Response("no such file", { status: 404 });
      }
      if (
        request.method !== "POST" || !new URL(request.url).pathname.endsWith("/images/generations")
      ) {
        return Response.json({
          error: { message: "not here", type: "invalid_request_error", param: null, code: null },
        }, { status: 404 });
      }
      if (request.headers.get("authorization") !== "Bearer sk-standin") {
        return Response.json({
          error: {
            message: "Incorrect API key provided",
            type: "invalid_request_error",
            param: null,
            code: "invalid_api_key",
          },
        }, { status: 401 });
      }
      const body = await request.json() as Record<string, unknown>;
      upstream.calls.push(body);
      const behaviour = upstream.respond(body);
      const wait = (ms = 0) => new Promise((r) => setTimeout(r, ms));
      switch (behaviour.kind) {
        case "hang":
          await new Promise<void>((resolve) => {
            hanging.add(resolve);
            request.signal.addEventListener("abort", () => resolve());
          });
          return new Response(null, { status: 499 });
        case "answer":
          return Response.json(behaviour.body, { status: behaviour.status ?? 200 });
        case "not_an_image":
          return Response.json({ created: 1, data: [{ b64_json: btoa("this is not an image") }] });
        case "malformed":
          return new Response('{"created": 1, "data": [{"b64_json": "', {
            headers: { "content-type": "application/json" },
          });
        case "moderation_blocked":
          return Response.json({
            error: {
              message: "Your request was rejected by the safety system.",
              type: "image_generation_user_error",
              param: null,
              code: "moderation_blocked",
              moderation_details: { moderation_stage: "input", categories: ["violence"] },
            },
          }, { status: 400 });
        case "content_policy_violation":
          return Response.json({
            error: {
              message: "Your request was rejected as a result of our safety system.",
              type: "invalid_request_error",
              param: null,
              code: "content_policy_violation",
            },
          }, { status: 400 });
        case "status":
          await wait(behaviour.delayMs);
          return Response.json({
            error: {
              message: behaviour.message ?? `stand-in says ${behaviour.status}`,
              type: behaviour.type ?? "server_error",
              param: null,
              code: behaviour.code ?? null,
            },
          }, { status: behaviour.status });
        case "ok": {
          await wait(behaviour.delayMs);
          await behaviour.until;
          const size = behaviour.size ??
            (body.size === "auto" || !body.size ? "1024x1024" : String(body.size));
          const format = String(body.output_format ?? "png");
          const count = behaviour.images ?? Number(body.n ?? 1);
          const data = await Promise.all(
            Array.from(
              { length: count },
              async (_, i) => ({ b64_json: await imageB64(size, format, i) }),
            ),
          );
          return Response.json({
            created: Math.floor(Date.now() / 1000),
            data,
            background: body.background === "transparent" ? "transparent" : "opaque",
            output_format: format,
            quality: behaviour.quality ??
              (body.quality === "auto" || !body.quality ? "medium" : body.quality),
            size,
            ...(behaviour.usage === false ? {} : {
              usage: {
                input_tokens: 12,
                input_tokens_details: { text_tokens: 12, image_tokens: 0 },
                output_tokens: 1056 * count,
                total_tokens: 12 + 1056 * count,
              },
            }),
          });
        }
      }
    },
  );
  upstream.url = `http://127.0.0.1:${server.addr.port}/v1`;
  return upstream;
}
