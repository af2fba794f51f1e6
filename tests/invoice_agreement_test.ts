// A mixed month on one account through the real API with the official openai SDK — images at
// several sizes and qualities, text from the three providers' stand-ins streamed and not, calls
// blocked, calls failing, a stream failing mid-way, a stream its client abandons, a usage report
// above the hold — and three books that must agree to the micro-dollar: the request log, the
// ledger, and the month's invoice, whose balances reconcile with balanceOf.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { addTextChannel, startGateway } from "./_helpers/app.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { startStandinTextUpstreams } from "./_helpers/standin_text_upstreams.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { type Invoice, monthOf, nextMonth, readInvoice } from "../services/billing/invoices.ts";
import { catalog, setTextPrice } from "../services/billing/pricing.ts";

const gw = await startGateway();
const { sql, upstream } = gw;
const text = startStandinTextUpstreams();
for (
  const [provider, models] of [
    ["anthropic", ["claude-haiku-4-5"]],
    ["openai", ["gpt-5.1", "gpt-5-mini"]],
    ["gemini", ["gemini-2.5-flash"]],
  ] as const
) {
  await addTextChannel(sql, text, provider, [...models], { name: `${provider}-text` });
}

const failed = (promise: Promise<unknown>) => promise.then(() => null, (error) => error);
const prompt = (
  words: number,
) => [{ role: "user" as const, content: "Tell me more. ".repeat(words) }];

