// Server-sent events both ways. Reading: an upstream's byte stream into events, with
// eventsource-parser (CRLF, multi-line data, comments, chunks split anywhere) behind a streaming
// UTF-8 decoder (a character split across chunks), and a bound on one event's size so an upstream
// that never ends an event cannot grow our memory (lines with unknown fields are ignored, as the
// spec says). Writing: OpenAI's format for our answers,
// `data: {json}\n\n` for each chunk and `data: [DONE]\n\n` at the end.
import { EventSourceParserStream } from "eventsource-parser/stream";
import { UpstreamError } from "./types.ts";

export interface SseEvent {
  /** The `event:` field; absent for the default "message" event. */
  event?: string;
  data: string;
}

/** A streamed event carries one delta: far below this. */
export const MAX_EVENT_CHARS = 4 * 1024 * 1024;

/**
 * The events of an SSE body, in order. Throws UpstreamError for an oversized event, and the
 * reason of `signal` once it aborts.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  maxEventChars = MAX_EVENT_CHARS,
  signal?: AbortSignal,
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const text = new TransformStream<Uint8Array, string>({
    transform: (chunk, controller) => controller.enqueue(decoder.decode(chunk, { stream: true })),
    flush: (controller) => controller.enqueue(decoder.decode()),
  });
  const events = body
    .pipeThrough(text)
    .pipeThrough(new EventSourceParserStream({ maxBufferSize: maxEventChars }));
  const reader = events.getReader();
  // The fetch's own signal does not always reach a body being read (Deno 2.9.6: a drain's or a
  // deadline's abort was lost, and the upstream read on), so an abort cancels the read here.
  signal?.throwIfAborted();
  const stop = () => reader.cancel(signal!.reason).catch(() => {});
  signal?.addEventListener("abort", stop, { once: true });
  const tooLarge = () =>
    new UpstreamError(
      "unavailable",
      `upstream sent an event over ${maxEventChars} characters`,
      502,
    );
  try {
    while (true) {
      let next: ReadableStreamReadResult<{ event?: string; data: string }>;
      try {
        next = await reader.read();
      } catch (error) {
        if ((error as { type?: string })?.type === "max-buffer-size-exceeded") throw tooLarge();
        throw error;
      }
      if (next.done) {
        signal?.throwIfAborted();
        return;
      }
      // The parser bounds what it holds between reads; an event that came whole in one read is
      // checked here.
      if (next.value.data.length > maxEventChars) throw tooLarge();
      const { event, data } = next.value;
      yield event ? { event, data } : { data };
    }
  } finally {
    signal?.removeEventListener("abort", stop);
    // Leaving early (a client gone, an error) must close the upstream connection too.
    await reader.cancel().catch(() => {});
  }
}

const encoder = new TextEncoder();

/** One event of our own stream: a chunk, or an error envelope ending it. */
export function sseData(value: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
}

/** The stream's last line, as OpenAI ends every stream. */
export const SSE_DONE: Uint8Array = encoder.encode("data: [DONE]\n\n");

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
} as const;
