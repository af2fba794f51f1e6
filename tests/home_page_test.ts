// The pages: server-rendered HTML, with islands hydrated in a real browser.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { startGateway } from "./_helpers/app.ts";
import { launchBrowser } from "./_helpers/browser.ts";

const gw = await startGateway();

test("the home page shows the quick start, and its copy button (an island) works in Chromium", async () => {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: gw.server.url,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    await page.goto(gw.server.url);
    assert.equal(await page.title(), "Tokensmart");
    for (const [name, href] of [["Sign up", "/account/signup"], ["Log in", "/account/login"]]) {
      const link = page.getByRole("navigation", { name: "Site" }).getByRole("link", { name });
      assert.equal(await link.getAttribute("href"), href, `the home page links to ${name}`);
    }
    assert.match(await page.locator("pre code").innerText(), /curl .*\/v1\/images\/generations/);
    const copy = page.getByRole("button", { name: "Copy" });
    await copy.click();
    await page.getByRole("button", { name: "Copied" }).waitFor({ timeout: 5_000 });
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(clipboard, /^curl .*gpt-image-2/s);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("pages without islands ship no JavaScript; islands and the stylesheet are served", async () => {
  const html = await (await fetch(gw.server.url)).text();
  const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(scripts, ["/_islands/CopyButton.js"]);
  const island = await fetch(`${gw.server.url}/_islands/CopyButton.js`);
  assert.equal(island.status, 200);
  assert.match(island.headers.get("content-type") ?? "", /javascript/);
  await island.body?.cancel();
  const css = await fetch(`${gw.server.url}/static/styles.css`);
  assert.equal(css.status, 200);
  await css.body?.cancel();
  assert.equal((await fetch(`${gw.server.url}/_islands/Nope.js`)).status, 404);
});
