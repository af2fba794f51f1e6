import assert from "node:assert/strict";
import { geminiError } from "./errors.ts";

const body = (code: number, status: string, message: string, reason?: string) =>
  JSON.stringify({
    error: {
      code,
      message,
      status,
      ...(reason
        ? {
          details: [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason,
            domain: "googleapis.com",
          }],
        }
        : {}),
    },
  });

Deno.test("INVALID_ARGUMENT about the request is the customer's: refused in OpenAI's envelope", () => {
  const error = geminiError(
    400,
    body(400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified"),
    "gemini-1",
  );
  assert.equal(error.kind, "refused");
  assert.deepEqual(error.body, {
    message: "* GenerateContentRequest.contents: contents is not specified",
    type: "invalid_request_error",
    param: null,
    code: null,
  });
});

Deno.test("a bad key (400 API_KEY_INVALID), a region, limits and outages are the channel's", () => {
  const cases: [number, string][] = [
    [
      400,
      body(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        "API_KEY_INVALID",
      ),
    ],
    [400, body(400, "FAILED_PRECONDITION", "User location is not supported for the API use.")],
    [403, body(403, "PERMISSION_DENIED", "Permission denied on resource project.")],
    [404, body(404, "NOT_FOUND", "models/gemini-nope is not found for API version v1beta")],
    [429, body(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.")],
    [500, body(500, "INTERNAL", "An internal error has occurred.")],
    [503, body(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")],
    [504, body(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.")],
    [502, "<html>bad gateway</html>"],
  ];
  for (const [status, text] of cases) {
    const error = geminiError(status, text, "gemini-1");
    assert.equal(error.kind, "unavailable", text);
    assert.equal(error.status, status);
  }
});
