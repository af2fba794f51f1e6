import assert from "node:assert/strict";
import { readSse, SSE_DONE, sseData, type SseEvent } from "./sse.ts";
import { UpstreamError } from "./types.ts";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(chunks: Uint8Array[], max?: number): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSse(streamOf(chunks), max)) events.push(event);
  return events;
}

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("events are read whatever the line endings, with comments skipped and data lines joined", async () => {
  const text = ': keep-alive\r\nevent: message_start\r\ndata: {"a":1}\r\n\r\n' +
    "data: first\ndata: second\n\n" +
    "event: ping\rdata: {}\r\r";
  assert.deepEqual(await collect([bytes(text)]), [
    { event: "message_start", data: '{"a":1}' },
    { data: "first\nsecond" },
    { event: "ping", data: "{}" },
  ]);
});

Deno.test("an event split at every byte, inside a multi-byte character too, reads the same", async () => {
  const text = 'event: content_block_delta\r\ndata: {"text":"你好 👋 héllo"}\r\n\r\n';
  const whole = await collect([bytes(text)]);
  const split = await collect(Array.from(bytes(text), (b) => new Uint8Array([b])));
  assert.deepEqual(split, whole);
  assert.equal(JSON.parse(split[0].data).text, "你好 👋 héllo");
});

Deno.test("an event larger than the bound fails the stream instead of growing memory", async () => {
  const huge = `data: ${"x".repeat(5000)}\n\n`;
  await assert.rejects(
    collect([bytes("data: small\n\n"), bytes(huge)], 1000),
    (error) => error instanceof UpstreamError && error.kind === "unavailable",
  );
  // Without a blank line ever coming, too.
  const endless = Array.from({ length: 50 }, () => bytes(`data: ${"y".repeat(100)}\n`));
  await assert.rejects(collect(endless, 1000), UpstreamError);
});

Deno.test("an unfinished last event is dropped, as the SSE spec says", async () => {
  assert.deepEqual(await collect([bytes("data: done\n\ndata: cut")]), [{ data: "done" }]);
});

Deno.test("our own stream is OpenAI's: data lines with JSON, then [DONE]", () => {
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(decode(sseData({ a: "é" })), 'data: {"a":"é"}\n\n');
  assert.equal(decode(SSE_DONE), "data: [DONE]\n\n");
});

Deno.test("an abort stops reading a body that would go on, with the abort's reason, and cancels the body", async () => {
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes("data: first\n\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  const stop = new AbortController();
  const seen: string[] = [];
  const read = (async () => {
    for await (const event of readSse(endless, undefined, stop.signal)) {
      seen.push(event.data);
      // While the next read waits for bytes that never come.
      setTimeout(() => stop.abort(), 0);
    }
  })();
  await assert.rejects(read, (error: Error) => error.name === "AbortError");
  assert.deepEqual(seen, ["first"]);
  assert.ok(cancelled);
});
