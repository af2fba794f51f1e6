// The HTTP side every translating text adapter shares: one POST with the channel's deadline,
// a bounded read of a JSON answer, and a stream opened far enough to know it started well.
import type { ChatCompletionChunk, ChunkTranslator } from "../text/chat_response.ts";
import { readSse } from "./sse.ts";
import { malformed } from "./text_errors.ts";
import type { TextChannel, TextStream } from "./text_types.ts";
import { UpstreamError } from "./types.ts";

/** A non-streamed answer is text; far below this. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** An answer's head, with the channel's deadline still running until `disarm()`. */
export interface Posted {
  response: Response;
  /** Stops the deadline (a stream, once open, runs on the caller's signal alone). */
  disarm(): void;
  /** What a failure while reading the body was: the deadline, the caller, or the connection. */
  failure(error: unknown): UpstreamError;
  /** The caller's signal and the channel's deadline (disarmed or not): what stops the reading. */
  signal: AbortSignal;
}

/**
 * POSTs JSON with the channel's deadline on it. Fails as UpstreamError: 499 aborted by the
 * caller, 504 timed out, 502 unreachable; an HTTP error status is left to the caller, who knows
 * the provider's error body.
 */
export function postJson(
  channel: TextChannel,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal,
): Promise<Posted> {
  return sendWithDeadline(channel, signal, (both) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: both,
    }));
}

/**
 * Sends a request with `send` (fetch, or an SDK that answers with a raw Response) under the
 * channel's deadline, which keeps running while the answer is read, until `disarm()`. Errors
 * `send` throws come out as UpstreamError (499 the caller's abort, 504 the deadline, else as
 * `classify` says, by default 502 unreachable).
 */
export async function sendWithDeadline(
  channel: TextChannel,
  signal: AbortSignal,
  send: (signal: AbortSignal) => Promise<Response>,
  classify: (error: unknown) => UpstreamError | null = () => null,
): Promise<Posted> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), channel.timeoutMs);
  const failure = (error: unknown) => {
    clearTimeout(timer);
    if (error instanceof UpstreamError) return error;
    if (signal.aborted) {
      return new UpstreamError("unavailable", `call to channel ${channel.name} was aborted`, 499);
    }
    if (deadline.signal.aborted) {
      return new UpstreamError("unavailable", `channel ${channel.name} timed out`, 504);
    }
    return classify(error) ?? new UpstreamError(
      "unavailable",
      `channel ${channel.name} failed: ${(error as Error)?.message ?? error}`,
      502,
    );
  };
  const both = AbortSignal.any([signal, deadline.signal]);
  try {
    const response = await send(both);
    return { response, disarm: () => clearTimeout(timer), failure, signal: both };
  } catch (error) {
    throw failure(error);
  }
}

/** The body as text, at most `maxBytes`; longer is the channel's failure. */
export async function readText(
  channel: TextChannel,
  { response, disarm, failure }: Posted,
  maxBytes = MAX_ANSWER_BYTES,
): Promise<string> {
  if (!response.body) return "";
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  try {
    for await (const part of response.body) {
      size += part.byteLength;
      if (size > maxBytes) {
        await response.body.cancel().catch(() => {});
        throw new UpstreamError(
          "unavailable",
          `channel ${channel.name} answered over ${maxBytes} bytes`,
          502,
        );
      }
      parts.push(part);
    }
  } catch (error) {
    throw failure(error);
  }
  disarm();
  return await new Blob(parts).text();
}

/** The body as JSON; anything else is the channel's failure. */
export async function readJson(channel: TextChannel, posted: Posted): Promise<unknown> {
  const text = await readText(channel, posted);
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(channel.name, "answer (not JSON)");
  }
}

/**
 * Reads the stream until the translator has given more than the role chunk (or the stream ended),
 * so a failure before any content is thrown here; the rest is read as the caller iterates.
 */
export async function openStream(
  channel: TextChannel,
  { response, disarm, failure, signal }: Posted,
  translator: ChunkTranslator,
): Promise<TextStream> {
  if (!response.body) throw malformed(channel.name, "stream (no body)");
  const events = readSse(response.body, undefined, signal);
  const next = async () => {
    try {
      return await events.next();
    } catch (error) {
      throw failure(error);
    }
  };
  const first: ChatCompletionChunk[] = [];
  let ended = false;
  try {
    while (first.every((chunk) => chunk.choices[0]?.delta.role === "assistant")) {
      const event = await next();
      if (event.done) {
        first.push(...translator.end());
        ended = true;
        break;
      }
      first.push(...translator.push(event.value.data, event.value.event));
    }
  } catch (error) {
    await events.return(undefined);
    throw failure(error);
  }
  disarm();
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    try {
      yield* first;
      if (ended) return;
      while (true) {
        const event = await next();
        if (event.done) break;
        yield* translator.push(event.value.data, event.value.event);
      }
      yield* translator.end();
    } finally {
      await events.return(undefined);
    }
  }
  return { chunks: chunks(), progress: translator };
}

/** `base` joined with `path`, unless the operator's base URL already ends with the version. */
export function endpoint(base: string, version: string, path: string): string {
  const trimmed = base.replace(/\/+$/, "");
  return trimmed.endsWith(`/${version}`) ? `${trimmed}/${path}` : `${trimmed}/${version}/${path}`;
}
