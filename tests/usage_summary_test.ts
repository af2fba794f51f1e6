// Usage at a glance on the signed-in home page: spend per day over the last 30 days as an SVG
// chart stacked by kind, with a legend, a title and description, and the same figures as tables
// (per day, per model); the balance, and the running month's total — the draft invoice's charges.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { addTextChannel, startGateway } from "./_helpers/app.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { assertNoSidewaysScroll, screenshot, sessionCookie, withPage } from "./_helpers/pages.ts";
import { startStandinTextUpstreams } from "./_helpers/standin_text_upstreams.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { listInvoices } from "../services/billing/invoices.ts";
import { usageSummary } from "../services/billing/usage.ts";
import { displayBalance, displayUsd } from "../services/billing/money.ts";
import type { Sql } from "../services/platform/database.ts";

const gw = await startGateway();
const { sql, upstream } = gw;
const base = gw.server.url;
const text = startStandinTextUpstreams();
await addTextChannel(sql, text, "openai", ["gpt-5.1"], {
  name: "openai-text",
  priority: 10,
  timeoutMs: 5_000,
});

/** A text call charged `daysAgo` days ago, written as the gateway writes one: hold, settle, log. */
async function chargedDaysAgo(
  sql: Sql,
  who: { id: bigint; accountId: bigint },
  daysAgo: number,
  model: string,
  cost: bigint,
) {
  const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  const [hold, settle] = [crypto.randomUUID(), crypto.randomUUID()];
  const requestId = `req_${crypto.randomUUID().replaceAll("-", "")}`;
  await sql.begin(async (tx) => {
    await tx`insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount,
               deadline, request_id, created_at)
             values (${hold}, 'hold', ${who.accountId}, 1, ${cost}, ${at}, ${requestId}, ${at})`;
    await tx`insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount,
               pending_id, created_at)
             values (${settle}, 'settle', ${who.accountId}, 1, ${cost}, ${hold}, ${at})`;
    await tx`insert into request_log (request_id, created_at, user_id, endpoint, kind, model_id,
               status, http_status, latency_ms, input_tokens, output_tokens, cost, hold_id,
               charge_id)
             values (${requestId}, ${at}, ${who.id}, '/v1/chat/completions', 'text', ${model},
               'ok', 200, 900, 100, 100, ${cost}, ${hold}, ${settle})`;
    await tx`update ledger_accounts set debits_posted = debits_posted + ${cost}
             where id = ${who.accountId}`;
  });
}

test("the home page shows the balance, the month so far and 30 days of spend by kind and model", async () => {
  const uma = await customer(sql, { balance: 40_000_000n });
  for (
    const [days, model, cost] of [
      [3, "gpt-5.1", 120_000n],
      [3, "claude-haiku-4-5", 40_000n],
      [9, "gpt-5.1", 310_000n],
      [20, "gemini-2.5-flash", 75_000n],
      [29, "gpt-5.1", 50_000n],
      [31, "gpt-5.1", 999_000n],
    ] as const
  ) {
    await chargedDaysAgo(sql, uma, days, model, cost);
  }
  upstream.respond = () => ({ kind: "ok" });
  await gw.client(uma.key).images.generate({
    model: "gpt-image-2",
    prompt: "a dune",
    size: "1536x1024",
    quality: "high",
    n: 2,
  });
  text.respond = () => ({ kind: "reply", text: "hi", usage: { input: 500, output: 200 } });
  await gw.client(uma.key).chat.completions.create({
    model: "gpt-5.1",
    messages: [{ role: "user", content: "Hello there. ".repeat(60) }],
  });

  const usage = await usageSummary(sql, uma.accountId);
  const [today] = await sql<{ cost: bigint }[]>`select coalesce(sum(cost), 0)::bigint as cost
    from request_log where user_id = ${uma.id} and created_at > now() - interval '1 day'`;
  assert.equal(usage.days.length, 30);
  assert.equal(usage.days.at(-1)!.total, today.cost, "today's bar is today's calls");
  assert.equal(usage.days.at(-1)!.byKind.image, 2n * 198_000n);
  assert.equal(
    usage.total,
    today.cost + 120_000n + 40_000n + 310_000n + 75_000n + 50_000n,
    "not the 31st day",
  );
  assert.deepEqual(
    new Set(usage.byModel.map((m) => `${m.kind} ${m.model}`)),
    new Set([
      "image gpt-image-2",
      "text gpt-5.1",
      "text claude-haiku-4-5",
      "text gemini-2.5-flash",
    ]),
  );
  assert.ok(usage.byModel.every((m, i) => i === 0 || usage.byModel[i - 1].amount >= m.amount));
  const running = (await listInvoices(sql, uma.accountId))[0];
  assert.equal(usage.month, running.month);
  assert.equal(
    usage.monthToDate,
    running.totals.charges,
    "the month so far is the draft invoice's charges",
  );
  assert.equal(usage.available, (await balanceOf(sql, uma.accountId)).available);

  const cookie = await sessionCookie(base, uma.email);
  const html = await (await fetch(base, { headers: { cookie } })).text();
  assert.match(
    html,
    /<svg[^>]*role="img"[^>]*aria-labelledby="usage-chart-title usage-chart-desc"/,
  );
  assert.match(html, /<title id="usage-chart-title">Spend per day, last 30 days<\/title>/);
  assert.doesNotMatch(html, /\sstyle=|<style/, "no inline styles (the CSP)");
  assert.match(
    html,
    new RegExp(`This month so far[\\s\\S]*${displayUsd(usage.monthToDate).replace("$", "\\$")}`),
  );

  for (const width of [1280, 390]) {
    await withPage(base, { email: uma.email, width }, async (page) => {
      await page.goto(base);
      const chart = page.getByRole("img", { name: "Spend per day, last 30 days" });
      await chart.waitFor();
      assert.equal(
        await page.locator("svg rect.bar").count(),
        usage.days.reduce((n, d) => n + Object.values(d.byKind).filter((a) => a > 0n).length, 0),
      );
      assert.deepEqual(await page.locator(".chart-legend li").allInnerTexts(), [
        "Images",
        "Text",
        "Other",
      ]);
      assert.equal(
        await page.locator(".usage-stats dd").first().innerText(),
        displayBalance(usage.available),
      );
      await page.getByText("Spend per day as a table").click();
      assert.equal(await page.locator("table.usage-days tbody tr").count(), 30);
      assert.equal(await page.locator("table.usage-models tbody tr").count(), usage.byModel.length);
      if (width === 390) await assertNoSidewaysScroll(page);
      await page.getByText("Spend per day as a table").click();
      await screenshot(page, `home-usage-${width}`);
    });
  }
  await withPage(base, { email: uma.email, locale: "zh-CN" }, async (page) => {
    await page.goto(base);
    const main = await page.locator("main").innerText();
    for (const words of ["用量概览", "本月累计", "近 30 天", "余额"]) {
      assert.match(main, new RegExp(words));
    }
  });
  await assertLedgerHolds(sql);
});

test("a new account sees an empty chart, $0.00 and nothing this month", async () => {
  const val = await customer(sql);
  const usage = await usageSummary(sql, val.accountId);
  assert.equal(usage.total, 0n);
  assert.equal(usage.monthToDate, 0n);
  const html =
    await (await fetch(base, { headers: { cookie: await sessionCookie(base, val.email) } })).text();
  assert.match(html, /No charges in the last 30 days/);
  assert.match(html, /<svg[^>]*role="img"/);
  assert.doesNotMatch(html, /<rect class="bar/);
});
