import assert from "node:assert/strict";
import { anthropicError, anthropicStreamError } from "./errors.ts";

const body = (type: string, message: string) =>
  JSON.stringify({
    type: "error",
    error: { type, message },
    request_id: "req_011CSHoEeqs5C35K2UUqR7Fy",
  });

Deno.test("the customer's bad request is refused, passed through in OpenAI's envelope", () => {
  const error = anthropicError(
    400,
    body("invalid_request_error", "messages: text content blocks must be non-empty"),
    "claude-1",
  );
  assert.equal(error.kind, "refused");
  assert.equal(error.status, 400);
  assert.deepEqual(error.body, {
    message: "messages: text content blocks must be non-empty",
    type: "invalid_request_error",
    param: null,
    code: null,
  });
  const tooLarge = anthropicError(
    413,
    body("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    "c",
  );
  assert.equal(tooLarge.kind, "refused");
  assert.equal(tooLarge.status, 400);
  assert.equal(tooLarge.body?.code, "request_too_large");
});

Deno.test("our key, our credit, limits and outages are the channel's: the next one is tried", () => {
  const cases: [number, string, string][] = [
    [401, "authentication_error", "invalid x-api-key"],
    [
      403,
      "permission_error",
      "Your API key does not have permission to use the specified resource.",
    ],
    [404, "not_found_error", "model: claude-nope"],
    [400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API."],
    [429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"],
    [500, "api_error", "Internal server error"],
    [529, "overloaded_error", "Overloaded"],
  ];
  for (const [status, type, message] of cases) {
    const error = anthropicError(status, body(type, message), "claude-1");
    assert.equal(error.kind, "unavailable", `${status} ${type}`);
    assert.equal(error.status, status);
    assert.match(error.message, /claude-1/);
  }
  // A body that is not Anthropic's (a proxy's HTML page) is judged by its status.
  assert.equal(anthropicError(502, "<html>Bad gateway</html>", "c").kind, "unavailable");
  assert.equal(anthropicError(400, "<html>", "c").kind, "unavailable");
});

Deno.test("a streamed error event takes the status its type stands for", () => {
  const error = (type: string) =>
    anthropicStreamError({ type: "error", error: { type, message: "x" } }, "c");
  assert.equal(error("overloaded_error").status, 529);
  assert.equal(error("overloaded_error").kind, "unavailable");
  assert.equal(error("rate_limit_error").status, 429);
  assert.equal(error("api_error").status, 500);
  assert.equal(error("invalid_request_error").kind, "refused");
  assert.equal(anthropicStreamError({ nonsense: true }, "c").kind, "unavailable");
});
