import assert from "node:assert/strict";
import { UpstreamError } from "../types.ts";
import { fromAnthropicMessage } from "./response.ts";

const head = { id: "chatcmpl-test", model: "claude-sonnet-4-5", created: 1_700_000_000 };

// Shapes from Anthropic's Messages API reference (platform.claude.com/docs/en/api/messages):
// a tool_use answer with cache usage.
const toolAnswer = {
  id: "msg_01Aq9w938a90dw8q",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [
    { type: "text", text: "I'll look that up for you." },
    {
      type: "tool_use",
      id: "toolu_01A09q90qw90lq917835lq9",
      name: "get_weather",
      input: { city: "London", units: "celsius" },
    },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: {
    input_tokens: 150,
    output_tokens: 87,
    cache_creation_input_tokens: 20,
    cache_read_input_tokens: 120,
    service_tier: "standard",
  },
};

Deno.test("a tool_use answer becomes tool_calls with JSON arguments, and cache tokens count as prompt", () => {
  const { completion, usage } = fromAnthropicMessage(toolAnswer, head, "claude-1");
  assert.deepEqual(completion, {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "claude-sonnet-4-5",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: "I'll look that up for you.",
        refusal: null,
        tool_calls: [{
          id: "toolu_01A09q90qw90lq917835lq9",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"London","units":"celsius"}' },
        }],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    }],
    usage: {
      prompt_tokens: 290,
      completion_tokens: 87,
      total_tokens: 377,
      prompt_tokens_details: { cached_tokens: 120 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  });
  assert.deepEqual(usage, {
    inputTokens: 150,
    cacheReadTokens: 120,
    cacheWriteTokens: 20,
    outputTokens: 87,
    reasoningTokens: 0,
  });
});

Deno.test("every stop_reason maps to OpenAI's finish_reason", () => {
  const finish = (stop_reason: string | null) =>
    fromAnthropicMessage({ ...toolAnswer, content: [], stop_reason }, head, "c").completion
      .choices[0].finish_reason;
  assert.equal(finish("end_turn"), "stop");
  assert.equal(finish("stop_sequence"), "stop");
  assert.equal(finish("max_tokens"), "length");
  assert.equal(finish("model_context_window_exceeded"), "length");
  assert.equal(finish("tool_use"), "tool_calls");
  assert.equal(finish("refusal"), "content_filter");
  assert.equal(finish("pause_turn"), "stop");
});

Deno.test("text blocks join; thinking and unknown blocks are skipped; no tool calls means no field", () => {
  const { completion } = fromAnthropicMessage(
    {
      ...toolAnswer,
      content: [
        { type: "thinking", thinking: "hmm", signature: "sig" },
        { type: "text", text: "Hello" },
        { type: "text", text: ", world" },
        { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} },
      ],
      stop_reason: "end_turn",
    },
    head,
    "c",
  );
  assert.equal(completion.choices[0].message.content, "Hello, world");
  assert.equal("tool_calls" in completion.choices[0].message, false);
});

Deno.test("a malformed answer or insane token counts are the channel's failure, not billed", () => {
  const unavailable = (error: unknown) =>
    error instanceof UpstreamError && error.kind === "unavailable";
  for (
    const bad of [
      { ...toolAnswer, usage: { input_tokens: -1, output_tokens: 5 } },
      { ...toolAnswer, usage: { input_tokens: 1.5, output_tokens: 5 } },
      { ...toolAnswer, usage: { input_tokens: 2 ** 60, output_tokens: 5 } },
      { ...toolAnswer, usage: { input_tokens: 3 } },
      { ...toolAnswer, content: [{ type: "text" }] },
      { ...toolAnswer, content: [{ type: "tool_use", name: "x", input: {} }] },
      { ...toolAnswer, type: "error" },
      "not an object",
    ]
  ) {
    assert.throws(() => fromAnthropicMessage(bad, head, "c"), unavailable, JSON.stringify(bad));
  }
});
