// The dashboard: every signed-in page in one frame — a sidebar (a menu on a phone), the balance
// always in view, who is signed in, log out, and a language switch that is remembered. It works
// without JavaScript, by keyboard, and on a 390-px phone.
import assert from "node:assert/strict";
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

const gw = await startGateway();
const base = gw.server.url;
const SECTIONS = ["Images", "API keys", "Request log", "Invoices", "Pricing"];

test("signed in, every page shows the sidebar, the balance in dollars and cents, and the account", async () => {
  const ann = await customer(gw.sql, { balance: 24_957_000n });
  const browser = await launchBrowser();
  try {
    const { page } = await loggedIn(browser, base, ann.email);
    const errors = scriptErrors(page);
    const nav = page.getByRole("navigation", { name: "Dashboard" });
    for (const path of ["/", "/keys", "/logs", "/invoices", "/pricing"]) {
      await page.goto(`${base}${path}`);
      for (const section of SECTIONS) {
        await nav.getByRole("link", { name: section }).waitFor();
      }
      assert.equal(await page.locator(".balance-amount").innerText(), "$24.95");
      assert.equal(await page.locator(".balance-amount").getAttribute("value"), "24.957000");
      assert.match(await page.locator(".account-email").innerText(), new RegExp(ann.email));
      assert.equal(await page.locator("html").getAttribute("lang"), "en");
      await screenshot(page, `desktop${path === "/" ? "-home" : path.replace("/", "-")}`);
    }
    assert.equal(
      await nav.locator('[aria-current="page"]').innerText(),
      "Pricing",
      "the current section is marked",
    );
    await page.goto(`${base}/logs`);
    assert.match(await page.locator("main").innerText(), /No requests yet/);
    assert.equal(await page.title(), "Request log · Tokensmart");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("on a 390-px phone the sidebar is a menu; nothing scrolls sideways", async () => {
  const ben = await customer(gw.sql, { balance: 1_000_000n });
  const browser = await launchBrowser();
  try {
    const { page } = await loggedIn(browser, base, ben.email, { viewport: PHONE });
    for (const path of ["/", "/keys", "/logs", "/invoices", "/pricing"]) {
      await page.goto(`${base}${path}`);
      await assertNoSidewaysScroll(page);
      assert.ok(await page.locator(".balance-amount").isVisible(), "the balance stays in view");
      await screenshot(page, `phone${path === "/" ? "-home" : path.replace("/", "-")}`);
    }
    const nav = page.getByRole("navigation", { name: "Dashboard" });
    assert.equal(await nav.isVisible(), false, "the menu starts closed");
    await page.getByRole("button", { name: "Menu" }).click();
    await nav.getByRole("link", { name: "API keys" }).waitFor();
    await screenshot(page, "phone-menu");
    await page.keyboard.press("Escape");
    await nav.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: "Menu" }).click();
    await nav.getByRole("link", { name: "API keys" }).click();
    await page.waitForURL(`${base}/keys`);
  } finally {
    await browser.close();
  }
});

test("a Chinese browser gets Chinese; the switch flips to English and is remembered", async () => {
  const cat = await customer(gw.sql, { balance: 25_000_000n });
  const browser = await launchBrowser();
  try {
    const { context, page } = await loggedIn(browser, base, cat.email, { locale: "zh-CN" });
    await page.goto(`${base}/keys`);
    assert.equal(await page.locator("html").getAttribute("lang"), "zh-CN");
    const nav = page.getByRole("navigation", { name: "控制台" });
    for (const section of ["图像", "API 密钥", "请求日志", "账单", "价格"]) {
      await nav.getByRole("link", { name: section }).waitFor();
    }
    assert.match(await page.locator(".app-bar").innerText(), /余额\s*\$25\.00/);
    await page.getByRole("button", { name: "退出登录" }).waitFor();
    await screenshot(page, "desktop-keys-zh");

    await page.getByRole("button", { name: "English" }).click();
    await page.waitForURL(`${base}/keys`);
    assert.equal(await page.locator("html").getAttribute("lang"), "en");
    await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", {
      name: "Request log",
    })
      .click();
    assert.equal(
      await page.locator("h1").innerText(),
      "Request log",
      "remembered on the next page",
    );
    const cookie = (await context.cookies()).find((c) => c.name === "tokensmart_lang");
    assert.equal(cookie?.value, "en");
    assert.ok(cookie!.expires > Date.now() / 1000 + 300 * 24 * 3600, "for about a year");

    await page.getByRole("button", { name: "简体中文" }).click();
    assert.equal(await page.locator("h1").innerText(), "请求日志");
  } finally {
    await browser.close();
  }
});

