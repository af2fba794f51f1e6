// The pricing page, public: every image model with a "Per Generation" price for each size and
// quality, exact to the micro-dollar, in English or Chinese; inside the dashboard when signed in.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { launchBrowser } from "./_helpers/browser.ts";
import { assertNoSidewaysScroll, loggedIn, PHONE, screenshot } from "./_helpers/pages.ts";
import { setImagePrice } from "../services/billing/pricing.ts";

const gw = await startGateway();
const base = gw.server.url;

test("every image model's price per generation, by size and quality, exactly", async () => {
  // A price under a cent with more digits than cents shows all of them, never $0.00 or $0.01.
  await setImagePrice(gw.sql, {
    model: "gpt-image-1-mini",
    size: "1536x1024",
    quality: "low",
    price: 4_321n,
  });
  const html = await (await fetch(`${base}/pricing`)).text();
  assert.match(
    html,
    /<th scope="colgroup" colspan="3" class="per-generation">Per Generation<\/th>/,
  );
  for (const model of ["gpt-image-2", "gpt-image-1.5", "gpt-image-1-mini"]) {
    assert.match(html, new RegExp(`<code>${model}</code>`));
  }
  const rows = [...html.matchAll(/<tr><th scope="row">(.*?)<\/tr>/g)].map((m) => m[1])
    .filter((row) => row.includes('class="size"'));
  assert.equal(rows.length, 9, "three models × three sizes");
  // gpt-image-2, 1024×1024: the launch prices of migration 0002 (list price + 20%).
  assert.match(
    rows[0],
    /1024×1024.*\$0\.0072<\/td><td class="num">\$0\.0636<\/td><td class="num">\$0\.2532</,
  );
  assert.match(html, /\$0\.004321/);
  assert.equal(html.match(/Custom sizes:/g)?.length, 1, "gpt-image-2 alone makes custom sizes");
  assert.match(html, /Retires Dec 31, 2099/);
  // Text models per million tokens: claude-sonnet-4-5 at its launch rates (migration 0016).
  assert.match(html, /Text models/);
  assert.match(html, /claude-sonnet-4-5.*?\$3\.60.*?\$0\.36.*?\$4\.50.*?\$18\.00/s);
  assert.match(html, /href="\/account\/signup"/, "a visitor is asked to sign up");
});

test("in Chinese: 每次生成, and the same prices", async () => {
  const html = await (await fetch(`${base}/pricing`, { headers: { "accept-language": "zh-CN" } }))
    .text();
  assert.match(html, /<html lang="zh-CN">/);
  assert.match(html, /每次生成/);
  assert.match(html, /<title>价格 · Tokensmart<\/title>/);
  assert.match(html, /\$0\.2532/);
  assert.match(html, /2099年12月31日停用/);
});

test("in Chromium: the Per Generation column on a desktop and on a phone, no sideways scroll", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${base}/pricing`);
    await page.getByRole("columnheader", { name: "Per Generation" }).waitFor();
    await page.getByRole("link", { name: "Sign up" }).waitFor();
    await screenshot(page, "public-desktop-pricing");
    await page.setViewportSize(PHONE);
    await screenshot(page, "public-phone-pricing");
    await assertNoSidewaysScroll(page);
    for (const table of await page.locator("table.prices").all()) {
      const box = await table.boundingBox();
      assert.ok(box!.x + box!.width <= PHONE.width, "the whole price table fits the phone");
    }
  } finally {
    await browser.close();
  }
});

test("signed in, the pricing page sits in the dashboard, Pricing marked in the sidebar", async () => {
  const ann = await customer(gw.sql);
  const browser = await launchBrowser();
  try {
    const { page } = await loggedIn(browser, base, ann.email);
    await page.goto(`${base}/pricing`);
    const nav = page.getByRole("navigation", { name: "Dashboard" });
    assert.equal(await nav.locator('[aria-current="page"]').innerText(), "Pricing");
    await page.getByRole("columnheader", { name: "Per Generation" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Sign up" }).count(), 0);
  } finally {
    await browser.close();
  }
});
