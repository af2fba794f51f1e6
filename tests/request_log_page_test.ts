// The request log page in Chromium: the account's calls newest first, filtered by kind, model,
// key, status and dates with the filters in the URL (a GET form: no JavaScript needed), an exact
// request-id lookup that ignores them, 50 a page by cursor (Older, Newer), a row opening its
// detail (the channel and what failed over, the hold and the charge, the images), Chinese for a
// Chinese browser, and a phone.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { addStandinChannel, startGateway } from "./_helpers/app.ts";
import { startStandinUpstream } from "./_helpers/standin_upstream.ts";
import {
  assertNoSidewaysScroll,
  PHONE,
  screenshot,
  sessionCookie,
  withPage,
} from "./_helpers/pages.ts";
import type { Page } from "./_helpers/browser.ts";
import { createApiKey } from "../services/accounts/api_keys.ts";
import { displayUsd } from "../services/billing/money.ts";
import { seedRequestLog } from "../scripts/bench/log_seed.ts";

const gw = await startGateway();
const { sql } = gw;
const base = gw.server.url;
// A channel above the stand-in that fails while `east.respond` says so: the call fails over.
const east = startStandinUpstream();
await addStandinChannel(sql, "east-primary", east, 200);
east.respond = () => ({ kind: "status", status: 503, message: "overloaded" });

const ann = await customer(sql, { balance: 50_000_000n });
const staging = (await createApiKey(sql, { userId: ann.id, name: "staging" })).apiKey;
await sql`update api_keys set name = 'production' where id = ${ann.apiKeyId}`;
await seedRequestLog(sql, {
  userId: ann.id,
  keyIds: [ann.apiKeyId, staging.id],
  rows: 140,
  days: 20,
});

const rowIds = (page: Page) =>
  page.locator("tr.log-row").evaluateAll((rows) =>
    rows.map((row) => (row as HTMLElement).dataset.requestId!)
  );

/** Ann's request ids in the log's order, where `where` (SQL on request_log) holds. */
async function expectedIds(where = sql`true`) {
  return (await sql<{ id: string }[]>`
    select request_id as id from request_log where user_id = ${ann.id} and ${where}
    order by created_at desc, request_id desc`).map((r) => r.id);
}

test("filter by kind, status, key and dates: the URL says so, and the rows are exactly those", async () => {
  await withPage(base, { email: ann.email }, async (page) => {
    await page.goto(`${base}/logs`);
    assert.equal(await page.locator("h1").innerText(), "Request log");
    assert.deepEqual(await rowIds(page), (await expectedIds()).slice(0, 50));
    await screenshot(page, "logs-desktop");

    await page.getByLabel("Kind").selectOption("image");
    await page.getByLabel("Status").selectOption("ok");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/kind=image/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("kind"), "image");
    assert.equal(url.searchParams.get("status"), "ok");
    assert.deepEqual(
      await rowIds(page),
      (await expectedIds(sql`kind = 'image' and status = 'ok'`)).slice(0, 50),
    );
    for (const row of await page.locator("tr.log-row").all()) {
      assert.match(await row.innerText(), /Image[\s\S]*Succeeded/);
    }
    assert.equal(await page.getByLabel("Kind").inputValue(), "image", "the form keeps the filter");

    await page.getByLabel("Key").selectOption({ label: `staging · ${staging.prefix}…` });
    const day = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("From").fill(day);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/key=/);
    assert.equal(new URL(page.url()).searchParams.get("key"), String(staging.id));
    assert.equal(new URL(page.url()).searchParams.get("from"), day);
    assert.deepEqual(
      await rowIds(page),
      await expectedIds(sql`kind = 'image' and status = 'ok' and api_key_id = ${staging.id}
        and created_at >= ${day}::date::timestamp at time zone 'UTC'`),
    );

    // The export link carries the same filters.
    const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    const exported = new URL(href!, base).searchParams;
    assert.equal(exported.get("kind"), "image");
    assert.equal(exported.get("key"), String(staging.id));
    assert.equal(exported.get("from"), day);

    await page.getByRole("link", { name: "Clear" }).click();
    await page.waitForURL(`${base}/logs`);
    assert.equal((await rowIds(page)).length, 50);
  });
});

