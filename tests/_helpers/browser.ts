// Headless Chromium from Debian's package, driven by playwright-core (no browser download).
// playwright-core is the tests' own: pinned here, not in deno.json (whose every entry the
// product's install fetches), and locked in tests/deno.lock, the lockfile scripts/test.ts runs the
// tests with.
// deno-lint-ignore no-import-prefix
import { type Browser, chromium } from "npm:playwright-core@1.65.1";
export type {
  Browser,
  BrowserContext,
  CDPSession,
  Locator,
  Page,
} from "npm:playwright-core@1.65.1";

export const CHROMIUM = "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (.ci/run does: apt-get install -y chromium)`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine's network is closed: keep Chromium from reaching out at all.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
