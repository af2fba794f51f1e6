// Logged-in pages in headless Chromium, for the dashboard's browser tests.
import type { Browser, BrowserContext, Page } from "./browser.ts";
import { launchBrowser } from "./browser.ts";

export const PASSWORD = "correct horse battery"; // the fixtures' customers all have it

/** The session token of a fresh login, as the login form would set it. */
export async function sessionToken(baseUrl: string, email: string): Promise<string> {
  const answer = await fetch(`${baseUrl}/account/login`, {
    method: "POST",
    headers: { origin: baseUrl, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password: PASSWORD }),
    redirect: "manual",
  });
  await answer.body?.cancel();
  const cookie = answer.headers.getSetCookie().find((c) => c.startsWith("tokensmart_session="));
  if (!cookie) throw new Error(`no session for ${email} (${answer.status})`);
  return cookie.split(";")[0].split("=")[1];
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

/** Saves a full-page screenshot under .tmp/screenshots/ (gitignored), for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const folder = new URL("../../.tmp/screenshots/", import.meta.url);
  await Deno.mkdir(folder, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, folder).pathname, fullPage: true });
}

/** Presses Tab until the focused element matches `selector` (at most `max` times). */
export async function tabTo(page: Page, selector: string, max = 30): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}
