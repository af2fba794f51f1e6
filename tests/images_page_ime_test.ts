// The composer and IME input (pinyin): Enter sends, Shift+Enter is a new line, and the Enter that
// confirms an IME's text never sends, in Chrome's event order or in Safari's. Driven through the
// Chrome DevTools Protocol, which makes real composition events (Playwright has no IME API).
import assert from "node:assert/strict";
import type { CDPSession, Page } from "./_helpers/browser.ts";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { withPage } from "./_helpers/pages.ts";

const gw = await startGateway();
gw.upstream.respond = () => ({ kind: "ok" });

/** An Enter keydown as an IME sends it: keyCode 229, no text of its own. */
async function imeEnter(cdp: CDPSession) {
  for (const type of ["rawKeyDown", "keyUp"] as const) {
    await cdp.send("Input.dispatchKeyEvent", {
      type,
      key: "Enter",
      code: "Enter",
      windowsVirtualKeyCode: 229,
      nativeVirtualKeyCode: 229,
    });
  }
}

/** The bodies of the generations the page sent, in order. */
function sentPrompts(page: Page): string[] {
  const prompts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/generations") {
      prompts.push(JSON.parse(request.postData() ?? "{}").prompt);
    }
  });
  return prompts;
}

test("Enter that confirms pinyin never sends, in Chrome's order or Safari's; Shift+Enter adds a line; a plain Enter then sends it all", async () => {
  const ann = await customer(gw.sql, { balance: 5_000_000n });
  await withPage(gw.server.url, { email: ann.email, locale: "zh-CN" }, async (page) => {
    await page.goto(`${gw.server.url}/images`);
    const prompts = sentPrompts(page);
    const box = page.getByRole("textbox", { name: "描述画面" });
    await box.click();
    const cdp = await page.context().newCDPSession(page);

    // Chrome: Enter arrives while the composition is open (keyCode 229), then the text commits.
    await cdp.send("Input.imeSetComposition", { text: "yue", selectionStart: 3, selectionEnd: 3 });
    await imeEnter(cdp);
    await cdp.send("Input.insertText", { text: "月光" });

    // Safari: the composition ends first (compositionend), then its confirming Enter arrives with
    // isComposing false but keyCode 229.
    await cdp.send("Input.imeSetComposition", { text: "mao", selectionStart: 3, selectionEnd: 3 });
    await cdp.send("Input.insertText", { text: "下的猫" });
    await imeEnter(cdp);
    assert.equal(await box.inputValue(), "月光下的猫");

    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("in a wizard hat");
    assert.equal(await box.inputValue(), "月光下的猫\nin a wizard hat");

    // Past the short window after compositionend, a plain Enter is the person's own: it sends.
    await page.waitForTimeout(150);
    await page.keyboard.press("Enter");
    await page.locator(".gen-card:not(.running)").first().waitFor();
    assert.deepEqual(
      prompts,
      ["月光下的猫\nin a wizard hat"],
      "one generation, sent by the last Enter",
    );
    assert.equal(await box.inputValue(), "月光下的猫\nin a wizard hat");
  });
});
