// API keys: Bearer auth exactly as OpenAI's; keys stored only as hashes; nobody reaches another
// account's images.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { revokeApiKey } from "../services/accounts/api_keys.ts";
import { connect } from "../services/platform/database.ts";
import { sha256 } from "../services/platform/sha256.ts";

const gw = await startGateway();
const { sql } = gw;
const alice = await customer(sql, { balance: 1_000_000n });
const bob = await customer(sql, { balance: 1_000_000n });

async function get(path: string, authorization?: string) {
  return await fetch(`${gw.server.url}${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
}

test("a key is pk_live_ and 40 base62 characters, stored only as a SHA-256 hash with a visible prefix", async () => {
  assert.match(alice.key, /^pk_live_[0-9A-Za-z]{40}$/);
  const [row] =
    await sql`select prefix, key_hash, to_jsonb(api_keys)::text as everything from api_keys where id = ${alice.apiKeyId}`;
  assert.equal(row.prefix, alice.key.slice(0, 16));
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(alice.key)),
  );
  assert.deepEqual(new Uint8Array(row.key_hash), digest);
  assert.ok(!row.everything.includes(alice.key.slice(16)), "the secret part is nowhere in the row");
  const [user] = await sql`select password_hash from users where id = ${alice.id}`;
  assert.match(user.password_hash, /^\$argon2id\$/);
});

test("servers remember keys, yet a key revoked or given a spend limit elsewhere takes effect at once", async () => {
  const carol = await customer(sql, { balance: 1_000_000n });
  const other = await customer(sql, { balance: 1_000_000n });
  assert.equal((await get("/v1/models", `Bearer ${carol.key}`)).status, 200);
  assert.equal((await get("/v1/models", `Bearer ${other.key}`)).status, 200);
  const caller = () => gw.server.services.keys.get(sha256(carol.key));
  assert.equal(caller()?.keyHasSpendLimit, false, "remembered after its first call");

  // As `deno task admin` would, from another process: through the database alone.
  const elsewhere = connect(gw.dbUrl, { max: 1 });
  try {
    await elsewhere`update api_keys set spend_limit = 5000 where id = ${carol.apiKeyId}`;
    await waitFor(() => caller() === undefined, "the spend limit change is announced");
    assert.equal((await get("/v1/models", `Bearer ${carol.key}`)).status, 200);
    assert.equal(caller()?.keyHasSpendLimit, true, "read afresh, with its limit");

    await revokeApiKey(elsewhere, carol.apiKeyId);
    await waitFor(() => caller() === undefined, "the revocation is announced");
    assert.equal((await get("/v1/models", `Bearer ${carol.key}`)).status, 401);
    assert.ok(gw.server.services.keys.get(sha256(other.key)), "other keys stay remembered");
  } finally {
    await elsewhere.end();
  }
});

test("a key read just before its revocation is announced is not remembered", async () => {
  const dan = await customer(sql, { balance: 1_000_000n });
  const keys = gw.server.services.keys;
  const changesSeen = keys.changes;
  const [row] = await sql`select id from api_keys where id = ${dan.apiKeyId}`; // "read"
  await revokeApiKey(sql, row.id);
  await waitFor(() => keys.changes !== changesSeen, "the revocation is announced");
  keys.keep(sha256(dan.key), {
    apiKeyId: dan.apiKeyId,
    userId: dan.id,
    accountId: dan.accountId,
    keyHasSpendLimit: false,
    revoked: false,
  }, changesSeen);
  assert.equal(keys.get(sha256(dan.key)), undefined, "the stale row is dropped");
  assert.equal((await get("/v1/models", `Bearer ${dan.key}`)).status, 401);
});

/** Postgres announces after the commit, a moment later: wait for it, up to 5 s. */
async function waitFor(done: () => boolean, what: string) {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`not within 5 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("every missing, malformed, unknown or revoked key answers 401 invalid_api_key in OpenAI's envelope", async () => {
  const revoked = await customer(sql);
  await revokeApiKey(sql, revoked.apiKeyId);
  const unknownButWellFormed = `pk_live_${"A".repeat(40)}`;
  const cases: [string, string | undefined][] = [
    ["no Authorization header", undefined],
    ["an empty header", ""],
    ["Bearer and nothing", "Bearer "],
    ["Basic auth", `Basic ${btoa(`user:${alice.key}`)}`],
    ["the key without Bearer", alice.key],
    ["two tokens", `Bearer ${alice.key} extra`],
    ["a truncated key", `Bearer ${alice.key.slice(0, -1)}`],
    ["a key with a bad character", `Bearer ${alice.key.slice(0, -1)}!`],
    ["an OpenAI key", "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz"],
    ["a well-formed unknown key", `Bearer ${unknownButWellFormed}`],
    ["a revoked key", `Bearer ${revoked.key}`],
    ["the key in the wrong case", `Bearer ${alice.key.toUpperCase()}`],
    // Deno's HTTP server reads a request head of at most 64 KiB; past that it answers a bare 400
    // itself, before any of our code runs (Deno.serve has no setting for it).
    ["a 60 KB header, about the most that reaches us", `Bearer ${"k".repeat(60_000)}`],
  ];
  for (const [name, header] of cases) {
    const response = await get("/v1/models", header);
    assert.equal(response.status, 401, name);
    const body = await response.json();
    assert.deepEqual(Object.keys(body.error), ["message", "type", "param", "code"], name);
    assert.equal(body.error.code, "invalid_api_key", name);
    assert.equal(body.error.type, "invalid_request_error", name);
    assert.ok(
      !body.error.message.includes(alice.key),
      `${name}: the message never echoes a whole key`,
    );
  }
  const sdkError = await gw.client(revoked.key).models.list().then(() => null, (e) => e);
  assert.ok(sdkError instanceof OpenAI.AuthenticationError);
  assert.equal(
    (await get("/v1/models", `bearer   ${alice.key}`)).status,
    200,
    "the scheme is case-insensitive, like OpenAI's",
  );
});

test("a valid key works and its last use is recorded", async () => {
  assert.equal((await get("/v1/models", `Bearer ${alice.key}`)).status, 200);
  const nowhere = await get("/v1/nowhere", `Bearer ${alice.key}`);
  assert.equal(nowhere.status, 404);
  assert.match(nowhere.headers.get("x-request-id") ?? "", /^req_/);
  assert.equal((await nowhere.json()).error.message, "Invalid URL (GET /v1/nowhere)");
  const [row] = await sql`select last_used_at from api_keys where id = ${alice.apiKeyId}`;
  assert.ok(row.last_used_at instanceof Date);
});

test("another account's key cannot fetch a stored image; its owner can", async () => {
  gw.upstream.respond = () => ({ kind: "ok" });
  const result = await gw.client(alice.key).images.generate({
    model: "gpt-image-2",
    prompt: "mine",
    size: "1024x1024",
    quality: "low",
  });
  const id = new URL(result.data![0].url!).pathname.split("/").at(-1)!.replace(/\.png$/, "");
  const own = await get(`/v1/images/${id}/content`, `Bearer ${alice.key}`);
  assert.equal(own.status, 200);
  assert.equal(own.headers.get("content-type"), "image/png");
  const other = await get(`/v1/images/${id}/content`, `Bearer ${bob.key}`);
  assert.equal(other.status, 404);
  assert.equal((await other.json()).error.code, "image_not_found");
  assert.equal((await get(`/v1/images/${id}/content`)).status, 401);
});

test("signed image URLs: valid for their owner's link, 403 once tampered with or expired", async () => {
  const result = await gw.client(alice.key).images.generate({
    model: "gpt-image-2",
    prompt: "signed",
    size: "1024x1024",
    quality: "low",
  });
  const url = new URL(result.data![0].url!);
  const expires = Number(url.searchParams.get("expires"));
  assert.ok(Math.abs(expires - (Date.now() / 1000 + 3600)) < 60, "valid for 60 minutes");
  assert.equal((await fetch(url)).status, 200);

  const tampered = new URL(url);
  tampered.searchParams.set(
    "signature",
    url.searchParams.get("signature")!.replace(/^./, (c) => (c === "A" ? "B" : "A")),
  );
  assert.equal((await fetch(tampered)).status, 403);

  const extended = new URL(url);
  extended.searchParams.set("expires", String(expires + 3600));
  assert.equal((await fetch(extended)).status, 403);

  const otherImage = new URL(url);
  otherImage.pathname = otherImage.pathname.replace(/img_[0-9a-f]{4}/, "img_0000");
  assert.equal((await fetch(otherImage)).status, 403);

  const expired = gw.server.services.signer.sign(
    gw.server.publicUrl,
    url.pathname,
    Date.now() - 3_601_000,
  );
  const response = await fetch(expired);
  assert.equal(response.status, 403);
  assert.equal((await response.json()).error.code, "invalid_signature");
  assert.equal((await fetch(`${url.origin}${url.pathname}`)).status, 403, "no signature at all");
});
