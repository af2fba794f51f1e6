import assert from "node:assert/strict";
import { ApiError } from "../platform/errors.ts";
import { parseChatRequest } from "./chat_request.ts";

const user = [{ role: "user", content: "Hello" }];

/** The envelope a bad body answers with. */
function refusal(body: unknown) {
  try {
    parseChatRequest(body);
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 400);
    return error.envelope().error;
  }
  assert.fail("the body was accepted");
}

Deno.test("a full request as the OpenAI SDK sends it is accepted, nulls meaning 'not given'", () => {
  const request = parseChatRequest({
    model: "gpt-4.1",
    messages: [
      { role: "developer", content: "Be brief." },
      { role: "system", content: [{ type: "text", text: "Metric units." }], name: "rules" },
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } },
        ],
        name: "ana",
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }],
        annotations: [], // Echoed back by clients: stripped, not refused.
      },
      { role: "tool", tool_call_id: "call_1", content: "42" },
    ],
    max_tokens: null,
    max_completion_tokens: 500,
    temperature: 0.2,
    top_p: 1,
    stop: ["\n\n", "END"],
    n: 1,
    stream: true,
    stream_options: { include_usage: true },
    presence_penalty: 0,
    frequency_penalty: 0.5,
    seed: 42,
    user: "u-1",
    response_format: {
      type: "json_schema",
      json_schema: { name: "answer", schema: { type: "object" }, strict: true },
    },
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    tool_choice: { type: "function", function: { name: "f" } },
    parallel_tool_calls: false,
    metadata: { team: "a" },
    store: false,
    reasoning_effort: "low",
    logit_bias: null,
  });
  assert.equal(request.model, "gpt-4.1");
  assert.equal(request.messages.length, 5);
  assert.equal("max_tokens" in request, false);
  assert.equal("annotations" in request.messages[3], false);
  assert.equal(request.stream_options?.include_usage, true);
});

Deno.test("an unknown top-level parameter is refused in OpenAI's own words", () => {
  assert.deepEqual(refusal({ model: "m", messages: user, foo: 1 }), {
    message: "Unrecognized request argument supplied: foo",
    type: "invalid_request_error",
    param: null,
    code: null,
  });
  assert.equal(refusal({ messages: user }).message, "you must provide a model parameter");
  assert.equal(refusal({ model: "m" }).param, "messages");
  assert.equal(refusal({ model: "m" }).code, "missing_required_parameter");
  assert.equal(refusal([1, 2]).code, "invalid_type");
});

Deno.test("message errors name the field as OpenAI does: messages[0].role", () => {
  const bad = (message: unknown) => refusal({ model: "m", messages: [message] });
  assert.deepEqual(bad({ role: "robot", content: "x" }), {
    message:
      "Invalid value: 'robot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
    type: "invalid_request_error",
    param: "messages[0].role",
    code: "invalid_value",
  });
  assert.equal(bad({ content: "x" }).param, "messages[0].role");
  assert.equal(bad({ role: "user" }).param, "messages[0].content");
  assert.equal(bad({ role: "user", content: 5 }).code, "invalid_type");
  assert.equal(
    bad({ role: "user", content: [{ type: "text", text: 5 }] }).param,
    "messages[0].content[0].text",
  );
  const part = bad({ role: "user", content: [{ type: "input_audio", input_audio: {} }] });
  assert.equal(part.param, "messages[0].content[0].type");
  assert.match(part.message, /'input_audio'.*'text' and 'image_url'/);
  assert.equal(bad({ role: "tool", content: "x" }).param, "messages[0].tool_call_id");
  assert.equal(bad({ role: "assistant" }).param, "messages[0].content");
  assert.equal(bad({ role: "function", name: "f", content: "x" }).param, "messages[0].role");
  assert.equal(bad("hello").code, "invalid_type");
  assert.equal(refusal({ model: "m", messages: [] }).code, "empty_array");
});

Deno.test("ranges and types are checked with OpenAI's codes", () => {
  const bad = (extra: Record<string, unknown>) => refusal({ model: "m", messages: user, ...extra });
  assert.deepEqual(bad({ temperature: 3 }), {
    message:
      "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
    type: "invalid_request_error",
    param: "temperature",
    code: "decimal_above_max_value",
  });
  assert.equal(bad({ max_tokens: 0 }).code, "integer_below_min_value");
  assert.equal(bad({ n: 129 }).code, "integer_above_max_value");
  assert.equal(bad({ top_p: -0.1 }).param, "top_p");
  assert.equal(bad({ max_tokens: 1.5 }).code, "invalid_type");
  assert.equal(
    bad({ temperature: "hot" }).message,
    "Invalid type for 'temperature': expected a decimal, but got a string instead.",
  );
  assert.equal(bad({ stop: ["a", "b", "c", "d", "e"] }).code, "array_above_max_length");
  assert.equal(bad({ response_format: { type: "yaml" } }).param, "response_format.type");
  assert.equal(bad({ reasoning_effort: "max" }).param, "reasoning_effort");
});

Deno.test("rules across fields: stream_options needs stream, tool_choice needs its tool, tool replies need a call", () => {
  const bad = (extra: Record<string, unknown>) => refusal({ model: "m", messages: user, ...extra });
  assert.deepEqual(bad({ stream_options: { include_usage: true } }), {
    message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
    type: "invalid_request_error",
    param: "stream_options",
    code: null,
  });
  assert.equal(bad({ tool_choice: "required" }).param, "tool_choice");
  const tools = [{ type: "function", function: { name: "f" } }];
  assert.equal(
    bad({ tools, tool_choice: { type: "function", function: { name: "g" } } }).param,
    "tool_choice",
  );
  assert.equal(
    bad({ tools: [{ type: "function", function: { name: "bad name!" } }] }).param,
    "tools[0].function.name",
  );
  assert.equal(
    refusal({
      model: "m",
      messages: [...user, { role: "tool", tool_call_id: "nope", content: "x" }],
    }).param,
    "messages[1].tool_call_id",
  );
  assert.equal(bad({ functions: [{ name: "f" }] }).param, "functions");
  assert.equal(bad({ top_logprobs: 3 }).param, "top_logprobs");
  // With stream on, stream_options is fine; a null stream_options is "not given".
  parseChatRequest({
    model: "m",
    messages: user,
    stream: true,
    stream_options: { include_usage: true },
  });
  parseChatRequest({ model: "m", messages: user, stream_options: null });
});