test("without JavaScript: log in, move between sections, switch language, log out", async () => {
  const dee = await customer(gw.sql);
  const browser = await launchBrowser();
  try {
    const { page } = await loggedIn(browser, base, dee.email, { javaScriptEnabled: false });
    await page.getByRole("link", { name: "API keys" }).click();
    await page.waitForURL(`${base}/keys`);
    assert.equal(await page.locator(".balance-amount").innerText(), "$0.00");
    await page.getByRole("button", { name: "简体中文" }).click();
    await page.waitForURL(`${base}/keys`);
    assert.equal(await page.locator("h1").innerText(), "API 密钥");
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole("link", { name: "登录" }).first().waitFor();
    assert.equal((await page.goto(`${base}/keys`))?.url(), `${base}/account/login?next=%2Fkeys`);
  } finally {
    await browser.close();
  }
});

test("by keyboard: a skip link, then the sidebar in order, each with a visible focus ring", async () => {
  const eve = await customer(gw.sql);
  const browser = await launchBrowser();
  try {
    const { page } = await loggedIn(browser, base, eve.email);
    await page.goto(`${base}/keys`);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    const focused: string[] = [];
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press("Tab");
      focused.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ""));
      const outline = await page.evaluate(() =>
        getComputedStyle(document.activeElement!).outlineStyle
      );
      assert.notEqual(outline, "none", `${focused.at(-1)} shows where the focus is`);
    }
    assert.deepEqual(focused.slice(1, 6), SECTIONS);
  } finally {
    await browser.close();
  }
});

test("a page asked for without a session sends the browser to log in, and back after", async () => {
  const fay = await customer(gw.sql);
  const page = await fetch(`${base}/invoices`, {
    headers: { accept: "text/html" },
    redirect: "manual",
  });
  assert.equal(page.headers.get("location"), "/account/login?next=%2Finvoices");
  const login = await postForm(base, "/account/login", {
    email: fay.email,
    password: "correct horse battery",
    next: "/invoices",
  });
  assert.equal(login.headers.get("location"), "/invoices");
});

test("after logging in, next goes to a path on this site only: never another site", async () => {
  const gus = await customer(gw.sql);
  for (const next of ["https://evil.example/", "//evil.example", "/\\evil.example", "keys"]) {
    const login = await postForm(base, "/account/login", {
      email: gus.email,
      password: "correct horse battery",
      next,
    });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get("location"), "/", next);
  }
  const form =
    await (await fetch(`${base}/account/login?next=${encodeURIComponent("//evil.example")}`))
      .text();
  assert.doesNotMatch(form, /name="next"/, "the form does not carry it either");
  assert.doesNotMatch(form, /tokensmart-demo/, "no demo login offered where the demo is off");
});

test("the language switch goes back to a path on this site only, and refuses other sites' posts", async () => {
  const switched = await postForm(base, "/account/language", {
    lang: "zh-CN",
    back: "//evil.example",
  });
  assert.equal(switched.status, 303);
  assert.equal(switched.headers.get("location"), "/");
  assert.match(switched.headers.getSetCookie().join(), /tokensmart_lang=zh-CN/);
  const forged = await postForm(base, "/account/language", { lang: "zh-CN", back: "/" }, {
    origin: "https://evil.example",
  });
  assert.equal(forged.status, 403);
  const unknown = await postForm(base, "/account/language", { lang: "klingon", back: "/pricing" });
  assert.equal(unknown.headers.get("location"), "/pricing");
  assert.deepEqual(unknown.headers.getSetCookie(), []);
  const huge = await postForm(base, "/account/language", { lang: "en", back: "x".repeat(10_000) });
  assert.equal(huge.status, 413, "a form body is small");
  await huge.body?.cancel();
});

test("the home page, signed in, is the dashboard's: the balance and where to start", async () => {
  const hal = await customer(gw.sql);
  const cookie = await sessionCookie(base, hal.email);
  const html = await (await fetch(base, { headers: { cookie } })).text();
  assert.match(html, /Welcome back/);
  assert.match(html, /New accounts start at \$0\.00/);
  assert.match(html, /href="\/images"/);
  assert.doesNotMatch(html, /Create a free account/);
});

test("no page needs inline styles or inline scripts (a CSP without 'unsafe-inline' can come)", async () => {
  const ivy = await customer(gw.sql);
  const cookie = await sessionCookie(base, ivy.email);
  const pages = ["/", "/pricing", "/account/login", "/account/signup"].map((p) => [p, ""]);
  for (const path of ["/", "/keys", "/logs", "/invoices", "/pricing"]) pages.push([path, cookie]);
  for (const [path, session] of pages) {
    const html =
      await (await fetch(`${base}${path}`, { headers: session ? { cookie: session } : {} }))
        .text();
    assert.doesNotMatch(html, /\sstyle=/, `${path}: no style attribute`);
    assert.doesNotMatch(html, /<style/, `${path}: no <style>`);
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)/, `${path}: no inline <script>`);
    assert.doesNotMatch(html, /\son[a-z]+=/, `${path}: no inline event handlers`);
  }
});
