// The request log's CSV export: exactly the filtered set (every page of it, streamed in batches),
// a download with a header row, RFC 4180 quoting, a UTF-8 byte order mark for Excel, costs exact
// to the micro-dollar as the ledger charged them, and no cell a spreadsheet would run as a formula.
import assert from "node:assert/strict";
// The tests' own CSV reader, locked in tests/deno.lock (the product only writes CSV).
// deno-lint-ignore no-import-prefix
import { parse } from "npm:csv-parse@7.0.3/sync";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { sessionCookie, withPage } from "./_helpers/pages.ts";
import { createApiKey } from "../services/accounts/api_keys.ts";
import { formatUsd } from "../services/billing/money.ts";
import { seedRequestLog } from "../scripts/bench/log_seed.ts";

const gw = await startGateway();
const { sql } = gw;
const base = gw.server.url;

const ann = await customer(sql, { balance: 20_000_000n });
const quoted = (await createApiKey(sql, { userId: ann.id, name: 'staging, "blue"' })).apiKey;
const hostile = await createApiKey(sql, {
  userId: ann.id,
  name: '=HYPERLINK("http://evil.example","click")',
});
await seedRequestLog(sql, { userId: ann.id, keyIds: [ann.apiKeyId, quoted.id], rows: 2_300 });

// Real calls: charged by the ledger, and rejected ones naming hostile or Chinese models.
const charged: string[] = [];
for (const quality of ["low", "high"] as const) {
  const { response } = await gw.client(ann.key).images.generate({
    model: "gpt-image-2",
    prompt: "a paper boat",
    quality,
  }).withResponse();
  charged.push(response.headers.get("x-request-id")!);
}
const HOSTILE_MODELS = ["=1+2", "@SUM(A1)", "-2+3", "+cmd|' /C calc'!A0", "图像模型，测试"];
for (const model of HOSTILE_MODELS) {
  const answer = await fetch(`${base}/v1/images/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${hostile.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, prompt: "x" }),
  });
  assert.equal(answer.status, 404, "no such model");
  await answer.body?.cancel();
}
const cookie = await sessionCookie(base, ann.email);

type Line = Record<string, string>;
const BOM = [0xef, 0xbb, 0xbf];

function read(bytes: Uint8Array): { lines: Line[]; text: string } {
  assert.deepEqual([...bytes.slice(0, 3)], BOM, "a UTF-8 byte order mark first");
  const text = new TextDecoder().decode(bytes.slice(3));
  return { lines: parse(text, { columns: true }) as Line[], text };
}

async function exported(query: string) {
  const answer = await fetch(`${base}/logs.csv${query}`, { headers: { cookie } });
  assert.equal(answer.status, 200);
  return { answer, ...read(await answer.bytes()) };
}

test("in Chromium: Export CSV downloads exactly the filtered rows, costs exact to the ledger's micro-dollar", async () => {
  await withPage(base, { email: ann.email }, async (page) => {
    await page.goto(`${base}/logs`);
    await page.getByLabel("Status").selectOption("ok");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/status=ok/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^tokensmart-requests-\d{4}-\d{2}-\d{2}\.csv$/);
    const { lines, text } = read(await Deno.readFile((await download.path())!));
    assert.ok(text.includes("\r\n") && !/[^\r]\n/.test(text), "lines end in CRLF");

    const expected = await sql<{ requestId: string; cost: bigint }[]>`
      select request_id as "requestId", cost from request_log
      where user_id = ${ann.id} and status = 'ok'
      order by created_at desc, request_id desc`;
    assert.ok(expected.length > 1000, "more than one batch");
    assert.deepEqual(lines.map((l) => l.request_id), expected.map((r) => r.requestId));
    assert.deepEqual(lines.map((l) => l.cost_usd), expected.map((r) => formatUsd(r.cost)));
    assert.ok(lines.every((l) => l.status === "ok"));

    for (const requestId of charged) {
      const [{ amount }] = await sql<{ amount: bigint }[]>`
        select t.amount from request_log r join ledger_transfers t on t.id = r.charge_id
        where r.request_id = ${requestId}`;
      const line = lines.find((l) => l.request_id === requestId)!;
      assert.equal(line.cost_usd, formatUsd(amount), "the ledger's charge, to the micro-dollar");
      assert.equal(line.key_name, "");
      assert.equal(line.via, "api");
    }
  });
});

test("the whole log streams in batches, newest first, each row once; the answer is an attachment", async () => {
  const { answer, lines } = await exported("");
  assert.equal(answer.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.match(
    answer.headers.get("content-disposition")!,
    /^attachment; filename="tokensmart-requests-/,
  );
  assert.equal(answer.headers.get("cache-control"), "private, no-store");
  const [{ n }] = await sql<
    { n: bigint }[]
  >`select count(*) as n from request_log where user_id = ${ann.id}`;
  assert.equal(lines.length, Number(n));
  assert.equal(new Set(lines.map((l) => l.request_id)).size, lines.length);
  const times = lines.map((l) => l.time_utc);
  assert.deepEqual(times, [...times].sort().reverse());
  assert.deepEqual(Object.keys(lines[0]), [
    "time_utc",
    "request_id",
    "via",
    "key_name",
    "key_prefix",
    "endpoint",
    "kind",
    "model",
    "status",
    "http_status",
    "error_code",
    "images",
    "size",
    "quality",
    "input_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "output_tokens",
    "finish_reason",
    "stream",
    "latency_ms",
    "upstream_latency_ms",
    "cost_usd",
  ]);
});

test("quoting, Chinese and formula injection: a cell reads back as written, and none starts a formula", async () => {
  const { lines, text } = await exported("?status=invalid");
  const mine = lines.filter((l) => l.key_prefix === hostile.apiKey.prefix);
  assert.deepEqual(
    mine.map((l) => l.model).sort(),
    HOSTILE_MODELS.map((m) => /^[=+\-@]/.test(m) ? `'${m}` : m).sort(),
  );
  assert.ok(mine.some((l) => l.model === "图像模型，测试"), "Chinese as Chinese");
  assert.ok(mine.every((l) => l.key_name === `'=HYPERLINK("http://evil.example","click")`));
  assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), "RFC 4180 quotes");
  for (const line of lines) {
    for (const cell of Object.values(line)) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
  }
  const staging = (await exported(`?key=${quoted.id}`)).lines;
  assert.ok(staging.length > 0);
  assert.ok(staging.every((l) => l.key_name === 'staging, "blue"'));
});

test("a request id exports that one call whatever the filters; a bad filter is a 400 envelope", async () => {
  const { lines } = await exported(`?request_id=${charged[0]}&kind=text&status=failed`);
  assert.deepEqual(lines.map((l) => l.request_id), [charged[0]]);
  const bad = await fetch(`${base}/logs.csv?from=yesterday`, { headers: { cookie } });
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), {
    error: {
      message: "Enter a date as YYYY-MM-DD.",
      type: "invalid_request_error",
      param: "from",
      code: "invalid_value",
    },
  });
});
