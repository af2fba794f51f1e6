import assert from "node:assert/strict";
import { type ChatCompletionChunk, ChunkBuilder } from "../../text/chat_response.ts";
import { UpstreamError } from "../types.ts";
import { GeminiChunks } from "./stream.ts";

const head = { id: "chatcmpl-test", model: "gemini-2.5-flash", created: 1_700_000_000 };

function run(datas: unknown[], includeUsage: boolean) {
  const translator = new GeminiChunks(new ChunkBuilder(head, includeUsage), "gemini-1");
  const chunks: ChatCompletionChunk[] = [];
  for (const data of datas) chunks.push(...translator.push(JSON.stringify(data)));
  chunks.push(...translator.end());
  return { chunks, translator };
}

// A streamGenerateContent?alt=sse answer as Gemini sends it (ai.google.dev/api/generate-content,
// models.streamGenerateContent): usageMetadata on every chunk is the running total so far.
const STREAM = [
  {
    candidates: [{ content: { parts: [{ text: "Paris" }], role: "model" }, index: 0 }],
    usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 1, totalTokenCount: 12 },
    modelVersion: "gemini-2.5-flash",
    responseId: "mZKjaP7x",
  },
  {
    candidates: [{ content: { parts: [{ text: " is the capital." }], role: "model" }, index: 0 }],
    usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 5, totalTokenCount: 16 },
  },
  {
    candidates: [{
      content: { parts: [{ text: "", thoughtSignature: "AY89a18i" }], role: "model" },
      finishReason: "STOP",
      index: 0,
    }],
    usageMetadata: {
      promptTokenCount: 11,
      candidatesTokenCount: 6,
      thoughtsTokenCount: 30,
      totalTokenCount: 47,
    },
  },
];

Deno.test("a text stream: role, deltas, finish, and the usage of the LAST chunk (not the sum)", () => {
  const { chunks, translator } = run(STREAM, true);
  assert.deepEqual(chunks.map((c) => [c.choices[0]?.delta, c.choices[0]?.finish_reason]), [
    [{ role: "assistant", content: "", refusal: null }, null],
    [{ content: "Paris" }, null],
    [{ content: " is the capital." }, null],
    [{}, "stop"],
    [undefined, undefined],
  ]);
  assert.deepEqual(chunks.at(-1)!.usage, {
    prompt_tokens: 11,
    completion_tokens: 36,
    total_tokens: 47,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 30 },
  });
  assert.deepEqual(chunks.at(-1)!.choices, []);
  assert.equal(translator.usage.outputTokens, 36);
  assert.equal(translator.deliveredBytes, 21);
});

Deno.test("streamed function calls are whole tool calls, each with its own index", () => {
  const { chunks, translator } = run([
    {
      candidates: [{
        content: {
          role: "model",
          parts: [
            { functionCall: { name: "get_weather", args: { city: "Paris" } } },
            { functionCall: { name: "get_weather", args: { city: "Rome" } } },
          ],
        },
        finishReason: "STOP",
      }],
      usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 10 },
    },
  ], false);
  const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
  assert.deepEqual(calls.map((c) => [c.index, c.function]), [
    [0, { name: "get_weather", arguments: '{"city":"Paris"}' }],
    [1, { name: "get_weather", arguments: '{"city":"Rome"}' }],
  ]);
  assert.ok(calls.every((c) => c.type === "function" && c.id?.startsWith("call_")));
  assert.equal(translator.finishReason, "tool_calls");
  assert.ok(chunks.every((c) => !("usage" in c)));
});

Deno.test("a blocked prompt as the single stream event is a policy refusal, before any chunk", () => {
  const translator = new GeminiChunks(new ChunkBuilder(head, true), "gemini-1");
  assert.throws(
    () =>
      translator.push(JSON.stringify({
        promptFeedback: { blockReason: "SAFETY" },
        usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 },
      })),
    (e) =>
      e instanceof UpstreamError && e.kind === "refused" &&
      e.body?.code === "content_policy_violation",
  );
});

Deno.test("a safety stop mid-answer finishes with content_filter", () => {
  const { translator } = run([
    STREAM[0],
    { candidates: [{ content: { parts: [] }, finishReason: "SAFETY" }] },
  ], false);
  assert.equal(translator.finishReason, "content_filter");
});

Deno.test("an error object mid-stream, or a stream cut before its finish, is a failure", () => {
  const translator = new GeminiChunks(new ChunkBuilder(head, false), "gemini-1");
  translator.push(JSON.stringify(STREAM[0]));
  assert.equal(translator.usage.inputTokens, 11);
  assert.throws(
    () => translator.end(),
    (e) => e instanceof UpstreamError && e.kind === "unavailable",
  );
  assert.throws(
    () =>
      translator.push(JSON.stringify({
        error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" },
      })),
    (e) => e instanceof UpstreamError && e.kind === "unavailable" && e.status === 503,
  );
  assert.throws(() => translator.push("not json"), UpstreamError);
});
