// The pages defend themselves in the browser: they cannot be framed by another site, run or style
// nothing but our own files (Content-Security-Policy), and leak no addresses in referrers — and
// they still work under those rules.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { startGateway } from "./_helpers/app.ts";
import { launchBrowser } from "./_helpers/browser.ts";

const gw = await startGateway();

const EXPECTED = {
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; " +
    "img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

test("every page, refusals included, says: no framing, our own scripts and styles only, nosniff, same-origin referrers", async () => {
  const answers = [
    await fetch(`${gw.server.url}/`),
    await fetch(`${gw.server.url}/account/login`),
    await fetch(`${gw.server.url}/account/login`, {
      method: "POST",
      headers: { origin: gw.server.url },
      body: new URLSearchParams({ email: "nobody@example.com", password: "wrong" }),
    }),
    await fetch(`${gw.server.url}/no-such-page`),
    await fetch(`${gw.server.url}/static/styles.css`),
  ];
  for (const answer of answers) {
    await answer.body?.cancel();
    for (const [name, value] of Object.entries(EXPECTED)) {
      assert.equal(answer.headers.get(name), value, `${name} on ${answer.url} (${answer.status})`);
    }
  }
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 401, 404, 200]);
});

test("in Chromium, the pages break none of those rules (the islands hydrate as module scripts)", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    // Registered before any page script, and not bound by the page's policy.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (globalThis as unknown as { violations: string[] }).violations = seen;
      document.addEventListener("securitypolicyviolation", (event) => {
        seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
      });
    });
    for (const path of ["/", "/account/login"]) {
      await page.goto(`${gw.server.url}${path}`, { waitUntil: "networkidle" });
      const violations = await page.evaluate(() =>
        (globalThis as unknown as { violations: string[] }).violations
      );
      assert.deepEqual(violations, [], path);
    }
    await page.goto(gw.server.url, { waitUntil: "networkidle" });
    const island = page.locator("tsm-island").first();
    assert.equal(await island.evaluate((el) => getComputedStyle(el).display), "contents");
  } finally {
    await browser.close();
  }
});
