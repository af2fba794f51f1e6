// Bad input gets OpenAI's error envelope with a clear message: never a 500, never a charge.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import OpenAI from "openai";
import { balanceOf } from "../services/billing/ledger.ts";
import { forgetCatalog } from "../services/billing/pricing.ts";

const gw = await startGateway();
const { sql, upstream } = gw;
const ok = { model: "gpt-image-2", prompt: "a red bicycle" };

type Case = [
  name: string,
  body: string | Record<string, unknown>,
  status: number,
  param: string | null,
  code?: string,
];

const cases: Case[] = [
  ["invalid JSON", "{ not json", 400, null, "invalid_json"],
  ["truncated JSON", '{"model": "gpt-image-2", "prompt": "a', 400, null, "invalid_json"],
  ["empty body", "", 400, null, "invalid_json"],
  ["a JSON array", "[1, 2]", 400, null, "invalid_type"],
  ["a JSON string", '"draw a cat"', 400, null, "invalid_type"],
  ["JSON null", "null", 400, null, "invalid_type"],
  ["missing prompt", { model: "gpt-image-2" }, 400, "prompt", "missing_required_parameter"],
  ["prompt is a number", { ...ok, prompt: 42 }, 400, "prompt", "invalid_type"],
  ["prompt is null", { ...ok, prompt: null }, 400, "prompt", "invalid_type"],
  ["prompt is an array", { ...ok, prompt: ["a", "b"] }, 400, "prompt", "invalid_type"],
  ["empty prompt", { ...ok, prompt: "" }, 400, "prompt", "invalid_value"],
  ["blank prompt", { ...ok, prompt: "   \n " }, 400, "prompt", "invalid_value"],
  [
    "32,001-character prompt",
    { ...ok, prompt: "x".repeat(32_001) },
    400,
    "prompt",
    "invalid_value",
  ],
  [
    "32,001 emoji (counted as characters)",
    { ...ok, prompt: "🎨".repeat(32_001) },
    400,
    "prompt",
    "invalid_value",
  ],
  ["unknown model", { ...ok, model: "gpt-image-9" }, 404, "model", "model_not_found"],
  ["a text model name", { ...ok, model: "gpt-4o" }, 404, "model", "model_not_found"],
  ["model is a number", { ...ok, model: 2 }, 400, "model", "invalid_type"],
  ["n = 0", { ...ok, n: 0 }, 400, "n", "invalid_value"],
  ["n = 11", { ...ok, n: 11 }, 400, "n", "invalid_value"],
  ["n = -1", { ...ok, n: -1 }, 400, "n", "invalid_value"],
  ["n = 1.5", { ...ok, n: 1.5 }, 400, "n", "invalid_type"],
  ["n as a string", { ...ok, n: "2" }, 400, "n", "invalid_type"],
  [
    "size 512x512 (too few pixels for gpt-image-2)",
    { ...ok, size: "512x512" },
    400,
    "size",
    "invalid_value",
  ],
  ["size not a multiple of 16", { ...ok, size: "1000x1000" }, 400, "size", "invalid_value"],
  ["size aspect over 3:1", { ...ok, size: "3840x1008" }, 400, "size", "invalid_value"],
  ["size side over 3840", { ...ok, size: "3856x2160" }, 400, "size", "invalid_value"],
  ["size too many pixels", { ...ok, size: "3840x2400" }, 400, "size", "invalid_value"],
  ["size nonsense", { ...ok, size: "big" }, 400, "size", "invalid_value"],
  [
    "custom size on a model without them",
    { ...ok, model: "gpt-image-1-mini", size: "2048x1152" },
    400,
    "size",
    "invalid_value",
  ],
  ["size as a number", { ...ok, size: 1024 }, 400, "size", "invalid_type"],
  ["quality hd (dall-e-3 only)", { ...ok, quality: "hd" }, 400, "quality", "invalid_value"],
  ["quality ultra", { ...ok, quality: "ultra" }, 400, "quality", "invalid_value"],
  [
    "background transparent with jpeg",
    { ...ok, background: "transparent", output_format: "jpeg" },
    400,
    "background",
    "invalid_value",
  ],
  ["background glass", { ...ok, background: "glass" }, 400, "background", "invalid_value"],
  [
    "background transparent on gpt-image-2 (OpenAI ended it)",
    { ...ok, background: "transparent" },
    400,
    "background",
    "invalid_value",
  ],
  ["output_format gif", { ...ok, output_format: "gif" }, 400, "output_format", "invalid_value"],
  [
    "output_compression 101",
    { ...ok, output_format: "jpeg", output_compression: 101 },
    400,
    "output_compression",
    "invalid_value",
  ],
  [
    "output_compression -1",
    { ...ok, output_format: "webp", output_compression: -1 },
    400,
    "output_compression",
    "invalid_value",
  ],
  [
    "output_compression with png",
    { ...ok, output_compression: 50 },
    400,
    "output_compression",
    "invalid_value",
  ],
  [
    "output_compression as a string",
    { ...ok, output_format: "jpeg", output_compression: "50" },
    400,
    "output_compression",
    "invalid_type",
  ],
  ["moderation strict", { ...ok, moderation: "strict" }, 400, "moderation", "invalid_value"],
  [
    "response_format png",
    { ...ok, response_format: "png" },
    400,
    "response_format",
    "invalid_value",
  ],
  ["style on a GPT image model", { ...ok, style: "vivid" }, 400, "style", "invalid_value"],
  ["stream (not yet offered)", { ...ok, stream: true }, 400, "stream", "invalid_value"],
  ["stream as a string", { ...ok, stream: "yes" }, 400, "stream", "invalid_type"],
  [
    "partial_images without stream",
    { ...ok, partial_images: 2 },
    400,
    "partial_images",
    "invalid_value",
  ],
  ["user as an object", { ...ok, user: { id: 1 } }, 400, "user", "invalid_type"],
  ["user too long", { ...ok, user: "u".repeat(513) }, 400, "user", "invalid_value"],
  ["a NUL character in the prompt", { ...ok, prompt: "a\u0000b" }, 400, "prompt", "invalid_value"],
  ["a NUL character in the model", { ...ok, model: "gpt\u0000" }, 400, "model", "invalid_value"],
  ["a NUL character in user", { ...ok, user: "u\u0000" }, 400, "user", "invalid_value"],
  [
    "a lone surrogate in the prompt",
    { ...ok, prompt: "fox \ud800" },
    400,
    "prompt",
    "invalid_value",
  ],
  ["a lone low surrogate in the model", { ...ok, model: "\udc00" }, 400, "model", "invalid_value"],
  ["a lone surrogate in user", { ...ok, user: "\ud83d" }, 400, "user", "invalid_value"],
  ["a lone surrogate in a field's name", { ...ok, "fox \ud800": 1 }, 400, null, "invalid_value"],
  [
    "a lone surrogate deep in an unknown field",
    { ...ok, metadata: { tags: ["fine", "fox \ud800"] } },
    400,
    "metadata.tags[1]",
    "invalid_value",
  ],
  [
    "a model name of 121 characters, cut for the log inside an emoji",
    { ...ok, model: "a" + "🎨".repeat(120) },
    404,
    "model",
    "model_not_found",
  ],
  ["an unknown field", { ...ok, colour: "blue" }, 400, "colour", "unknown_parameter"],
  ["a misspelt field", { ...ok, qualty: "high" }, 400, "qualty", "unknown_parameter"],
];

