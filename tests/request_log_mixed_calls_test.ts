// One account's mixed day, as its request log shows it: images made (by key and on the
// dashboard), blocked, failed on every channel; text answered whole and streamed, streamed and
// abandoned, cut mid-stream, blocked; a request the gateway rejected and one the balance refused.
// Each row says what happened, what it used and what it cost; the log's costs are the ledger's
// charges to the micro-dollar; a failed call's detail names every channel it tried.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { addTextChannel, startGateway } from "./_helpers/app.ts";
import { startStandinTextUpstreams } from "./_helpers/standin_text_upstreams.ts";
import { assertNoSidewaysScroll, screenshot, sessionCookie, withPage } from "./_helpers/pages.ts";
import { createApiKey } from "../services/accounts/api_keys.ts";
import { displayUsd } from "../services/billing/money.ts";

const gw = await startGateway();
const { sql } = gw;
const base = gw.server.url;
const text = startStandinTextUpstreams();
await addTextChannel(sql, text, "openai", ["gpt-5.1"], {
  name: "openai-text",
  priority: 10,
  timeoutMs: 5_000,
});

const mia = await customer(sql, { balance: 10_000_000n });
await sql`update api_keys set name = 'backend' where id = ${mia.apiKeyId}`;
const tiny = await createApiKey(sql, { userId: mia.id, name: "intern", spendLimit: 1_000n });
const client = gw.client(mia.key);
const idOf = (response: Response) => response.headers.get("x-request-id")!;

/** Each call's request id, by what it was. */
const calls: Record<string, string> = {};

async function imageCall(name: string, quality: "low" | "high") {
  try {
    const { response } = await client.images.generate({
      model: "gpt-image-2",
      prompt: `${name} picture`,
      quality,
    }).withResponse();
    calls[name] = idOf(response);
  } catch (error) {
    calls[name] = (error as InstanceType<typeof OpenAI.APIError>).requestID!;
  }
}

await imageCall("image ok", "high");
gw.upstream.respond = () => ({ kind: "moderation_blocked" });
await imageCall("image blocked", "low");
gw.upstream.respond = () => ({ kind: "status", status: 500, message: "upstream down" });
await imageCall("image failed", "low");
gw.upstream.respond = () => ({ kind: "ok" });

const cookie = await sessionCookie(base, mia.email);
const onDashboard = await fetch(`${base}/generations`, {
  method: "POST",
  headers: { cookie, origin: base, "content-type": "application/json" },
  body: JSON.stringify({ model: "gpt-image-2", prompt: "dashboard picture", quality: "low" }),
});
assert.equal(onDashboard.status, 200);
calls["image on the dashboard"] = (await onDashboard.json()).generation.id;

const messages = [{ role: "user" as const, content: "Tell me about lighthouses. ".repeat(20) }];
text.respond = () => ({
  kind: "reply",
  text: "Lighthouses guide ships home.",
  usage: { input: 120, output: 6, cacheRead: 40 },
});
calls["text ok"] = idOf(
  (await client.chat.completions.create({ model: "gpt-5.1", messages }).withResponse()).response,
);
text.respond = () => ({
  kind: "reply",
  text: "One two three four five",
  usage: { input: 110, output: 5 },
});
const streamed = await client.chat.completions.create({
  model: "gpt-5.1",
  messages,
  stream: true,
  stream_options: { include_usage: true },
}).withResponse();
for await (const _ of streamed.data) { /* read to the end */ }
calls["text streamed"] = idOf(streamed.response);

text.respond = () => ({ kind: "fail_mid_stream", afterWords: 3, how: "cut", text: "a b c d e f" });
const cut = await client.chat.completions.create({ model: "gpt-5.1", messages, stream: true })
  .withResponse();
await assert.rejects(async () => {
  for await (const _ of cut.data) { /* until the error */ }
});
calls["text cut mid-stream"] = idOf(cut.response);

// The client reads the first words and leaves; the gateway drains the rest and bills it.
text.respond = () => ({
  kind: "reply",
  text: "one two three four five six seven eight",
  eventDelayMs: 20,
  usage: { input: 100, output: 8 },
});
const abandoned = await fetch(`${base}/v1/chat/completions`, {
  method: "POST",
  headers: { authorization: `Bearer ${mia.key}`, "content-type": "application/json" },
  body: JSON.stringify({ model: "gpt-5.1", messages, stream: true }),
});
calls["text abandoned"] = idOf(abandoned);
const reader = abandoned.body!.getReader();
await reader.read();
await reader.cancel();

text.respond = () => ({ kind: "blocked" });
await client.chat.completions.create({ model: "gpt-5.1", messages }).catch((error) => {
  calls["text blocked"] = error.requestID;
});

const invalid = await fetch(`${base}/v1/images/generations`, {
  method: "POST",
  headers: { authorization: `Bearer ${mia.key}`, "content-type": "application/json" },
  body: JSON.stringify({ model: "gpt-image-2", prompt: "" }),
});
assert.equal(invalid.status, 400);
calls["invalid request"] = idOf(invalid);
await invalid.body?.cancel();

await gw.client(tiny.key).images.generate({ model: "gpt-image-2", prompt: "x", quality: "high" })
  .catch((error) => {
    assert.equal(error.status, 429);
    calls["refused by the spend limit"] = error.requestID;
  });

