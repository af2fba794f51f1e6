// The money promises of chat completions, against the real server, PostgreSQL and stand-in
// upstreams, with the official openai SDK as client: a hold that fits the balance or a free 429,
// however many calls race; a client that leaves a stream pays exactly what was produced; a stream
// that fails mid-way pays what was delivered; failover charges once; Idempotency-Key charges once;
// bad input costs nothing; and the ledger's invariants hold after all of it.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { addTextChannel, startGateway, startServerOn } from "./_helpers/app.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { type Provider, startStandinTextUpstreams } from "./_helpers/standin_text_upstreams.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { catalog, maxTextCost, textCost, type TokenUsage } from "../services/billing/pricing.ts";
import { holdTokens, promptTokenBound } from "../services/text/token_bounds.ts";
import type { ChatRequest } from "../services/text/chat_request.ts";

const gw = await startGateway();
const { sql } = gw;
const text = startStandinTextUpstreams();
/** A second provider's servers, for failover. */
const backup = startStandinTextUpstreams();

await addTextChannel(sql, text, "anthropic", ["claude-haiku-4-5"], {
  name: "anthropic",
  priority: 10,
  timeoutMs: 60_000,
});
await addTextChannel(sql, text, "gemini", ["gemini-2.5-flash"], {
  name: "gemini",
  priority: 10,
  timeoutMs: 60_000,
});
await addTextChannel(sql, text, "openai", ["gpt-5-mini"], {
  name: "openai-text",
  priority: 10,
  timeoutMs: 60_000,
});
// claude-opus-4-5: an Anthropic channel first (with a short deadline, to be timed out), another
// Anthropic channel next, then an OpenAI-compatible channel serving the same model id.
await addTextChannel(sql, text, "anthropic", ["claude-opus-4-5"], {
  name: "claude-first",
  priority: 30,
  timeoutMs: 1_500,
});
await addTextChannel(sql, backup, "anthropic", ["claude-opus-4-5"], {
  name: "claude-second",
  priority: 20,
  timeoutMs: 60_000,
});
await addTextChannel(sql, backup, "openai", ["claude-opus-4-5"], {
  name: "claude-compatible",
  priority: 10,
  timeoutMs: 60_000,
});

const MODEL_OF: Record<Provider, string> = {
  anthropic: "claude-haiku-4-5",
  gemini: "gemini-2.5-flash",
  openai: "gpt-5-mini",
};
const PROVIDERS: Provider[] = ["anthropic", "gemini", "openai"];

/** The charge of `usage` at the model's current rates, as the settle computes it. */
async function priced(model: string, usage: Partial<TokenUsage>): Promise<bigint> {
  return textCost((await catalog(sql)).textPrices.get(model)!, {
    input: 0,
    cachedInput: 0,
    cacheWrite: 0,
    output: 0,
    ...usage,
  });
}

/** What the server holds for `request`: its prompt's bound and its output bound, each at its rate. */
async function holdOf(request: ChatRequest): Promise<bigint> {
  const cat = await catalog(sql);
  const bounds = holdTokens(request, cat.models.get(request.model)!.maxOutputTokens!);
  return maxTextCost(
    cat.textPrices.get(request.model)!,
    bounds.promptTokens,
    bounds.outputTokens,
  );
}