const mallory = await customer(sql, { balance: 1_000_000n });

async function post(body: string, headers: Record<string, string> = {}) {
  return await fetch(`${gw.server.url}/v1/images/generations`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${mallory.key}`,
      "content-type": "application/json",
      ...headers,
    },
    body,
  });
}

test(`a table of ${cases.length} malformed bodies: each answers 4xx in OpenAI's envelope, nothing is charged`, async () => {
  assert.ok(cases.length >= 40);
  const callsBefore = upstream.calls.length;
  for (const [name, body, status, param, code] of cases) {
    const response = await post(typeof body === "string" ? body : JSON.stringify(body));
    const json = await response.json();
    assert.equal(response.status, status, `${name}: ${JSON.stringify(json)}`);
    assert.deepEqual(
      Object.keys(json.error).slice(0, 4),
      ["message", "type", "param", "code"],
      name,
    );
    assert.equal(json.error.param, param, name);
    if (code) assert.equal(json.error.code, code, name);
    assert.ok(json.error.message.length > 10, `${name}: a clear message`);
    assert.match(response.headers.get("x-request-id") ?? "", /^req_/, name);
  }
  assert.equal(upstream.calls.length, callsBefore, "no bad body reached the upstream");
  assert.deepEqual(await balanceOf(sql, mallory.accountId), {
    posted: 1_000_000n,
    pending: 0n,
    available: 1_000_000n,
  });
  const [logged] =
    await sql`select count(*)::int as n, sum(cost)::bigint as cost from request_log where user_id = ${mallory.id} and status = 'invalid'`;
  assert.deepEqual([logged.n, logged.cost], [cases.length, 0n]);
  await assertLedgerHolds(sql);
});

test("the log keeps a long model name cut between characters, never inside one", async () => {
  const response = await post(JSON.stringify({ ...ok, model: "a" + "🎨".repeat(120) }));
  assert.equal(response.status, 404);
  const [log] = await sql`select model_id from request_log
                          where request_id = ${response.headers.get("x-request-id")}`;
  assert.equal(log.model_id, "a" + "🎨".repeat(99));
});

