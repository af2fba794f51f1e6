import assert from "node:assert/strict";
import { parseChatRequest } from "../../text/chat_request.ts";
import { UpstreamError } from "../types.ts";
import { toAnthropicRequest } from "./request.ts";

const translate = (body: Record<string, unknown>, stream = false) =>
  toAnthropicRequest(parseChatRequest({ model: "claude-sonnet-4-5", ...body }), {
    model: "claude-sonnet-4-5-20250929",
    maxTokens: 4096,
    stream,
  });

const refusal = (param: string) => (error: unknown) =>
  error instanceof UpstreamError && error.kind === "refused" && error.body?.param === param;

Deno.test("system and developer messages all become the top-level system, in order", () => {
  const body = translate({
    messages: [
      { role: "system", content: "You are terse." },
      { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
      { role: "user", content: "Hello" },
      { role: "system", content: "Never use emoji." },
    ],
  });
  assert.deepEqual(body.system, [
    { type: "text", text: "You are terse." },
    { type: "text", text: "Answer in French." },
    { type: "text", text: "Never use emoji." },
  ]);
  assert.deepEqual(body.messages, [{ role: "user", content: [{ type: "text", text: "Hello" }] }]);
  assert.equal(body.model, "claude-sonnet-4-5-20250929");
  assert.equal(body.max_tokens, 4096);
  assert.equal(body.stream, undefined);
  assert.equal(translate({ messages: [{ role: "user", content: "x" }] }, true).stream, true);
});

Deno.test("neighbouring turns of one role merge, and empty text never goes out", () => {
  const body = translate({
    messages: [
      { role: "user", content: "one" },
      { role: "user", content: [{ type: "text", text: "two" }, { type: "text", text: "" }] },
      { role: "assistant", content: "" },
      { role: "assistant", content: "three" },
    ],
  });
  assert.deepEqual(body.messages, [
    { role: "user", content: [{ type: "text", text: "one" }, { type: "text", text: "two" }] },
    { role: "assistant", content: [{ type: "text", text: "three" }] },
  ]);
});

Deno.test("tool calls become tool_use blocks and tool replies one user turn of tool_result blocks", () => {
  const body = translate({
    tools: [{
      type: "function",
      function: { name: "get_weather", parameters: { type: "object" } },
    }],
    messages: [
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: "", // Beside tool calls: dropped, Anthropic refuses empty text blocks.
        tool_calls: [
          {
            id: "toolu_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
          { id: "toolu_2", type: "function", function: { name: "get_weather", arguments: "" } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
      { role: "tool", tool_call_id: "toolu_2", content: [{ type: "text", text: "21°C" }] },
      { role: "user", content: "Thanks. Which is warmer?" },
    ],
  });
  assert.deepEqual(body.messages.slice(1), [
    {
      role: "assistant",
      content: [
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
        { type: "tool_use", id: "toolu_2", name: "get_weather", input: {} },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
        { type: "tool_result", tool_use_id: "toolu_2", content: "21°C" },
        { type: "text", text: "Thanks. Which is warmer?" },
      ],
    },
  ]);
});

Deno.test("tools keep their schema, a tool without parameters is kept, and tool_choice maps", () => {
  const tools = [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
    },
    { type: "function", function: { name: "now" } },
  ];
  const messages = [{ role: "user", content: "hi" }];
  const body = translate({ tools, messages });
  assert.deepEqual(body.tools, [
    {
      name: "get_weather",
      description: "Weather for a city",
      input_schema: { type: "object", properties: { city: { type: "string" } } },
    },
    { name: "now", input_schema: { type: "object", properties: {} } },
  ]);
  assert.equal(body.tool_choice, undefined);
  const choice = (tool_choice: unknown, extra = {}) =>
    translate({ tools, messages, tool_choice, ...extra }).tool_choice;
  assert.deepEqual(choice("auto"), { type: "auto" });
  assert.deepEqual(choice("none"), { type: "none" });
  assert.deepEqual(choice("required"), { type: "any" });
  assert.deepEqual(choice({ type: "function", function: { name: "now" } }), {
    type: "tool",
    name: "now",
  });
  assert.deepEqual(translate({ tools, messages, parallel_tool_calls: false }).tool_choice, {
    type: "auto",
    disable_parallel_tool_use: true,
  });
});

Deno.test("images: a data URL goes as base64, an http URL as a url source", () => {
  const body = translate({
    messages: [{
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } },
      ],
    }],
  });
  assert.deepEqual(body.messages[0].content.slice(1), [
    { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
    { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
  ]);
  const image = (url: string) => ({
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }],
  });
  assert.throws(
    () => translate(image("data:image/bmp;base64,Qk0=")),
    refusal("messages[0].content[0].image_url.url"),
  );
  assert.throws(
    () => translate(image("data:image/png,rawbytes")),
    refusal("messages[0].content[0].image_url.url"),
  );
});

Deno.test("stop, user and sampling: temperature and top_p are never sent together", () => {
  const messages = [{ role: "user", content: "hi" }];
  const body = translate({ messages, stop: "END", user: "user-42", temperature: 0.3 });
  assert.deepEqual(body.stop_sequences, ["END"]);
  assert.deepEqual(body.metadata, { user_id: "user-42" });
  assert.equal(body.temperature, 0.3);
  assert.deepEqual(translate({ messages, stop: ["a", "b"] }).stop_sequences, ["a", "b"]);
  const sampling = (temperature: number, top_p: number) => {
    const { temperature: t, top_p: p } = translate({ messages, temperature, top_p });
    return { t, p };
  };
  assert.deepEqual(sampling(0.2, 1), { t: 0.2, p: undefined });
  assert.deepEqual(sampling(1, 0.9), { t: undefined, p: 0.9 });
  assert.deepEqual(sampling(0.5, 0.9), { t: 0.5, p: undefined });
  assert.equal(translate({ messages, top_p: 0.8 }).top_p, 0.8);
});

Deno.test("what Claude cannot do is refused in OpenAI's words, naming the field", () => {
  const messages = [{ role: "user", content: "hi" }];
  assert.throws(() => translate({ messages, temperature: 1.5 }), refusal("temperature"));
  assert.throws(() => translate({ messages, n: 2 }), refusal("n"));
  assert.throws(() => translate({ messages, logprobs: true }), refusal("logprobs"));
  assert.throws(
    () => translate({ messages, response_format: { type: "json_object" } }),
    refusal("response_format"),
  );
  assert.throws(
    () =>
      translate({
        messages: [
          {
            role: "assistant",
            tool_calls: [{
              id: "t",
              type: "function",
              function: { name: "f", arguments: "{oops" },
            }],
          },
        ],
      }),
    refusal("messages[0].tool_calls[0].function.arguments"),
  );
  // Hints that only tune sampling or bookkeeping are left out, not refused.
  const body = translate({ messages, seed: 7, presence_penalty: 0.5, store: true, n: 1 });
  assert.equal("seed" in body, false);
  assert.equal(translate({ messages, response_format: { type: "text" } }).model.length > 0, true);
});