/** Waits (bounded) for `check` to hold. */
async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string | (() => string),
  seconds = 30,
) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`not within ${seconds} s: ${typeof what === "string" ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The customer's log rows, once none is pending any more (a drained stream settles late). */
async function finalRows(userId: bigint, count = 1, seconds = 30) {
  let rows: Record<string, unknown>[] = [];
  await eventually(
    async () => {
      rows = await sql`select * from request_log where user_id = ${userId} order by created_at`;
      return rows.length >= count && rows.every((row) => row.status !== "pending");
    },
    () => `${count} final log rows: ${rows.map((row) => `${row.status} ${row.error_code}`)}`,
    seconds,
  );
  return rows;
}

/** The resolutions of the customer's holds (settle, release), by kind. */
async function resolutionsOf(accountId: bigint) {
  return await sql<{ kind: string; amount: bigint; request_id: string }[]>`
    select r.kind, r.amount, h.request_id from ledger_transfers r
    join ledger_transfers h on h.id = r.pending_id
    where h.debit_account_id = ${accountId} order by r.created_at`;
}

async function assertNoOpenHold() {
  const [open] = await sql`select count(*)::int as n from ledger_open_holds`;
  assert.equal(open.n, 0, "no hold is left open");
  const [pending] = await sql`select count(*)::int as n from request_log where status = 'pending'`;
  assert.equal(pending.n, 0, "no log line is left pending");
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

for (const limit of ["balance", "key's spend limit"] as const) {
  test(`100 calls race for a ${limit} that covers 37 holds: 37 are answered and charged once, 63 get a free 429, nothing goes below zero`, async () => {
    const request = {
      model: "claude-haiku-4-5",
      messages: [{ role: "user" as const, content: "Race me" }],
      max_tokens: 200,
    };
    const hold = await holdOf(request);
    const usage = { input: 20, output: 50 };
    const cost = await priced(request.model, usage);
    assert.ok(cost < hold);
    const fits = 37;
    const money = BigInt(fits) * hold + hold - 1n;
    const balance = limit === "balance" ? money : 5_000_000n;
    const rex = await customer(sql, { balance, spendLimit: limit === "balance" ? null : money });
    const client = gw.client(rex.key);
    // Every call that got its hold waits at the upstream until each of the 100 is held or
    // refused, so no settle frees money while others still race for it.
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    let arrived = 0;
    text.respond = () => {
      arrived++;
      return { kind: "reply", text: "You raced.", usage, until: gate };
    };
    let refused = 0;
    const calls = Array.from({ length: 100 }, async (_, i) => {
      try {
        if (i % 2 === 0) {
          await client.chat.completions.create(request);
          return "answered";
        }
        const stream = await client.chat.completions.create({
          ...request,
          stream: true,
          stream_options: { include_usage: true },
        });
        let content = "";
        for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? "";
        assert.equal(content, "You raced.");
        return "answered";
      } catch (error) {
        if (error instanceof OpenAI.RateLimitError && error.code === "insufficient_quota") {
          refused++;
          return "refused";
        }
        throw error;
      }
    });
    try {
      await eventually(() => arrived + refused === 100, "every call held or refused", 120);
    } finally {
      letGo();
    }
    const outcomes = await Promise.all(calls);
    assert.equal(outcomes.filter((o) => o === "answered").length, fits);
    assert.equal(outcomes.filter((o) => o === "refused").length, 100 - fits);

    const rows = await finalRows(rex.id, 100);
    const ok = rows.filter((row) => row.status === "ok");
    const no = rows.filter((row) => row.status === "refused");
    assert.equal(ok.length, fits);
    assert.equal(no.length, 100 - fits);
    assert.ok(ok.every((row) => row.cost === cost && row.charge_id !== null));
    assert.ok(
      no.every((row) => row.cost === 0n && row.hold_id === null && row.http_status === 429),
    );
    // Every answered call settled once, at its usage; a refused call never held anything.
    const resolutions = await resolutionsOf(rex.accountId);
    assert.equal(resolutions.length, fits);
    assert.ok(resolutions.every((r) => r.kind === "settle" && r.amount === cost));
    assert.deepEqual(
      new Set(resolutions.map((r) => r.request_id)),
      new Set(ok.map((row) => row.request_id)),
    );
    const [account] = await sql`
    select credits_posted - debits_posted - debits_pending as available, debits_pending
    from ledger_accounts where id = ${rex.accountId}`;
    assert.equal(account.debits_pending, 0n);
    assert.equal(account.available, balance - BigInt(fits) * cost);
    assert.ok(account.available >= 0n);
    if (limit !== "balance") {
      const [key] = await sql`select spent, held from api_keys where id = ${rex.apiKeyId}`;
      assert.deepEqual([key.spent, key.held], [BigInt(fits) * cost, 0n]);
    }
    await assertNoOpenHold();
    await assertLedgerHolds(sql);
  });
}

/** Reads a streamed call's first `n` pieces of content, then leaves (the SDK's abort). */
async function leaveAfter(client: OpenAI, model: string, n: number): Promise<string> {
  const leave = new AbortController();
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Tell me a long story" }],
    stream: true,
    stream_options: { include_usage: true },
  }, { signal: leave.signal });
  let seen = "";
  let pieces = 0;
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.delta?.content;
    if (!piece) continue;
    seen += piece;
    if (++pieces === n) break;
  }
  leave.abort();
  return seen;
}

/** A stream whose client left was read to its end: charged its whole usage, once. */
async function assertPaidInFull(
  who: { id: bigint; accountId: bigint },
  model: string,
  usage: { input: number; output: number },
) {
  const [row] = await finalRows(who.id);
  const cost = await priced(model, usage);
  assert.deepEqual(
    [row.status, row.error_code, row.stream, row.input_tokens, row.output_tokens, row.cost],
    ["ok", "client_left_stream", true, usage.input, usage.output, cost],
  );
  assert.deepEqual(
    (await resolutionsOf(who.accountId)).map((r) => [r.kind, r.amount]),
    [["settle", cost]],
  );
  assert.equal((await balanceOf(sql, who.accountId)).available, 5_000_000n - cost);
  await assertLedgerHolds(sql);
}

for (const provider of PROVIDERS) {
  test(`a client that leaves a ${provider} stream after 3 chunks pays for everything the upstream produced, read to its final usage`, async () => {
    const lea = await customer(sql, { balance: 5_000_000n });
    const model = MODEL_OF[provider];
    const usage = { input: 50, output: 120 };
    text.respond = () => ({ kind: "reply", text: words(120), usage, eventDelayMs: 15 });
    const calls = text.calls.length;
    const seen = await leaveAfter(gw.client(lea.key), model, 3);
    assert.equal(seen.trim(), "w0 w1 w2");
    assert.equal(text.calls.length, calls + 1, "the upstream was asked once");
    await assertPaidInFull(lea, model, usage);
  });
}

test("a client that leaves a stream before its first token pays for what the upstream produced after it left", async () => {
  const lou = await customer(sql, { balance: 5_000_000n });
  // The upstream is asked, and answers only once the client has gone.
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  const usage = { input: 9, output: 100 };
  text.respond = () => ({ kind: "reply", text: words(100), usage, until: gate, eventDelayMs: 15 });
  const leave = new AbortController();
  const calls = text.calls.length;
  const streamed = gw.client(lou.key).chat.completions.create({
    model: "claude-haiku-4-5",
    messages: [{ role: "user", content: "Take your time" }],
    stream: true,
  }, { signal: leave.signal }).then(() => null, (e) => e);
  await eventually(() => text.calls.length === calls + 1, "the upstream asked");
  leave.abort();
  assert.ok(await streamed instanceof OpenAI.APIUserAbortError);
  letGo();
  await assertPaidInFull(lou, "claude-haiku-4-5", usage);
});

test("a client whose raw fetch cancels its body reader pays for the whole answer too", async () => {
  const ray = await customer(sql, { balance: 5_000_000n });
  const usage = { input: 30, output: 100 };
  text.respond = () => ({ kind: "reply", text: words(100), usage, eventDelayMs: 15 });
  const response = await fetch(`${gw.server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${ray.key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "claude-haiku-4-5",
      messages: [{ role: "user", content: "Go on" }],
      stream: true,
    }),
  });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  let received = "";
  while (!received.includes("w2")) {
    const { value, done } = await reader.read();
    if (done) break;
    received += new TextDecoder().decode(value);
  }
  await reader.cancel();
  await assertPaidInFull(ray, "claude-haiku-4-5", usage);
});

