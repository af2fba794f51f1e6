/// <reference lib="dom" />
// What the page tests share: posting a form as a browser on our own pages would, logging in for
// a session cookie, and checking and photographing a page in Chromium.
import assert from "node:assert/strict";
import { type Browser, type BrowserContext, launchBrowser, type Page } from "./browser.ts";

export const PASSWORD = "correct horse battery"; // the fixtures' customers all have it

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/** POSTs a form to `path` from our own origin, not following redirects. */
export function postForm(
  base: string,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      origin: base,
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

/** The `cookie` header of a fresh session for `email`. */
export async function sessionCookie(base: string, email: string, password = PASSWORD) {
  const answer = await postForm(base, "/account/login", { email, password });
  assert.equal(answer.status, 303, "logged in");
  const cookie = answer.headers.getSetCookie().find((c) => c.startsWith("tokensmart_session="));
  return cookie!.split(";")[0];
}

/** The session token of a fresh login, as the login form would set it. */
export async function sessionToken(base: string, email: string): Promise<string> {
  return (await sessionCookie(base, email)).split("=")[1];
}

/** A browser context logged in as `email`, in the visitor's `locale` (Accept-Language). */
export async function loggedIn(
  browser: Browser,
  base: string,
  email: string,
  options: { viewport?: typeof DESKTOP; locale?: string; javaScriptEnabled?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "en-US", ...options });
  const page = await context.newPage();
  await page.goto(`${base}/account/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('form[action="/account/login"] button[type="submit"]').click();
  await page.waitForURL(`${base}/`);
  return { context, page };
}

/** Fails if the page is wider than its viewport (a phone would scroll sideways). */
export async function assertNoSidewaysScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `page is ${scroll}px wide in a ${client}px viewport`);
}

/** Saves a full-page screenshot to .tmp/screenshots/<name>.png (gitignored) to look at. */
export async function screenshot(page: Page, name: string) {
  const dir = new URL("../../.tmp/screenshots/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, dir).pathname, fullPage: true });
}

/** Collects the page's script errors, to assert there were none. */
export function scriptErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  return errors;
}

export interface PageOptions {
  /** Viewport width; 1280 unless told (390 is a phone). */
  width?: number;
  /** The browser's language (it sets Accept-Language). */
  locale?: string;
  /** Logged in as this customer (a session cookie, as after the login form). */
  email?: string;
}

/** Runs `fn` with a fresh Chromium page; JavaScript errors on the page fail the test. */
export async function withPage(
  baseUrl: string,
  options: PageOptions,
  fn: (page: Page, context: BrowserContext) => Promise<void>,
): Promise<void> {
  const browser: Browser = await launchBrowser();
  try {
    const width = options.width ?? 1280;
    const context = await browser.newContext({
      viewport: { width, height: width < 600 ? 844 : 900 },
      locale: options.locale ?? "en-US",
      acceptDownloads: true,
    });
    if (options.email) {
      await context.addCookies([{
        name: "tokensmart_session",
        value: await sessionToken(baseUrl, options.email),
        url: baseUrl,
      }]);
    }
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await fn(page, context);
    if (errors.length) throw new Error(`errors on the page: ${errors.join("; ")}`);
  } finally {
    await browser.close();
  }
}

/** Presses Tab until the focused element matches `selector` (at most `max` times). */
export async function tabTo(page: Page, selector: string, max = 30): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}
