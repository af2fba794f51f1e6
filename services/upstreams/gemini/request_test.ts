import assert from "node:assert/strict";
import { parseChatRequest } from "../../text/chat_request.ts";
import { UpstreamError } from "../types.ts";
import { SKIP_THOUGHT_SIGNATURE, toGeminiRequest } from "./request.ts";

const translate = (body: Record<string, unknown>, maxTokens = 8192) =>
  toGeminiRequest(parseChatRequest({ model: "gemini-2.5-flash", ...body }), maxTokens);

const refusal = (param: string) => (error: unknown) =>
  error instanceof UpstreamError && error.kind === "refused" && error.body?.param === param;

Deno.test("system prompts become systemInstruction; roles become user and model turns", () => {
  const body = translate({
    messages: [
      { role: "system", content: "Be brief." },
      { role: "developer", content: "Use metric units." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: [{ type: "text", text: "Hello!" }] },
      { role: "user", content: "Weather?" },
      { role: "user", content: "In Paris." },
    ],
  });
  assert.deepEqual(body.systemInstruction, {
    parts: [{ text: "Be brief." }, { text: "Use metric units." }],
  });
  assert.deepEqual(body.contents, [
    { role: "user", parts: [{ text: "Hi" }] },
    { role: "model", parts: [{ text: "Hello!" }] },
    { role: "user", parts: [{ text: "Weather?" }, { text: "In Paris." }] },
  ]);
  assert.deepEqual(body.generationConfig, { maxOutputTokens: 8192 });
});

Deno.test("sampling, limits, stop sequences and JSON output go in generationConfig", () => {
  const messages = [{ role: "user", content: "hi" }];
  assert.deepEqual(
    translate({ messages, temperature: 1.4, top_p: 0.9, stop: "END", seed: 3 }, 100)
      .generationConfig,
    { maxOutputTokens: 100, temperature: 1.4, topP: 0.9, stopSequences: ["END"], seed: 3 },
  );
  assert.deepEqual(
    translate({ messages, response_format: { type: "json_object" } }).generationConfig
      .responseMimeType,
    "application/json",
  );
  const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
  const json = translate({
    messages,
    response_format: { type: "json_schema", json_schema: { name: "answer", schema } },
  }).generationConfig;
  assert.equal(json.responseMimeType, "application/json");
  assert.deepEqual(json.responseJsonSchema, schema);
});

Deno.test("tools become functionDeclarations with their JSON Schema; tool_choice becomes toolConfig", () => {
  const parameters = {
    type: "object",
    properties: { city: { type: "string" } },
    additionalProperties: false,
  };
  const tools = [
    { type: "function", function: { name: "get_weather", description: "Weather", parameters } },
    { type: "function", function: { name: "now" } },
  ];
  const messages = [{ role: "user", content: "hi" }];
  const body = translate({ messages, tools });
  assert.deepEqual(body.tools, [{
    functionDeclarations: [
      { name: "get_weather", description: "Weather", parametersJsonSchema: parameters },
      { name: "now" },
    ],
  }]);
  assert.equal(body.toolConfig, undefined);
  const mode = (tool_choice: unknown) => translate({ messages, tools, tool_choice }).toolConfig;
  assert.deepEqual(mode("auto"), { functionCallingConfig: { mode: "AUTO" } });
  assert.deepEqual(mode("none"), { functionCallingConfig: { mode: "NONE" } });
  assert.deepEqual(mode("required"), { functionCallingConfig: { mode: "ANY" } });
  assert.deepEqual(mode({ type: "function", function: { name: "now" } }), {
    functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["now"] },
  });
});

Deno.test("function calls and their N responses: one model turn, then one user turn", () => {
  const body = translate({
    messages: [
      { role: "user", content: "Paris and Rome?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
          {
            id: "call_2",
            type: "function",
            function: { name: "get_time", arguments: '{"city":"Rome"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "18°C" },
      { role: "tool", tool_call_id: "call_2", content: "14:00" },
    ],
  });
  assert.deepEqual(body.contents.slice(1), [
    {
      role: "model",
      parts: [
        {
          functionCall: { name: "get_weather", args: { city: "Paris" } },
          thoughtSignature: SKIP_THOUGHT_SIGNATURE,
        },
        { functionCall: { name: "get_time", args: { city: "Rome" } } },
      ],
    },
    {
      role: "user",
      parts: [
        { functionResponse: { name: "get_weather", response: { content: "18°C" } } },
        { functionResponse: { name: "get_time", response: { content: "14:00" } } },
      ],
    },
  ]);
});

Deno.test("images go inline from data URLs; links are refused, never fetched by us", () => {
  const body = translate({
    messages: [{
      role: "user",
      content: [
        { type: "text", text: "Describe" },
        { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
      ],
    }],
  });
  assert.deepEqual(body.contents[0].parts, [
    { text: "Describe" },
    { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } },
  ]);
  assert.throws(
    () =>
      translate({
        messages: [{
          role: "user",
          content: [{ type: "image_url", image_url: { url: "http://169.254.169.254/x.png" } }],
        }],
      }),
    refusal("messages[0].content[0].image_url.url"),
  );
});

Deno.test("what Gemini cannot do here is refused, naming the field", () => {
  const messages = [{ role: "user", content: "hi" }];
  assert.throws(() => translate({ messages, n: 3 }), refusal("n"));
  assert.throws(() => translate({ messages, logprobs: true }), refusal("logprobs"));
  assert.throws(
    () => translate({ messages, modalities: ["text", "audio"] }),
    refusal("modalities"),
  );
});