test("the drain is bounded: past STREAM_DRAIN_SECONDS the upstream is let go and the call pays for what it produced so far", async () => {
  const short = await startServerOn(sql, gw.dbUrl, { STREAM_DRAIN_SECONDS: "1" });
  try {
    for (const provider of PROVIDERS) {
      const dot = await customer(sql, { balance: 5_000_000n });
      const model = MODEL_OF[provider];
      // 2,000 words, 15 ms apart: half a minute, far past the drain's second.
      const total = 2_000;
      text.respond = () => ({
        kind: "reply",
        text: words(total),
        usage: { input: 40, output: total },
        eventDelayMs: 15,
      });
      await leaveAfter(short.client(dot.key), model, 3);
      const [row] = await finalRows(dot.id, 1, 20);
      const produced = row.output_tokens as number;
      assert.ok(produced >= 3 && produced < total, `${provider}: ${produced} tokens`);
      const cost = await priced(model, {
        input: row.input_tokens as number,
        output: produced,
      });
      assert.deepEqual(
        [row.status, row.error_code, row.cost],
        ["ok", "client_left_stream", cost],
        provider,
      );
      assert.ok(cost < await priced(model, { input: 40, output: total }));
      assert.deepEqual(
        (await resolutionsOf(dot.accountId)).map((r) => [r.kind, r.amount]),
        [["settle", cost]],
      );
    }
  } finally {
    await short.server.shutdown();
  }
  await assertLedgerHolds(sql);
});