test("a request id finds that call whatever the filters; a bad filter says which, with a 400", async () => {
  const [textCall] = await expectedIds(sql`kind = 'text'`);
  await withPage(base, { email: ann.email }, async (page) => {
    await page.goto(`${base}/logs?kind=image&status=blocked`);
    await page.getByLabel("Request ID").fill(textCall.toUpperCase());
    await page.getByRole("button", { name: "Find" }).click();
    await page.waitForURL(/request_id=/);
    assert.deepEqual(await rowIds(page), [textCall]);
    await page.getByText(`Showing request ${textCall} only`).waitFor();

    const answer = await page.goto(`${base}/logs?from=2026-13-01&status=lost`);
    assert.equal(answer?.status(), 400);
    await page.getByText("Some filters could not be read").waitFor();
    assert.equal(await page.getByLabel("From").getAttribute("aria-invalid"), "true");
    await page.getByText("Choose a status from the list.").waitFor();
  });
});

test("paging by cursor: Older shows the next 50, Newer comes back, never an offset", async () => {
  const all = await expectedIds();
  await withPage(base, { email: ann.email }, async (page) => {
    await page.goto(`${base}/logs`);
    const pages: string[][] = [await rowIds(page)];
    assert.equal(await page.getByRole("link", { name: "Newer" }).count(), 0);
    while (await page.getByRole("link", { name: "Older" }).count()) {
      await page.getByRole("link", { name: "Older" }).click();
      await page.waitForURL(/before=/);
      assert.equal(new URL(page.url()).searchParams.has("offset"), false);
      pages.push(await rowIds(page));
    }
    assert.deepEqual(pages.map((p) => p.length), [50, 50, 40]);
    assert.deepEqual(pages.flat(), all);
    await screenshot(page, "logs-desktop-last-page");

    await page.getByRole("link", { name: "Newer" }).click();
    await page.waitForURL(/after=/);
    assert.deepEqual(await rowIds(page), pages[1]);
    await page.getByRole("link", { name: "Newer" }).click();
    assert.deepEqual(await rowIds(page), pages[0]);
    assert.equal(await page.getByRole("link", { name: "Newer" }).count(), 0);
  });
});

test("a row opens its detail: the channel that served it and the one that failed first, the hold and the charge, the images", async () => {
  const { data, response } = await gw.client(ann.key).images.generate({
    model: "gpt-image-2",
    prompt: "a lighthouse at dawn, watercolour",
    size: "1536x1024",
    quality: "medium",
    n: 2,
  }).withResponse();
  assert.equal(data.data?.length, 2);
  const requestId = response.headers.get("x-request-id")!;
  const [log] = await sql`select * from request_log where request_id = ${requestId}`;
  const [hold] = await sql`select amount from ledger_transfers where id = ${log.hold_id}`;
  await withPage(base, { email: ann.email }, async (page) => {
    await page.goto(`${base}/logs`);
    const row = page.locator(`tr[data-request-id="${requestId}"]`);
    assert.match(await row.innerText(), /production[\s\S]*gpt-image-2[\s\S]*Succeeded/);
    assert.match(await row.innerText(), /2 × 1536×1024 · medium/);
    assert.match(await row.innerText(), new RegExp(displayUsd(log.cost).replace("$", "\\$")));
    // The row itself is the link (its time's link covers it).
    await row.click();
    await page.waitForURL(`${base}/logs/${requestId}`);

    const main = page.locator("main");
    await page.getByRole("heading", { name: /gpt-image-2/ }).waitFor();
    assert.match(await main.innerText(), new RegExp(requestId));
    const routing = page.locator("section", {
      has: page.getByRole("heading", { name: "Routing" }),
    });
    assert.match(await routing.innerText(), /Served by\s+stand-in/);
    assert.match(
      await routing.innerText(),
      /tried first\s+east-primary failed \(HTTP 503, \d+ ms\)/i,
    );
    const money = page.locator("section", { has: page.getByRole("heading", { name: "Money" }) });
    assert.match(
      await money.innerText(),
      new RegExp(`Held before the call\\s+\\${displayUsd(hold.amount)}`),
    );
    assert.match(await money.innerText(), new RegExp(`Charged\\s+\\${displayUsd(log.cost)}`));
    assert.match(await money.innerText(), new RegExp(log.charge_id));
    assert.match(await main.innerText(), /a lighthouse at dawn, watercolour/);
    const thumbs = page.locator(".thumbs img");
    assert.equal(await thumbs.count(), 2);
    for (const img of await thumbs.all()) {
      await img.scrollIntoViewIfNeeded();
      await page.waitForFunction(
        (el) => (el as HTMLImageElement).complete,
        await img.elementHandle(),
      );
      assert.ok(
        await img.evaluate((el) => (el as HTMLImageElement).naturalWidth > 0),
        "the thumbnail loads",
      );
    }
    await page.evaluate(() => scrollTo(0, 0));
    await screenshot(page, "logs-detail-desktop");
    await page.setViewportSize(PHONE);
    await assertNoSidewaysScroll(page);
    await screenshot(page, "logs-detail-phone");
  });
});

