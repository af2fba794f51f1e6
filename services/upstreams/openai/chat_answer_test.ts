import assert from "node:assert/strict";
import { fromOpenAICompletion, OpenAIChunks } from "./chat_answer.ts";
import { UpstreamError } from "../types.ts";

const head = { id: "chatcmpl-ours", model: "gpt-5.1", created: 1_700_000_000 };

// The shape of platform.openai.com's chat completion object, with cached and reasoning tokens.
const upstreamCompletion = {
  id: "chatcmpl-theirs",
  object: "chat.completion",
  created: 1,
  model: "gpt-5.1-2025-11-13",
  system_fingerprint: "fp_x",
  internal_org: "org-secret",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "Hello!", refusal: null, annotations: [] },
      finish_reason: "stop",
    },
    {
      index: 1,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "call_1",
          type: "function",
          function: { name: "weather", arguments: '{"city":"Paris"}' },
        }],
      },
      finish_reason: "tool_calls",
    },
  ],
  usage: {
    prompt_tokens: 1200,
    completion_tokens: 300,
    total_tokens: 1500,
    prompt_tokens_details: { cached_tokens: 1000 },
    completion_tokens_details: { reasoning_tokens: 120 },
  },
};

Deno.test("a completion is rebuilt under our head, choices and tool calls kept, usage split", () => {
  const { completion, usage } = fromOpenAICompletion(upstreamCompletion, head, "openai-main");
  assert.equal(completion.id, "chatcmpl-ours");
  assert.equal(completion.model, "gpt-5.1");
  assert.equal("internal_org" in completion, false);
  assert.equal(completion.choices.length, 2);
  assert.equal(completion.choices[0].message.content, "Hello!");
  assert.equal(completion.choices[1].finish_reason, "tool_calls");
  assert.deepEqual(completion.choices[1].message.tool_calls, [{
    id: "call_1",
    type: "function",
    function: { name: "weather", arguments: '{"city":"Paris"}' },
  }]);
  // Cached tokens are inside OpenAI's prompt_tokens: fresh input is the rest.
  assert.deepEqual(usage, {
    inputTokens: 200,
    cacheReadTokens: 1000,
    cacheWriteTokens: 0,
    outputTokens: 300,
    reasoningTokens: 120,
  });
  assert.equal(completion.usage.prompt_tokens, 1200);
  assert.equal(completion.usage.prompt_tokens_details.cached_tokens, 1000);
});

Deno.test("a completion without usage, or with nonsense counts, is the channel's failure", () => {
  for (
    const body of [
      { ...upstreamCompletion, usage: undefined },
      { ...upstreamCompletion, usage: { prompt_tokens: -1, completion_tokens: 3 } },
      { ...upstreamCompletion, usage: { prompt_tokens: 1.5, completion_tokens: 3 } },
      { ...upstreamCompletion, choices: [] },
      "not an object",
    ]
  ) {
    assert.throws(
      () => fromOpenAICompletion(body, head, "openai-main"),
      (e) => e instanceof UpstreamError && e.kind === "unavailable",
    );
  }
});

const chunk = (choices: unknown[], usage: unknown = null) =>
  JSON.stringify({
    id: "x",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices,
    usage,
  });

Deno.test("a stream is re-chunked under our head; usage is kept for the bill and shown only when asked", () => {
  for (const includeUsage of [true, false]) {
    const t = new OpenAIChunks(head, includeUsage, "openai-main");
    const out = [
      ...t.push(chunk([{ index: 0, delta: { role: "assistant", content: "" } }])),
      ...t.push(chunk([{ index: 0, delta: { content: "Hi 你好" } }])),
      ...t.push(chunk([{
        index: 0,
        delta: {
          tool_calls: [{
            index: 0,
            id: "call_9",
            type: "function",
            function: { name: "f", arguments: "" },
          }],
        },
      }])),
      ...t.push(
        chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "{}" } }] } }]),
      ),
      ...t.push(chunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }])),
      ...t.push(chunk([], { prompt_tokens: 10, completion_tokens: 4 })),
      ...t.push("[DONE]"),
      ...t.end(),
    ];
    assert.ok(out.every((c) => c.id === "chatcmpl-ours" && c.model === "gpt-5.1"));
    assert.equal(out[1].choices[0].delta.content, "Hi 你好");
    assert.equal(out[2].choices[0].delta.tool_calls?.[0].id, "call_9");
    assert.equal(out[3].choices[0].delta.tool_calls?.[0].function.arguments, "{}");
    assert.equal(t.finishReason, "tool_calls");
    assert.equal(t.usage.outputTokens, 4);
    assert.equal(t.deliveredBytes, "Hi 你好".length + 4 + 1 + 2);
    const last = out.at(-1)!;
    if (includeUsage) {
      assert.deepEqual(last.choices, []);
      assert.equal(last.usage?.prompt_tokens, 10);
      assert.ok(out.slice(0, -1).every((c) => c.usage === null));
    } else {
      assert.ok(out.every((c) => !("usage" in c)));
    }
  }
});

Deno.test("a stream cut before [DONE], or ending without usage, is the channel's failure", () => {
  const cut = new OpenAIChunks(head, false, "openai-main");
  cut.push(chunk([{ index: 0, delta: { content: "Hel" } }]));
  assert.throws(() => cut.end(), /ended its stream before \[DONE\]/);
  const noUsage = new OpenAIChunks(head, false, "openai-main");
  noUsage.push(chunk([{ index: 0, delta: { content: "Hi" }, finish_reason: "stop" }]));
  noUsage.push("[DONE]");
  assert.throws(() => noUsage.end(), /no usage/);
});

Deno.test("an error event in a stream is the channel's failure, in the upstream's words", () => {
  const t = new OpenAIChunks(head, false, "openai-main");
  t.push(chunk([{ index: 0, delta: { content: "Hel" } }]));
  const error = {
    message: "The server had an error while processing your request. Sorry about that!",
    type: "server_error",
    param: null,
    code: null,
  };
  assert.throws(
    () => t.push(JSON.stringify({ error })),
    (e) =>
      e instanceof UpstreamError && e.kind === "unavailable" &&
      e.message.includes("The server had an error") && e.body?.message === error.message,
  );
});