for (const provider of PROVIDERS) {
  for (const how of ["error_event", "cut"] as const) {
    test(`a ${provider} stream that fails mid-way (${how}) ends with an error event the SDK raises, and is charged only what was delivered`, async () => {
      const fay = await customer(sql, { balance: 5_000_000n });
      const model = MODEL_OF[provider];
      const request = {
        model,
        messages: [{ role: "user" as const, content: "Say hello" }],
        stream: true as const,
        stream_options: { include_usage: true },
      };
      text.respond = () => ({ kind: "fail_mid_stream", afterWords: 3, how });
      let content = "";
      const failure = await (async () => {
        for await (const chunk of await gw.client(fay.key).chat.completions.create(request)) {
          content += chunk.choices[0]?.delta?.content ?? "";
        }
      })().then(() => null, (e) => e);
      assert.ok(failure instanceof OpenAI.APIError, `${failure}`);
      // OpenAI's envelope, read by the SDK from the stream's last event.
      assert.deepEqual([failure.type, failure.code], ["server_error", "upstream_error"]);
      assert.match(
        failure.message,
        /failed mid-stream; you were charged only for what was delivered/,
      );
      assert.equal(content, "Hello from the");
      // Billed as delivered: the usage reported so far, its output at least the delivered bytes / 4
      // ("Hello from the": 14 bytes, 4 tokens), the prompt estimated when none was reported.
      const delivered = Math.ceil(new TextEncoder().encode(content).length / 4);
      const reported = {
        // message_start: the exact input, and 1 output token so far.
        anthropic: { input: 12, output: 1 },
        // Running totals: the prompt, and a token a word so far.
        gemini: { input: 12, output: 3 },
        // Usage comes only at the end: nothing reported.
        openai: { input: Math.ceil(promptTokenBound(request) / 4), output: 0 },
      }[provider];
      const billed = { input: reported.input, output: Math.max(reported.output, delivered) };
      const cost = await priced(model, billed);
      const [row] = await finalRows(fay.id);
      assert.deepEqual(
        [row.status, row.error_code, row.input_tokens, row.output_tokens, row.cost],
        ["ok", "upstream_failed_mid_stream", billed.input, billed.output, cost],
      );
      const hold = await holdOf(request);
      assert.ok(cost > 0n && cost < hold);
      assert.deepEqual(
        (await resolutionsOf(fay.accountId)).map((r) => [r.kind, r.amount]),
        [["settle", cost]],
      );
      assert.equal((await balanceOf(sql, fay.accountId)).available, 5_000_000n - cost);
      await assertLedgerHolds(sql);
    });
  }
}

/** The channels' ids by name. */
async function channelIds(): Promise<Record<string, bigint>> {
  const rows = await sql<{ id: bigint; name: string }[]>`select id, name from channels`;
  return Object.fromEntries(rows.map((row) => [row.name, row.id]));
}

