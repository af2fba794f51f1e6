import assert from "node:assert/strict";
import { ApiError } from "../platform/errors.ts";
import { parseChatRequest } from "./chat_request.ts";
import {
  holdTokens,
  IMAGE_TOKENS,
  maxOutputTokens,
  MESSAGE_OVERHEAD_TOKENS,
  promptTokenBound,
  REQUEST_OVERHEAD_TOKENS,
  TOOLS_OVERHEAD_TOKENS,
  utf8Bytes,
} from "./token_bounds.ts";

const request = (body: Record<string, unknown>) =>
  parseChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }], ...body });

Deno.test("UTF-8 bytes never under-count: ASCII 1, accents 2, CJK 3, emoji 4 (as 2 units of 3)", () => {
  for (const text of ["hello", "héllo", "你好世界", "👋🏽", "\ud800 lone", "code {x: [1, 2]}"]) {
    assert.ok(utf8Bytes(text) >= new TextEncoder().encode(text).length, text);
  }
  assert.equal(utf8Bytes("hello"), 5);
  assert.equal(utf8Bytes("你好"), 6);
});

Deno.test("the prompt bound is every byte the model reads plus fixed overheads", () => {
  const one = promptTokenBound(request({}));
  assert.equal(one, REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS + 2);
  const chinese = promptTokenBound(
    request({ messages: [{ role: "user", content: "请用中文回答" }] }),
  );
  assert.equal(chinese, REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS + 18);
  const withImage = promptTokenBound(request({
    messages: [{
      role: "user",
      content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }],
    }],
  }));
  assert.equal(withImage, REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS + IMAGE_TOKENS);
  const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];
  assert.equal(
    promptTokenBound(request({ tools })),
    one + TOOLS_OVERHEAD_TOKENS + utf8Bytes(JSON.stringify(tools)),
  );
  const calls = promptTokenBound(request({
    messages: [
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
      },
      { role: "tool", tool_call_id: "c1", content: "ok" },
    ],
  }));
  assert.equal(
    calls,
    REQUEST_OVERHEAD_TOKENS + 3 * MESSAGE_OVERHEAD_TOKENS + (2 + 1 + 7) + (2 + 2),
  );
});

Deno.test("the output bound: max_completion_tokens, else max_tokens, else the model's limit; n times", () => {
  assert.equal(maxOutputTokens(request({}), 8192), 8192);
  assert.equal(maxOutputTokens(request({ max_tokens: 100 }), 8192), 100);
  assert.equal(maxOutputTokens(request({ max_tokens: 100, max_completion_tokens: 50 }), 8192), 50);
  assert.deepEqual(holdTokens(request({ max_tokens: 100, n: 3 }), 8192), {
    promptTokens: REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS + 2,
    outputTokens: 300,
  });
});

Deno.test("asking more than the model can write is refused as OpenAI words it", () => {
  assert.throws(() => maxOutputTokens(request({ max_tokens: 20480 }), 16384), (error) => {
    assert.ok(error instanceof ApiError);
    assert.deepEqual(error.envelope().error, {
      message:
        "max_tokens is too large: 20480. This model supports at most 16384 completion tokens, whereas you provided 20480.",
      type: "invalid_request_error",
      param: "max_tokens",
      code: "invalid_value",
    });
    return true;
  });
});
