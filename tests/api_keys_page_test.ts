// The API keys page: create a key (a name, an optional spend limit in exact dollars), see it once
// and copy it, use it with the official SDK, see when it was last used, revoke it and see the SDK
// refused at once. Only the owner's keys, ever.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { launchBrowser } from "./_helpers/browser.ts";
import {
  assertNoSidewaysScroll,
  loggedIn,
  PHONE,
  postForm,
  screenshot,
  scriptErrors,
  sessionCookie,
} from "./_helpers/pages.ts";
import { listApiKeys } from "../services/accounts/api_keys.ts";

const gw = await startGateway();
const base = gw.server.url;

test("in Chromium: create a key, see it once, copy it, use it, see it used, revoke it, see it refused", async () => {
  const ann = await customer(gw.sql, { balance: 1_000_000n });
  const browser = await launchBrowser();
  try {
    const { context, page } = await loggedIn(browser, base, ann.email);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const errors = scriptErrors(page);
    await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", {
      name: "API keys",
    })
      .click();
    await page.getByLabel("Name").fill("ci server");
    await page.getByLabel("Spend limit (USD)").fill("5.5");
    await page.getByRole("button", { name: "Create key" }).click();

    const shown = page.locator(".new-key .secret code");
    const key = await shown.innerText();
    assert.match(key, /^pk_live_[0-9A-Za-z]{40}$/);
    await page.locator(".new-key").getByText("it will not be shown again").waitFor();
    await screenshot(page, "desktop-keys-created");
    await page.locator(".new-key").getByRole("button", { name: "Copy" }).click();
    await page.locator(".new-key").getByRole("button", { name: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);

    const models = await gw.client(key).models.list();
    assert.ok(models.data.some((m) => m.id === "gpt-image-2"), "the key works with the SDK");

    await page.goto(`${base}/keys`);
    assert.ok(!(await page.content()).includes(key), "shown once: not on the page again");
    const row = page.getByRole("row", { name: /ci server/ });
    assert.match(await row.innerText(), new RegExp(key.slice(0, 16)));
    assert.match(await row.innerText(), /\$0\.00 of \$5\.50/);
    assert.match(await row.innerText(), /Active/);
    assert.doesNotMatch(await row.innerText(), /Never/, "last used is recorded");

    await row.getByText("Revoke…").click();
    await screenshot(page, "desktop-keys-revoke");
    await row.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("status").getByText(/is revoked/).waitFor();
    assert.match(await page.getByRole("row", { name: /ci server/ }).innerText(), /Revoked/);
    await assert.rejects(
      gw.client(key).models.list(),
      (error) => error instanceof OpenAI.AuthenticationError && /revoked/.test(error.message),
    );
    assert.deepEqual(errors, []);

    await page.setViewportSize(PHONE);
    await page.reload();
    await assertNoSidewaysScroll(page);
    await screenshot(page, "phone-keys-list");
  } finally {
    await browser.close();
  }
});

test("a spend limit is read exactly as dollars and cents, never through a float", async () => {
  const ben = await customer(gw.sql);
  const cookie = await sessionCookie(base, ben.email);
  const limits: [string, bigint][] = [["$12.50", 12_500_000n], ["0.000001", 1n], ["0.3", 300_000n]];
  for (const [limit, micros] of limits) {
    const made = await postForm(base, "/keys", { name: `limit ${limit}`, limit }, { cookie });
    assert.equal(made.status, 200, limit);
    await made.body?.cancel();
    const key = (await listApiKeys(gw.sql, ben.id)).find((k) => k.name === `limit ${limit}`);
    assert.equal(key?.spendLimit, micros, limit);
  }
  const unlimited = await postForm(base, "/keys", { name: "", limit: "" }, { cookie });
  assert.match(await unlimited.text(), /No limit/);
});

test("bad input says what to fix, in the visitor's language, and makes no key", async () => {
  const cat = await customer(gw.sql);
  const cookie = await sessionCookie(base, cat.email);
  const before = (await listApiKeys(gw.sql, cat.id)).length;
  const cases = [
    [{ limit: "abc" }, /Enter the limit in US dollars/],
    [{ limit: "-5" }, /Enter the limit in US dollars/],
    [{ limit: "1.1234567" }, /up to 6 decimal places/],
    [{ limit: "0" }, /must be more than \$0/],
    [{ name: "n".repeat(65) }, /64 characters or fewer/],
  ] as const;
  for (const [fields, message] of cases) {
    const answer = await postForm(base, "/keys", fields, { cookie });
    assert.equal(answer.status, 400, JSON.stringify(fields));
    assert.match(await answer.text(), message);
  }
  const chinese = await postForm(base, "/keys", { limit: "0" }, {
    cookie,
    "accept-language": "zh-CN",
  });
  assert.match(await chinese.text(), /消费上限必须大于 \$0/);
  assert.equal((await listApiKeys(gw.sql, cat.id)).length, before);
});

test("no session, or a form from another site, makes no key", async () => {
  const dee = await customer(gw.sql);
  const before = (await listApiKeys(gw.sql, dee.id)).length;
  const none = await postForm(base, "/keys", { name: "x" });
  assert.equal(none.status, 401);
  await none.body?.cancel();
  const cookie = await sessionCookie(base, dee.email);
  const forged = await postForm(base, "/keys", { name: "x" }, {
    cookie,
    origin: "https://evil.example",
  });
  assert.equal(forged.status, 403);
  await forged.body?.cancel();
  assert.equal((await listApiKeys(gw.sql, dee.id)).length, before);
});

test("isolation: another account sees none of the keys and cannot revoke them by guessing ids", async () => {
  const eve = await customer(gw.sql);
  const fay = await customer(gw.sql);
  const eveKey = (await listApiKeys(gw.sql, eve.id))[0];
  const fayCookie = await sessionCookie(base, fay.email);

  const fayPage = await (await fetch(`${base}/keys`, { headers: { cookie: fayCookie } })).text();
  assert.ok(!fayPage.includes(eveKey.prefix), "the list is the owner's alone");
  assert.ok(fayPage.includes((await listApiKeys(gw.sql, fay.id))[0].prefix));

  for (const id of [String(eveKey.id), "999999999", "abc", "0", "99999999999999999999"]) {
    const guessed = await postForm(base, `/keys/${id}/revoke`, {}, { cookie: fayCookie });
    assert.equal(guessed.status, 404, id);
    assert.match(await guessed.text(), /Key not found/);
  }
  const models = await gw.client(eve.key).models.list();
  assert.ok(models.data.length > 0, "her key still works");
  assert.equal((await listApiKeys(gw.sql, eve.id))[0].revokedAt, null);

  const flash = await fetch(`${base}/keys?revoked=${eveKey.id}`, {
    headers: { cookie: fayCookie },
  });
  assert.doesNotMatch(await flash.text(), /is revoked/, "nor learns of them through the page");
});

test("revoking takes effect at once, also for a key this server remembers; twice is harmless", async () => {
  const gus = await customer(gw.sql);
  const client = gw.client(gus.key);
  await client.models.list(); // now remembered by this server (services/accounts/api_keys.ts KeyCache)
  const cookie = await sessionCookie(base, gus.email);
  for (let i = 0; i < 2; i++) {
    const revoked = await postForm(base, `/keys/${gus.apiKeyId}/revoke`, {}, { cookie });
    assert.equal(revoked.status, 303);
    assert.equal(revoked.headers.get("location"), `/keys?revoked=${gus.apiKeyId}`);
    await assert.rejects(client.models.list(), OpenAI.AuthenticationError);
  }
});