// The abandoned stream settles once its drain ends.
for (let i = 0; i < 500; i++) {
  const [row] = await sql`select status from request_log where request_id = ${
    calls["text abandoned"]
  }`;
  if (row.status !== "pending") break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** What each row must say: its key, kind, status and what it used. */
const EXPECTED: Record<string, { key: string; kind: string; status: string; usage: RegExp }> = {
  "image ok": {
    key: "backend",
    kind: "Image",
    status: "Succeeded",
    usage: /^1 × 1024×1024 · high$/,
  },
  "image blocked": { key: "backend", kind: "Image", status: "Blocked", usage: /^auto size · low$/ },
  "image failed": { key: "backend", kind: "Image", status: "Failed", usage: /^auto size · low$/ },
  "image on the dashboard": {
    key: "Dashboard",
    kind: "Image",
    status: "Succeeded",
    usage: /^1 × 1024×1024 · low$/,
  },
  "text ok": {
    key: "backend",
    kind: "Text",
    status: "Succeeded",
    usage: /^120 in · 40 cached · 6 out$/,
  },
  "text streamed": {
    key: "backend",
    kind: "Text",
    status: "Succeeded",
    usage: /^110 in · 5 out\s+Streamed$/,
  },
  "text cut mid-stream": {
    key: "backend",
    kind: "Text",
    status: "Succeeded",
    usage: /in · \d+ out\s+Streamed$/,
  },
  "text abandoned": {
    key: "backend",
    kind: "Text",
    status: "Succeeded",
    usage: /^100 in · 8 out\s+Streamed$/,
  },
  "text blocked": { key: "backend", kind: "Text", status: "Blocked", usage: /^—$/ },
  "invalid request": { key: "backend", kind: "Image", status: "Invalid request", usage: /^—$/ },
  "refused by the spend limit": {
    key: "intern",
    kind: "Image",
    status: "Declined",
    usage: /^auto size · high$/,
  },
};

test("every call of a mixed day is a row that says what happened, what it used and what it cost", async () => {
  assert.deepEqual(Object.keys(calls).sort(), Object.keys(EXPECTED).sort());
  const rows = await sql<
    { requestId: string; cost: bigint; status: string; errorCode: string | null }[]
  >`
    select request_id as "requestId", cost, status, error_code as "errorCode"
    from request_log where user_id = ${mia.id}`;
  const byId = new Map(rows.map((r) => [r.requestId, r]));
  assert.equal(rows.length, Object.keys(calls).length);
  assert.equal(byId.get(calls["text cut mid-stream"])!.errorCode, "upstream_failed_mid_stream");
  assert.equal(byId.get(calls["text abandoned"])!.errorCode, "client_left_stream");

  await withPage(base, { email: mia.email }, async (page) => {
    await page.goto(`${base}/logs`);
    for (const [name, requestId] of Object.entries(calls)) {
      const row = page.locator(`tr[data-request-id="${requestId}"]`);
      const cell = async (c: string) => (await row.locator(`.c-${c}`).innerText()).trim();
      const want = EXPECTED[name];
      assert.equal(await cell("key"), want.key, name);
      assert.equal(await cell("kind"), want.kind, name);
      assert.equal((await row.locator(".badge.status").innerText()).trim(), want.status, name);
      const usage = await cell("usage");
      assert.match(usage, want.usage, `${name}: ${usage}`);
      const cost = byId.get(requestId)!.cost;
      assert.equal(await cell("cost"), displayUsd(cost), name);
      if (["Blocked", "Failed", "Invalid request", "Declined"].includes(want.status)) {
        assert.equal(cost, 0n, `${name} costs nothing`);
      } else assert.ok(cost > 0n, `${name} is charged`);
    }
    await screenshot(page, "logs-mixed-desktop");
    await page.setViewportSize({ width: 390, height: 844 });
    await assertNoSidewaysScroll(page);
    await screenshot(page, "logs-mixed-phone");

    await page.goto(`${base}/logs/${calls["image failed"]}`);
    const routing = page.locator("section", {
      has: page.getByRole("heading", { name: "Routing" }),
    });
    assert.match(await routing.innerText(), /Served by\s+No channel/);
    assert.match(
      await routing.innerText(),
      /channels tried\s+stand-in failed \(HTTP 500, \d+ ms\)/i,
    );
    const money = page.locator("section", { has: page.getByRole("heading", { name: "Money" }) });
    assert.match(await money.innerText(), /Released, nothing charged/);

    await page.goto(`${base}/logs/${calls["text ok"]}`);
    const output = await page.locator(".detail-output").innerText();
    assert.match(output, /Input tokens\s+120/);
    assert.match(output, /Cached input tokens\s+40/);
    assert.match(output, /Output tokens\s+6/);
    assert.match(output, /Finish reason\s+stop/);
    await screenshot(page, "logs-detail-text");
  });
});

test("the log's costs are the ledger's charges to the micro-dollar, and the balance moved by their sum", async () => {
  const [log] = await sql<{ total: bigint }[]>`
    select coalesce(sum(cost), 0)::bigint as total from request_log where user_id = ${mia.id}`;
  const [ledger] = await sql<{ total: bigint }[]>`
    select coalesce(sum(t.amount), 0)::bigint as total
    from ledger_transfers t join ledger_accounts a on a.id = t.debit_account_id
    where a.user_id = ${mia.id} and t.kind = 'settle'`;
  const [charges] = await sql<{ mismatched: bigint }[]>`
    select count(*) as mismatched from request_log r
    left join ledger_transfers t on t.id = r.charge_id
    where r.user_id = ${mia.id} and r.cost <> coalesce(t.amount, 0)`;
  assert.equal(log.total, ledger.total);
  assert.equal(charges.mismatched, 0n);
  const [{ available }] = await sql<{ available: bigint }[]>`
    select credits_posted - debits_posted - debits_pending as available
    from ledger_accounts where user_id = ${mia.id}`;
  assert.equal(available, 10_000_000n - log.total);
  await assertLedgerHolds(sql);
});