test("the request log, the ledger and the month's invoice agree to the micro-dollar on a mixed workload", async () => {
  const started = new Date();
  const mia = await customer(sql, { balance: 20_000_000n });
  const client = gw.client(mia.key);

  // Images: three models, sizes and qualities; one blocked, one failing (both free).
  upstream.respond = () => ({ kind: "ok" });
  for (
    const [model, size, quality, n] of [
      ["gpt-image-2", "1024x1024", "low", 1],
      ["gpt-image-2", "1536x1024", "high", 2],
      ["gpt-image-2", "1024x1024", "low", 3],
      ["gpt-image-1.5", "1024x1536", "medium", 1],
      ["gpt-image-1-mini", "1024x1024", "high", 1],
    ] as const
  ) {
    await client.images.generate({ model, prompt: "a harbour at dawn", size, quality, n });
  }
  upstream.respond = () => ({ kind: "moderation_blocked" });
  assert.ok(await failed(client.images.generate({ model: "gpt-image-2", prompt: "no" })));
  upstream.respond = () => ({ kind: "status", status: 500 });
  assert.ok(await failed(client.images.generate({ model: "gpt-image-2", prompt: "down" })));

  // Text: whole and streamed, with cached and cache-write tokens, in amounts that round.
  text.respond = () => ({
    kind: "reply",
    text: "Certainly.",
    usage: { input: 333, output: 77, cacheRead: 101, cacheWrite: 17 },
  });
  await client.chat.completions.create({ model: "claude-haiku-4-5", messages: prompt(100) });
  text.respond = () => ({ kind: "reply", text: "Sure thing.", usage: { input: 211, output: 13 } });
  await client.chat.completions.create({ model: "gpt-5.1", messages: prompt(60) });
  text.respond = () => ({
    kind: "reply",
    text: "one two three four five",
    usage: { input: 57, output: 29, thoughts: 3 },
  });
  for await (
    const _ of await client.chat.completions.create({
      model: "gemini-2.5-flash",
      messages: prompt(20),
      stream: true,
      stream_options: { include_usage: true },
    })
  );
  text.respond = () => ({
    kind: "reply",
    text: "streamed words here",
    usage: { input: 91, output: 7 },
  });
  for await (
    const _ of await client.chat.completions.create({
      model: "gpt-5-mini",
      messages: prompt(30),
      stream: true,
    })
  );
  // Blocked, failing before any word, failing mid-stream (charged for what was delivered).
  text.respond = () => ({ kind: "blocked" });
  assert.ok(
    await failed(client.chat.completions.create({ model: "gpt-5.1", messages: prompt(5) })),
  );
  text.respond = () => ({ kind: "error", status: 500 });
  assert.ok(
    await failed(client.chat.completions.create({ model: "gpt-5.1", messages: prompt(5) })),
  );
  text.respond = () => ({
    kind: "fail_mid_stream",
    text: "a b c d e f g h",
    afterWords: 4,
    how: "cut",
  });
  assert.ok(
    await failed((async () => {
      for await (
        const _ of await client.chat.completions.create({
          model: "claude-haiku-4-5",
          messages: prompt(10),
          stream: true,
        })
      );
    })()),
  );
  // An upstream reporting more than the hold allowed: charged the hold.
  text.respond = () => ({ kind: "reply", text: "ok", usage: { input: 900_000, output: 3 } });
  await client.chat.completions.create({
    model: "gpt-5-mini",
    messages: prompt(2),
    max_tokens: 20,
  });
  // A stream its client leaves after the first chunk: read on to its usage, and charged for it.
  text.respond = () => ({
    kind: "reply",
    text: "this answer goes on for a while longer than anyone listens",
    usage: { input: 44, output: 12 },
    eventDelayMs: 30,
  });
  for await (
    const _ of await client.chat.completions.create({
      model: "gpt-5.1",
      messages: prompt(8),
      stream: true,
    })
  ) break;
  while (
    (await sql`select 1 from request_log where user_id = ${mia.id} and status = 'pending'`).length
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const [left] = await sql`select status, error_code, cost from request_log
    where user_id = ${mia.id} and model_id = 'gpt-5.1' and stream order by created_at desc limit 1`;
  assert.equal(left.error_code, "client_left_stream");
  assert.ok(left.cost > 0n);

  // The request log.
  const log = await sql<{ cost: bigint; status: string; model: string }[]>`
    select cost, status, model_id as model from request_log where user_id = ${mia.id}`;
  const logTotal = log.reduce((sum, r) => sum + r.cost, 0n);
  assert.deepEqual(
    [...new Set(log.filter((r) => r.cost === 0n).map((r) => r.status))].sort(),
    ["blocked", "failed"],
  );
  // The ledger.
  const [{ settled }] = await sql<{ settled: bigint }[]>`
    select coalesce(sum(amount), 0)::bigint as settled from ledger_transfers
    where debit_account_id = ${mia.accountId} and kind = 'settle'`;
  // The invoice (both months', should the month turn during the test).
  const invoices: Invoice[] = [];
  for (let m = monthOf(started); m <= monthOf(new Date()); m = nextMonth(m)) {
    invoices.push((await readInvoice(sql, mia.accountId, m))!);
  }
  const lines = invoices.flatMap((i) => i.lines);
  const invoiceCharges = invoices.reduce((sum, i) => sum + i.totals.charges, 0n);
  const lineTotal = lines.reduce((sum, l) => sum + l.amount, 0n);

  assert.ok(logTotal > 0n);
  assert.equal(settled, logTotal, "the ledger's charges are the log's costs");
  assert.equal(invoiceCharges, settled, "the invoice's charges are the ledger's");
  assert.equal(lineTotal, invoiceCharges, "the lines add up to the charges");
  // Per model too, and every kind of line is there.
  for (const model of new Set(log.map((r) => r.model))) {
    const logged = log.filter((r) => r.model === model).reduce((sum, r) => sum + r.cost, 0n);
    const itemized = lines.filter((l) => l.model === model).reduce((sum, l) => sum + l.amount, 0n);
    assert.equal(itemized, logged, model);
  }
  assert.deepEqual([...new Set(lines.map((l) => l.kind))].sort(), [
    "capped",
    "image",
    "rounding",
    "text",
  ]);
  const [tokens] = await sql`select sum(cached_tokens)::bigint as cached from request_log
    where user_id = ${mia.id} and model_id = 'claude-haiku-4-5' and cost > 0`;
  assert.equal(
    lines.find((l) => l.model === "claude-haiku-4-5" && l.tokenKind === "cached_input")?.quantity,
    tokens.cached,
  );
  // The balances reconcile with the ledger.
  const { posted, pending } = await balanceOf(sql, mia.accountId);
  assert.equal(pending, 0n);
  assert.equal(invoices[0].totals.openingBalance, 0n);
  assert.equal(invoices.at(-1)!.totals.closingBalance, posted);
  for (const { totals: t } of invoices) {
    assert.equal(t.openingBalance + t.topUps + t.refunds - t.charges, t.closingBalance);
  }
  assert.equal(posted, 20_000_000n - logTotal);
  await assertLedgerHolds(sql);
});

test("a text price changed mid-month: each call's lines keep the rate it was charged at", async () => {
  const ned = await customer(sql, { balance: 5_000_000n });
  const ask = () =>
    gw.client(ned.key).chat.completions.create({
      model: "gemini-2.5-flash",
      messages: prompt(300),
    });
  text.respond = () => ({ kind: "reply", text: "ok", usage: { input: 1_000, output: 100 } });
  await ask();
  const old = (await catalog(sql)).textPrices.get("gemini-2.5-flash")!;
  await setTextPrice(sql, {
    model: "gemini-2.5-flash",
    inputPerMtok: old.inputPerMtok * 2n,
    cachedInputPerMtok: old.cachedInputPerMtok,
    cacheWritePerMtok: null,
    outputPerMtok: old.outputPerMtok + 1n,
  });
  await ask();
  // A price written behind the servers' backs: they take it up within 5 s (their catalogue is
  // cached), so the next call is most likely still charged the price before it. Its lines show
  // the rate it was charged, which its log line names, not the one in force at its time.
  await sql`insert into text_prices
              (model_id, input_per_mtok, cached_input_per_mtok, output_per_mtok)
            values ('gemini-2.5-flash', ${old.inputPerMtok * 3n}, 0, ${old.outputPerMtok})`;
  const { response } = await ask().withResponse();
  const [last] = await sql`select cost from request_log
    where request_id = ${response.headers.get("x-request-id")}`;
  const second = [old.inputPerMtok * 2n, old.outputPerMtok + 1n];
  const chargedSecond =
    last.cost === (1_000n * second[0] + 100n * second[1] + 999_999n) / 1_000_000n;
  const month = monthOf(new Date());
  const invoice = (await readInvoice(sql, ned.accountId, month))!;
  const rates = invoice.lines.filter((l) => l.kind === "text")
    .map((l) => [l.tokenKind, l.quantity, l.unitPrice]);
  assert.deepEqual(rates, [
    ["input", 1_000n, old.inputPerMtok],
    ["output", 100n, old.outputPerMtok],
    ...(chargedSecond ? [["input", 2_000n, second[0]], ["output", 200n, second[1]]] : [
      ["input", 1_000n, second[0]],
      ["output", 100n, second[1]],
      ["input", 1_000n, old.inputPerMtok * 3n],
      ["output", 100n, old.outputPerMtok],
    ]),
  ]);
  const [{ cost }] = await sql<{ cost: bigint }[]>`
    select sum(cost)::bigint as cost from request_log where user_id = ${ned.id}`;
  assert.equal(invoice.lines.reduce((sum, l) => sum + l.amount, 0n), cost);
  assert.equal(invoice.totals.charges, cost);
  await assertLedgerHolds(sql);
});
