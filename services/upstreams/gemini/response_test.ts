import assert from "node:assert/strict";
import { UpstreamError } from "../types.ts";
import { fromGeminiResponse } from "./response.ts";

const head = { id: "chatcmpl-test", model: "gemini-2.5-flash", created: 1_700_000_000 };

// The response shape of models.generateContent (ai.google.dev/api/generate-content), with thinking
// tokens and cached content as gemini-2.5 reports them.
const answer = {
  candidates: [{
    content: {
      parts: [
        { text: "Thinking about weather…", thought: true },
        { text: "Paris is " },
        { text: "sunny." },
      ],
      role: "model",
    },
    finishReason: "STOP",
    index: 0,
    safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" }],
  }],
  usageMetadata: {
    promptTokenCount: 120,
    candidatesTokenCount: 8,
    thoughtsTokenCount: 40,
    cachedContentTokenCount: 100,
    totalTokenCount: 168,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: 120 }],
  },
  modelVersion: "gemini-2.5-flash",
  responseId: "tTCwacuEBMvnitYP06qsgQY",
};

Deno.test("text parts join, thoughts are left out but billed as output, cached tokens are inside prompt", () => {
  const { completion, usage } = fromGeminiResponse(answer, head, "gemini-1");
  assert.equal(completion.choices[0].message.content, "Paris is sunny.");
  assert.equal(completion.choices[0].finish_reason, "stop");
  assert.equal(completion.model, "gemini-2.5-flash");
  assert.deepEqual(usage, {
    inputTokens: 20,
    cacheReadTokens: 100,
    cacheWriteTokens: 0,
    outputTokens: 48,
    reasoningTokens: 40,
  });
  assert.deepEqual(completion.usage, {
    prompt_tokens: 120,
    completion_tokens: 48,
    total_tokens: 168,
    prompt_tokens_details: { cached_tokens: 100 },
    completion_tokens_details: { reasoning_tokens: 40 },
  });
});

Deno.test("function calls become tool_calls (with an id made when Gemini gives none)", () => {
  const { completion } = fromGeminiResponse(
    {
      candidates: [{
        content: {
          role: "model",
          parts: [
            {
              functionCall: { name: "get_weather", args: { city: "Paris" } },
              thoughtSignature: "CiQBVKhc7…",
            },
            { functionCall: { name: "now", id: "fc_7" } },
          ],
        },
        finishReason: "STOP",
      }],
      usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 12 },
    },
    head,
    "gemini-1",
  );
  const message = completion.choices[0].message;
  assert.equal(message.content, null);
  assert.equal(completion.choices[0].finish_reason, "tool_calls");
  assert.match(message.tool_calls![0].id, /^call_[A-Za-z0-9]{24}$/);
  assert.deepEqual(message.tool_calls!.map((c) => c.function), [
    { name: "get_weather", arguments: '{"city":"Paris"}' },
    { name: "now", arguments: "{}" },
  ]);
  assert.equal(message.tool_calls![1].id, "fc_7");
});

Deno.test("finish reasons: MAX_TOKENS is length, every safety stop is content_filter", () => {
  const finish = (finishReason: string) =>
    fromGeminiResponse(
      {
        candidates: [{ content: { parts: [] }, finishReason }],
      },
      head,
      "g",
    ).completion.choices[0].finish_reason;
  assert.equal(finish("STOP"), "stop");
  assert.equal(finish("MAX_TOKENS"), "length");
  for (const reason of ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"]) {
    assert.equal(finish(reason), "content_filter", reason);
  }
  assert.equal(finish("OTHER"), "stop");
  assert.equal(finish("MALFORMED_FUNCTION_CALL"), "stop");
});

Deno.test("a blocked prompt (HTTP 200, promptFeedback.blockReason) is a free policy refusal", () => {
  const blocked = {
    promptFeedback: {
      blockReason: "PROHIBITED_CONTENT",
      safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH" }],
    },
    usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
    modelVersion: "gemini-2.5-flash",
  };
  assert.throws(() => fromGeminiResponse(blocked, head, "g"), (error) => {
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.kind, "refused");
    assert.equal(error.status, 400);
    assert.equal(error.body?.code, "content_policy_violation");
    assert.equal(error.body?.type, "invalid_request_error");
    assert.match(error.body!.message, /blocked by Google's safety system \(PROHIBITED_CONTENT\)/);
    assert.match(error.body!.message, /Nothing was charged/);
    return true;
  });
});

Deno.test("a malformed answer or insane counts are the channel's failure", () => {
  for (
    const bad of [
      { candidates: [] },
      {},
      { candidates: [{ content: { parts: [{ text: 5 }] }, finishReason: "STOP" }] },
      { ...answer, usageMetadata: { promptTokenCount: -3 } },
      { ...answer, usageMetadata: { candidatesTokenCount: 0.5 } },
    ]
  ) {
    assert.throws(
      () => fromGeminiResponse(bad, head, "g"),
      (e) => e instanceof UpstreamError && e.kind === "unavailable",
      JSON.stringify(bad),
    );
  }
});
