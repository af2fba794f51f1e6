// The Invoices pages in Chromium: the list of months, an invoice that prints to a clean A4 PDF
// (Chromium's page.pdf, read back as text), its CSV downloaded and re-added to the micro-dollar,
// English and Chinese, a phone; and no account ever lists, opens or downloads another's.
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix
import { parse } from "npm:csv-parse@7.0.3/sync";
// deno-lint-ignore no-import-prefix
import { extractText, getDocumentProxy } from "npm:unpdf@1.8.1";
import { test } from "./_helpers/database.ts";
import { startGateway } from "./_helpers/app.ts";
import { customer } from "./_helpers/fixtures.ts";
import { assertNoSidewaysScroll, screenshot, sessionCookie, withPage } from "./_helpers/pages.ts";
import { closeMonth, monthOf, nextMonth, readInvoice } from "../services/billing/invoices.ts";
import { formatUsd } from "../services/billing/money.ts";

const gw = await startGateway();
const { sql, upstream } = gw;
const base = gw.server.url;
const month = monthOf(new Date());

// Ann and Bob both spend this month; the month closes; Ann spends again (next month's draft).
upstream.respond = () => ({ kind: "ok" });
const ann = await customer(sql, { balance: 10_000_000n });
const bob = await customer(sql, { balance: 3_000_000n });
for (
  const [model, size, quality, n] of [
    ["gpt-image-2", "1024x1024", "low", 2],
    ["gpt-image-2", "1536x1024", "high", 1],
    ["gpt-image-1.5", "1024x1536", "medium", 1],
  ] as const
) {
  await gw.client(ann.key).images.generate({ model, prompt: "a fjord", size, quality, n });
}
await gw.client(bob.key).images.generate({ model: "gpt-image-1-mini", prompt: "a hut" });
await closeMonth(sql, month);
await gw.client(ann.key).images.generate({ model: "gpt-image-2", prompt: "later", quality: "low" });
const annInvoice = (await readInvoice(sql, ann.accountId, month))!;
const bobInvoice = (await readInvoice(sql, bob.accountId, month))!;

test("the invoice opens from the list, prints to an A4 PDF with its number, and downloads as CSV that adds up", async () => {
  await withPage(base, { email: ann.email }, async (page) => {
    await page.goto(`${base}/invoices`);
    const rows = page.locator("table.invoices tbody tr");
    assert.equal(await rows.count(), 2, "next month's draft and this month's invoice");
    assert.match(await rows.nth(0).innerText(), /Draft/);
    assert.match(await rows.nth(1).innerText(), new RegExp(annInvoice.number!));
    await screenshot(page, "invoices-list-1280");
    await rows.nth(1).getByRole("link", { name: /View the invoice/ }).click();
    await page.waitForURL(`${base}/invoices/${month}`);
    assert.match(await page.locator("h1").innerText(), /^Invoice · /);
    assert.equal(await page.locator(".invoice-number").innerText(), annInvoice.number);
    const lines = page.locator("table.invoice-lines tbody tr");
    assert.equal(await lines.count(), 3);
    assert.match(
      await lines.nth(0).innerText(),
      /gpt-image-1\.5[\s\S]*1024x1536[\s\S]*\$0\.06 \/ image/,
    );
    await page.getByRole("button", { name: "Print" }).waitFor();
    await screenshot(page, "invoice-1280");

    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator(".sidebar").isVisible(), false, "printed without the frame");
    assert.equal(await page.locator(".invoice-actions").isVisible(), false);
    await screenshot(page, "invoice-print-1280");
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    assert.equal(new TextDecoder().decode(pdf.subarray(0, 5)), "%PDF-");
    const document = await getDocumentProxy(new Uint8Array(pdf));
    const { totalPages, text } = await extractText(document, { mergePages: true });
    assert.equal(totalPages, 1);
    assert.match(text, new RegExp(annInvoice.number!));
    assert.match(text, /Closing balance/);
    await Deno.writeFile(new URL("../.tmp/screenshots/invoice.pdf", import.meta.url), pdf);
    await page.emulateMedia({ media: "screen" });

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download CSV" }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), `tokensmart-invoice-${annInvoice.number}.csv`);
    const csv = await Deno.readTextFile(await file.path());
    assert.match(csv, /\r\n$/, "CRLF line ends");
    const records: Record<string, string>[] = parse(csv, { columns: true });
    assert.ok(records.every((r) => r.invoice === annInvoice.number && r.month === month));
    const micros = (r: Record<string, string>) => BigInt(r.amount_usd.replace(".", ""));
    const one = (kind: string) => micros(records.find((r) => r.kind === kind)!);
    const charged = records.filter((r) =>
      ["image", "text", "rounding", "capped", "other"]
        .includes(r.kind)
    ).reduce((sum, r) => sum + micros(r), 0n);
    assert.equal(charged, one("charges"));
    assert.equal(
      one("opening_balance") + one("top_ups") + one("refunds") - one("charges"),
      one("closing_balance"),
    );
    assert.equal(one("closing_balance"), annInvoice.totals.closingBalance);
    assert.equal(
      records.find((r) => r.kind === "image" && r.quality === "high")!.unit_price_usd,
      formatUsd(annInvoice.lines.find((l) => l.quality === "high")!.unitPrice!),
    );
  });
});