test("failover: Claude's first channel overloaded (529), failing (500) or silent (timeout) hands the call to the next channel, charged once", async () => {
  const fin = await customer(sql, { balance: 5_000_000n });
  const client = gw.client(fin.key);
  const ids = await channelIds();
  const usage = { input: 25, output: 9 };
  const cost = await priced("claude-opus-4-5", usage);
  backup.respond = () => ({ kind: "reply", text: "From the second channel.", usage });
  const cases = [
    { first: { kind: "error", status: 529 } as const, stream: false },
    { first: { kind: "error", status: 500 } as const, stream: true },
    { first: { kind: "hang" } as const, stream: false },
    // A stream that fails before its first token has delivered nothing: the next channel serves.
    {
      first: { kind: "fail_mid_stream", afterWords: 0, how: "error_event" } as const,
      stream: true,
    },
  ];
  for (const [i, { first, stream }] of cases.entries()) {
    text.respond = () => first;
    const before = backup.calls.length;
    let content = "";
    if (stream) {
      const answer = await client.chat.completions.create({
        model: "claude-opus-4-5",
        messages: [{ role: "user", content: "Hello" }],
        stream: true,
      });
      for await (const chunk of answer) content += chunk.choices[0]?.delta?.content ?? "";
    } else {
      const answer = await client.chat.completions.create({
        model: "claude-opus-4-5",
        messages: [{ role: "user", content: "Hello" }],
      });
      content = answer.choices[0].message.content ?? "";
      assert.equal(answer.usage?.completion_tokens, 9);
    }
    assert.equal(content, "From the second channel.");
    assert.equal(backup.calls.length, before + 1);
    assert.equal(backup.calls.at(-1)!.provider, "anthropic");
    const rows = await finalRows(fin.id, i + 1);
    const row = rows.at(-1)!;
    assert.deepEqual([row.status, row.cost, row.channel_id], ["ok", cost, ids["claude-second"]]);
  }
  // With both Anthropic channels overloaded, the OpenAI-compatible one serves the same model id.
  text.respond = () => ({ kind: "error", status: 529 });
  backup.respond = (call) =>
    call.provider === "anthropic"
      ? { kind: "error", status: 529 }
      : { kind: "reply", text: "Compatible.", usage };
  const answer = await client.chat.completions.create({
    model: "claude-opus-4-5",
    messages: [{ role: "user", content: "Hello" }],
  });
  assert.equal(answer.choices[0].message.content, "Compatible.");
  const row = (await finalRows(fin.id, 5)).at(-1)!;
  assert.deepEqual([row.status, row.cost, row.channel_id], ["ok", cost, ids["claude-compatible"]]);
  const resolutions = await resolutionsOf(fin.accountId);
  assert.deepEqual(resolutions.map((r) => [r.kind, r.amount]), Array(5).fill(["settle", cost]));
  assert.equal((await balanceOf(sql, fin.accountId)).available, 5_000_000n - 5n * cost);
  await assertLedgerHolds(sql);
});

test("failover: a refusal is the answer (not tried elsewhere), and a call every channel fails costs nothing", async () => {
  const rue = await customer(sql, { balance: 5_000_000n });
  const client = gw.client(rue.key);
  backup.respond = () => ({ kind: "reply", text: "Should not be asked." });
  text.respond = () => ({
    kind: "error",
    status: 400,
    message: "messages: text content blocks must be non-empty",
  });
  const before = backup.calls.length;
  const refused = await client.chat.completions.create({
    model: "claude-opus-4-5",
    messages: [{ role: "user", content: "Hello" }],
  }).then(() => null, (e) => e);
  assert.ok(refused instanceof OpenAI.BadRequestError);
  assert.equal(refused.message, "400 messages: text content blocks must be non-empty");
  assert.equal(backup.calls.length, before, "a refusal is not retried on the next channel");

  // OpenAI's refusal names its param; passed through as it came, and not retried either.
  text.respond = () => ({ kind: "error", status: 400, param: "messages" });
  const named = await client.chat.completions.create({
    model: "gpt-5-mini",
    messages: [{ role: "user", content: "Hello" }],
  }).then(() => null, (e) => e);
  assert.ok(named instanceof OpenAI.BadRequestError);
  assert.deepEqual([named.param, named.code], ["messages", "invalid_value"]);

  // Every channel fails: the last failure's 502, free.
  text.respond = () => ({ kind: "error", status: 529 });
  backup.respond = (call) =>
    call.provider === "anthropic" ? { kind: "error", status: 500 } : { kind: "error", status: 503 };
  for (const stream of [false, true]) {
    const failed = await client.chat.completions.create({
      model: "claude-opus-4-5",
      messages: [{ role: "user", content: "Hello" }],
      stream,
    }).then(() => null, (e) => e);
    assert.ok(failed instanceof OpenAI.InternalServerError);
    assert.deepEqual([failed.status, failed.code], [502, "upstream_error"]);
  }
  const rows = await finalRows(rue.id, 4);
  assert.deepEqual(
    rows.map((row) => [row.status, row.http_status, row.cost]),
    [["failed", 400, 0n], ["failed", 400, 0n], ["failed", 502, 0n], ["failed", 502, 0n]],
  );
  const resolutions = await resolutionsOf(rue.accountId);
  assert.deepEqual(resolutions.map((r) => r.kind), ["release", "release", "release", "release"]);
  assert.equal((await balanceOf(sql, rue.accountId)).available, 5_000_000n);
  backup.respond = () => ({ kind: "reply" });
  await assertLedgerHolds(sql);
});