test("a lone surrogate or NUL refused in one call costs it nothing, and the calls beside it go through", async () => {
  const nina = await customer(sql, { balance: 1_000_000n });
  upstream.respond = () => ({ kind: "ok", delayMs: 50 });
  const callsBefore = upstream.calls.length;
  const body = (prompt: string) =>
    JSON.stringify({ model: "gpt-image-2", prompt, size: "1024x1024", quality: "low" });
  const responses = await Promise.all(
    ["fox", "fox \ud800", "owl", "owl\u0000", "cat", "\udfff cat", "elk"].map((prompt) =>
      fetch(`${gw.server.url}/v1/images/generations`, {
        method: "POST",
        headers: { authorization: `Bearer ${nina.key}`, "content-type": "application/json" },
        body: body(prompt),
      })
    ),
  );
  const statuses = await Promise.all(responses.map(async (r) => {
    await r.body?.cancel();
    return r.status;
  }));
  assert.deepEqual(statuses, [200, 400, 200, 400, 200, 400, 200]);
  assert.equal(upstream.calls.length, callsBefore + 4, "only the good calls reached the upstream");
  assert.equal((await balanceOf(sql, nina.accountId)).available, 1_000_000n - 4n * 7_200n);
  const logged = await sql`select status, count(*)::int as n, sum(cost)::bigint as cost
                           from request_log where user_id = ${nina.id} group by status order by status`;
  assert.deepEqual(logged.map((r) => [r.status, r.n, r.cost]), [
    ["invalid", 3, 0n],
    ["ok", 4, 4n * 7_200n],
  ]);
  await assertLedgerHolds(sql);
});

test("a huge body is refused with 413 before it is read whole", async () => {
  const response = await post(JSON.stringify({ ...ok, prompt: "x".repeat(1_000_000) }));
  assert.equal(response.status, 413);
  assert.equal((await response.json()).error.code, "request_too_large");
  const [log] = await sql`select status, http_status from request_log
                          where request_id = ${response.headers.get("x-request-id")}`;
  assert.deepEqual([log.status, log.http_status], ["invalid", 413]);
  assert.equal((await balanceOf(sql, mallory.accountId)).available, 1_000_000n);
});

test("a huge body sent in chunks, with no declared length, is refused with 413 as it streams", async () => {
  const chunk = new TextEncoder().encode("x".repeat(64_000));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // Far more than the limit, if the server read it all.
      if (sent++ < 200) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const response = await fetch(`${gw.server.url}/v1/images/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${mallory.key}`, "content-type": "application/json" },
    body,
  });
  assert.equal(response.status, 413);
  assert.equal((await response.json()).error.code, "request_too_large");
  assert.ok(sent < 200, "the server stopped reading at the limit");
  assert.equal((await balanceOf(sql, mallory.accountId)).available, 1_000_000n);
});

test("an over-long Idempotency-Key is refused, not stored", async () => {
  const response = await post(JSON.stringify(ok), { "idempotency-key": "k".repeat(300) });
  assert.equal(response.status, 400);
  assert.equal((await response.json()).error.param, "Idempotency-Key");
});

test("the largest body the rules allow fits the body limit however it is escaped: every character \\u-escaped, emoji as surrogate pairs", async () => {
  upstream.respond = () => ({ kind: "ok" });
  // JSON's longest spelling of a string: each UTF-16 unit as \uXXXX.
  const escaped = (text: string) =>
    `"${
      Array.from({ length: text.length }, (_, i) =>
        `\\u${text.charCodeAt(i).toString(16).padStart(4, "0")}`).join("")
    }"`;
  const fields: [string, string][] = [
    ["model", "gpt-image-2"],
    ["prompt", "🎨".repeat(32_000)],
    ["user", "u".repeat(512)],
    ["size", "1024x1024"],
    ["quality", "low"],
    ["background", "opaque"],
    ["output_format", "png"],
    ["moderation", "auto"],
    ["response_format", "url"],
  ];
  const body = `{ ${fields.map(([k, v]) => `${escaped(k)} : ${escaped(v)}`).join(" , ")} }`;
  assert.ok(body.length > 384_000);
  const response = await post(body);
  assert.equal(response.status, 200, JSON.stringify(await response.clone().json()));
  await response.body?.cancel();
});

test("a 32,000-character prompt of emoji is within the limit (characters, not UTF-16 units)", async () => {
  upstream.respond = () => ({ kind: "ok" });
  const response = await post(
    JSON.stringify({ ...ok, prompt: "🎨".repeat(32_000), quality: "low", size: "1024x1024" }),
  );
  assert.equal(response.status, 200, JSON.stringify(await response.clone().json()));
  await response.body?.cancel();
});

test("a model past its shutdown date is refused as OpenAI refuses a retired model, free", async () => {
  const sam = await customer(sql, { balance: 1_000_000n });
  await sql`update models set shutdown_date = '2020-01-01' where id = 'gpt-image-1-mini'`;
  forgetCatalog(sql);
  try {
    const error = await gw.client(sam.key).images.generate({
      model: "gpt-image-1-mini",
      prompt: "a fox",
    }).then(() => null, (e) => e);
    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.equal(error.code, "model_not_found");
    assert.match(error.message, /shut down on 2020-01-01/);
  } finally {
    await sql`update models set shutdown_date = '2099-12-31' where id = 'gpt-image-1-mini'`;
    forgetCatalog(sql);
  }
  assert.equal((await balanceOf(sql, sam.accountId)).available, 1_000_000n);
});
