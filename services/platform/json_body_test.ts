// Every string of a body, at any depth and field names too, is checked for text PostgreSQL
// cannot store, and the refusal names where it is; cuts for the log never split a character.
import assert from "node:assert/strict";
import { parseJsonBody } from "./json_body.ts";
import { ApiError } from "./errors.ts";
import { clipText, storableText } from "./storable_text.ts";

function refusal(text: string): ApiError {
  try {
    parseJsonBody(text);
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return error;
  }
  throw new Error(`accepted: ${text}`);
}

Deno.test("an unstorable string is refused with the path of its field", () => {
  const cases: [string, string | null][] = [
    ['{"prompt": "fox \\ud800"}', "prompt"],
    ['{"prompt": "ok", "user": "\\u0000"}', "user"],
    ['{"messages": [{"content": "a"}, {"content": "b\\udfff"}]}', "messages[1].content"],
    ['{"a": {"b": {"c": ["", ["\\ud83d"]]}}}', "a.b.c[1][0]"],
    ['{"a": {"bad \\ud800": 1}}', "a"],
    ['{"\\u0000": 1}', null],
    ['"\\ud800"', null],
  ];
  for (const [body, param] of cases) {
    const error = refusal(body);
    assert.deepEqual([error.status, error.code, error.param], [400, "invalid_value", param], body);
  }
  assert.match(refusal('{"prompt": "fox \\ud800"}').message, /lone UTF-16 surrogate/);
  assert.match(refusal('{"prompt": "\\u0000"}').message, /NUL/);
});

Deno.test("well-formed text passes, emoji as escaped pairs too, and bodies nested deeper than the stack", () => {
  assert.deepEqual(parseJsonBody('{"prompt": "\\ud83c\\udfa8 é"}'), { prompt: "🎨 é" });
  const deep = "[".repeat(200_000) + '"\\ud800"' + "]".repeat(200_000);
  assert.equal(refusal(deep).param, "[0]".repeat(200_000).slice(0, 200));
  assert.equal(refusal("{ not json").code, "invalid_json");
});

Deno.test("text is clipped by characters and mended for storage", () => {
  assert.equal(clipText("a" + "🎨".repeat(120), 100), "a" + "🎨".repeat(99));
  assert.equal(clipText("short", 100), "short");
  assert.equal(storableText("fox \ud800 in\u0000 snow"), "fox \ufffd in snow");
});