test("on a phone, and in Chinese", async () => {
  await withPage(base, { email: ann.email, width: 390 }, async (page) => {
    await page.goto(`${base}/invoices/${month}`);
    await screenshot(page, "invoice-390");
    await assertNoSidewaysScroll(page);
    await page.goto(`${base}/invoices`);
    await screenshot(page, "invoices-list-390");
    await assertNoSidewaysScroll(page);
  });
  await withPage(base, { email: ann.email, locale: "zh-CN" }, async (page) => {
    await page.goto(`${base}/invoices/${month}`);
    const text = await page.locator("main").innerText();
    for (
      const words of [
        "发票编号",
        "期初余额",
        "期末余额",
        "充值",
        "数量",
        "单价",
        "金额",
        "下载 CSV",
        "打印",
      ]
    ) {
      assert.match(text, new RegExp(words), words);
    }
    await screenshot(page, "invoice-zh-1280");
  });
});

test("nobody lists, opens or downloads another account's invoices, by the pages or by guessing", async () => {
  const bobCookie = await sessionCookie(base, bob.email);
  const get = (path: string, cookie = bobCookie) =>
    fetch(`${base}${path}`, { headers: { cookie, accept: "text/html" }, redirect: "manual" });
  const list = await (await get("/invoices")).text();
  assert.match(list, new RegExp(bobInvoice.number!));
  assert.doesNotMatch(list, new RegExp(annInvoice.number!));
  for (const path of [`/invoices/${month}`, `/invoices/${month}.csv`]) {
    const answer = await get(path);
    assert.equal(answer.status, 200, path);
    const body = await answer.text();
    assert.match(body, new RegExp(bobInvoice.number!), path);
    assert.doesNotMatch(body, new RegExp(annInvoice.number!), path);
    assert.doesNotMatch(body, /gpt-image-1\.5|1536x1024/, `${path}: none of Ann's lines`);
    assert.doesNotMatch(body, /\sstyle=|<script(?![^>]*\ssrc=)/, `${path}: nothing inline`);
  }
  const draft = await (await get(`/invoices/${nextMonth(month)}`)).text();
  assert.doesNotMatch(draft, /gpt-image-2/, "Ann's later call is hers alone");
  for (
    const path of [
      `/invoices/${annInvoice.number}`,
      `/invoices/${annInvoice.number}.csv`,
      `/invoices/${monthOf(new Date(Date.UTC(2020, 0, 1)))}`,
      `/invoices/${nextMonth(nextMonth(month))}`,
      "/invoices/2026-13",
      `/invoices/${month}.pdf`,
    ]
  ) {
    const answer = await get(path);
    assert.equal(answer.status, 404, path);
    await answer.body?.cancel();
  }
  const stranger = await get(`/invoices/${month}.csv`, "");
  assert.equal(stranger.status, 302, "logged out: to the login page");
  await stranger.body?.cancel();
});