test("a Chinese browser reads the log in Chinese", async () => {
  gw.upstream.respond = () => ({ kind: "moderation_blocked" });
  await assert.rejects(
    gw.client(ann.key).images.generate({ model: "gpt-image-2", prompt: "something forbidden" }),
  );
  gw.upstream.respond = () => ({ kind: "ok" });
  await withPage(base, { email: ann.email, locale: "zh-CN" }, async (page) => {
    await page.goto(`${base}/logs?status=blocked`);
    assert.equal(await page.locator("h1").innerText(), "请求日志");
    const head = await page.locator("table.log thead").innerText();
    for (const word of ["时间", "密钥", "类型", "模型", "状态", "用量", "延迟", "费用"]) {
      assert.ok(head.includes(word), `${word} in ${head}`);
    }
    await page.getByRole("link", { name: "导出 CSV" }).waitFor();
    await page.getByRole("button", { name: "筛选" }).waitFor();
    assert.match(await page.locator("tr.log-row").first().innerText(), /已拦截/);
    assert.equal(await page.getByLabel("状态").inputValue(), "blocked");
    await screenshot(page, "logs-desktop-zh");
    await page.goto(`${base}/logs`);
    await page.locator("tr.log-row").first().locator(".row-link").click();
    await page.getByRole("heading", { name: "费用明细" }).waitFor();
    await screenshot(page, "logs-detail-desktop-zh");
  });
});

test("on a 390-px phone each call is a card; nothing scrolls sideways; no JavaScript needed", async () => {
  const cookie = await sessionCookie(base, ann.email);
  const html = await (await fetch(`${base}/logs`, { headers: { cookie } })).text();
  assert.ok(!html.includes("<script"), "the list page has no script");
  await withPage(base, { email: ann.email, width: PHONE.width }, async (page) => {
    await page.goto(`${base}/logs`);
    await assertNoSidewaysScroll(page);
    const card = page.locator("tr.log-row").first();
    assert.equal(await card.evaluate((el) => getComputedStyle(el).display), "grid");
    await screenshot(page, "logs-phone");
    await page.goto(`${base}/logs?status=blocked`);
    await assertNoSidewaysScroll(page);
    await screenshot(page, "logs-phone-blocked");
  });
  await withPage(base, { email: ann.email, width: PHONE.width, locale: "zh-CN" }, async (page) => {
    await page.goto(`${base}/logs`);
    await assertNoSidewaysScroll(page);
    await screenshot(page, "logs-phone-zh");
  });
});