test("Idempotency-Key: a retried call is answered the same and charged once; another body under the key is a 409", async () => {
  const ida = await customer(sql, { balance: 5_000_000n });
  const client = gw.client(ida.key);
  const usage = { input: 14, output: 6 };
  text.respond = () => ({ kind: "reply", text: "Once only.", usage });
  const body = {
    model: "gemini-2.5-flash",
    messages: [{ role: "user" as const, content: "Charge me once" }],
  };
  const headers = { "Idempotency-Key": "chat-once-1" };
  const calls = text.calls.length;
  const first = await client.chat.completions.create(body, { headers }).withResponse();
  const again = await client.chat.completions.create(body, { headers }).withResponse();
  assert.deepEqual(again.data, first.data);
  assert.equal(again.response.headers.get("idempotent-replayed"), "true");
  assert.equal(
    again.response.headers.get("x-original-request-id"),
    first.response.headers.get("x-request-id"),
  );
  assert.equal(text.calls.length, calls + 1);
  const cost = await priced(body.model, usage);
  assert.equal((await balanceOf(sql, ida.accountId)).available, 5_000_000n - cost);

  const conflict = await client.chat.completions.create(
    { ...body, messages: [{ role: "user", content: "Another question" }] },
    { headers },
  ).then(() => null, (e) => e);
  assert.ok(conflict instanceof OpenAI.ConflictError);
  assert.equal(conflict.code, "idempotency_key_reused");
  const rows = await finalRows(ida.id, 3);
  assert.deepEqual(rows.map((r) => [r.status, r.http_status, r.error_code, r.cost]), [
    ["ok", 200, null, cost],
    ["ok", 200, "idempotent_replay", 0n],
    ["refused", 409, "idempotency_key_reused", 0n],
  ]);
  await assertLedgerHolds(sql);
});

/** A streamed call's content and usage chunk, read to the end. */
async function readStream(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  let content = "";
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    content += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  return { content, usage };
}

test("Idempotency-Key on a stream: the retry replays the stream, free; a stream that failed mid-way is not replayed but runs again", async () => {
  const sid = await customer(sql, { balance: 5_000_000n });
  const client = gw.client(sid.key);
  const usage = { input: 11, output: 5 };
  text.respond = () => ({ kind: "reply", text: "Streamed just once.", usage });
  const body = {
    model: "claude-haiku-4-5",
    messages: [{ role: "user" as const, content: "Stream it" }],
    stream: true as const,
    stream_options: { include_usage: true },
  };
  const headers = { "Idempotency-Key": "chat-stream-1" };
  const calls = text.calls.length;
  const first = await readStream(await client.chat.completions.create(body, { headers }));
  const { data, response } = await client.chat.completions.create(body, { headers })
    .withResponse();
  assert.equal(response.headers.get("idempotent-replayed"), "true");
  const again = await readStream(data);
  assert.deepEqual(again, first);
  assert.equal(again.content, "Streamed just once.");
  assert.equal(text.calls.length, calls + 1);
  const cost = await priced(body.model, usage);
  assert.equal((await balanceOf(sql, sid.accountId)).available, 5_000_000n - cost);

  // While the first call under a key still streams, a retry is told so, free.
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  text.respond = () => ({ kind: "reply", text: "Slowly.", usage, until: gate });
  const slow = { "Idempotency-Key": "chat-stream-slow" };
  const running = client.chat.completions.create(body, { headers: slow }).then(readStream);
  await eventually(() => text.calls.length === calls + 2, "the first call at the upstream");
  const early = await client.chat.completions.create(body, { headers: slow })
    .then(() => null, (e) => e);
  assert.ok(early instanceof OpenAI.ConflictError);
  assert.equal(early.code, "idempotency_key_in_progress");
  letGo();
  assert.equal((await running).content, "Slowly.");

  // A failed stream's partial answer is not an answer to replay: the retry asks the upstream.
  text.respond = () => ({ kind: "fail_mid_stream", afterWords: 2, how: "cut" });
  const retried = { "Idempotency-Key": "chat-stream-2" };
  const failed = await readStream(await client.chat.completions.create(body, { headers: retried }))
    .then(() => null, (e) => e);
  assert.ok(failed instanceof OpenAI.APIError);
  text.respond = () => ({ kind: "reply", text: "Whole this time.", usage });
  const whole = await readStream(await client.chat.completions.create(body, { headers: retried }));
  assert.equal(whole.content, "Whole this time.");
  assert.equal(text.calls.length, calls + 4);
  const rows = await finalRows(sid.id, 6);
  assert.deepEqual(rows.map((r) => [r.status, r.error_code]), [
    ["ok", null],
    ["ok", "idempotent_replay"],
    ["ok", null],
    ["refused", "idempotency_key_in_progress"],
    ["ok", "upstream_failed_mid_stream"],
    ["ok", null],
  ]);
  await assertLedgerHolds(sql);
});

test("bad input never costs and never 500s: OpenAI's envelope, logged invalid, no hold", async () => {
  const bea = await customer(sql, { balance: 5_000_000n });
  const client = gw.client(bea.key);
  const calls = text.calls.length;
  const hi = [{ role: "user" as const, content: "hi" }];
  const refusals: { status: number; code: string | null; requestId: string | null }[] = [];
  const viaSdk = async (body: Record<string, unknown>) => {
    const error = await client.chat.completions.create(
      body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
    ).then(() => null, (e) => e);
    assert.ok(error instanceof OpenAI.APIError, `${error}`);
    assert.equal(typeof error.error, "object");
    assert.deepEqual(Object.keys(error.error as object).sort(), [
      "code",
      "message",
      "param",
      "type",
    ]);
    refusals.push({ status: error.status!, code: error.code ?? null, requestId: error.requestID! });
    return error;
  };
  const viaFetch = async (init: RequestInit) => {
    const response = await fetch(`${gw.server.url}/v1/chat/completions`, {
      method: "POST",
      ...init,
      headers: { authorization: `Bearer ${bea.key}`, "content-type": "application/json" },
    });
    const { error } = await response.json();
    assert.deepEqual(Object.keys(error).sort(), ["code", "message", "param", "type"]);
    refusals.push({
      status: response.status,
      code: error.code,
      requestId: response.headers.get("x-request-id"),
    });
    return error;
  };

  await viaFetch({ body: '{"model": "gpt-5-mini", "messages": [' });
  const unknown = await viaSdk({ model: "gpt-5-mini", messages: hi, temperature_x: 1 });
  assert.equal(unknown.message, "400 Unrecognized request argument supplied: temperature_x");
  const surrogate = await viaSdk({
    model: "claude-haiku-4-5",
    messages: [{ role: "user", content: "broken \ud800 text" }],
  });
  assert.equal(surrogate.param, "messages[0].content");
  const tooMany = await viaSdk({ model: "claude-haiku-4-5", messages: hi, max_tokens: 64_001 });
  assert.deepEqual([tooMany.param, tooMany.code], ["max_tokens", "invalid_value"]);
  const image = await viaSdk({ model: "gpt-image-2", messages: hi });
  assert.deepEqual([image.status, image.code], [404, "model_not_found"]);
  const huge = JSON.stringify({
    model: "gpt-5-mini",
    messages: [{ role: "user", content: "x".repeat(32 * 1024 * 1024) }],
  });
  await viaFetch({ body: huge });

  assert.deepEqual(refusals.map((r) => [r.status, r.code]), [
    [400, "invalid_json"],
    [400, null],
    [400, "invalid_value"],
    [400, "invalid_value"],
    [404, "model_not_found"],
    [413, "request_too_large"],
  ]);
  const rows = await finalRows(bea.id, refusals.length);
  for (const refusal of refusals) {
    const row = rows.find((r) => r.request_id === refusal.requestId);
    assert.ok(row, `a log row for ${refusal.code}`);
    assert.deepEqual(
      [row.status, row.http_status, row.error_code, row.cost, row.hold_id],
      ["invalid", refusal.status, refusal.code, 0n, null],
    );
  }
  assert.equal(rows.length, refusals.length);
  const [holds] = await sql`select count(*)::int as n from ledger_transfers
    where debit_account_id = ${bea.accountId} and kind = 'hold'`;
  assert.equal(holds.n, 0);
  assert.equal(text.calls.length, calls, "no upstream was asked");
  assert.equal((await balanceOf(sql, bea.accountId)).available, 5_000_000n);
  await assertLedgerHolds(sql);
});

test("after all of it: every ledger invariant holds, and no hold is left open", async () => {
  await assertNoOpenHold();
  await assertLedgerHolds(sql);
  await text.close();
  await backup.close();
});
