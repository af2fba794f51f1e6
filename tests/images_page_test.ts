// The Images page: log in, type one sentence, get pictures and know what they cost. Generations
// made here are held, charged, stored and logged exactly like API calls; history, zoom and
// downloads; blocked prompts cost nothing; English and Chinese; phones and keyboards.
import assert from "node:assert/strict";
import type { Locator, Page } from "./_helpers/browser.ts";
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from "@zip.js/zip.js";
import { test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { startGateway, startServerOn } from "./_helpers/app.ts";
import { PASSWORD, screenshot as save, sessionToken, tabTo, withPage } from "./_helpers/pages.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { setChannelEnabled } from "../services/catalog/channels.ts";
import { composerModels } from "../services/images/page.ts";
import { displayUsd } from "../services/billing/money.ts";

const gw = await startGateway();
const { sql } = gw;
const base = gw.server.url;

const PNG = [0x89, 0x50, 0x4e, 0x47];
const promptBox = (page: Page) => page.getByRole("textbox", { name: "Describe the picture" });
const doneCards = (page: Page) => page.locator(".gen-card:not(.running)");

/** `locator`'s rendered text once it matches `pattern`, or as it is after 5 s. */
async function shownText(locator: Locator, pattern: RegExp): Promise<string> {
  let text = "";
  for (const until = Date.now() + 5_000; Date.now() < until;) {
    text = await locator.innerText();
    if (pattern.test(text)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return text;
}

/** Types `prompt`, presses Enter, and waits for its finished card. */
async function generate(page: Page, prompt: string) {
  await promptBox(page).fill(prompt);
  await promptBox(page).press("Enter");
  await doneCards(page).filter({ hasText: prompt }).first().waitFor();
}

/** POST /generations as the page does, logged in with `token`. */
function postGeneration(token: string, body: Record<string, unknown>) {
  return fetch(`${base}/generations`, {
    method: "POST",
    headers: {
      cookie: `tokensmart_session=${token}`,
      origin: base,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
}

/** A full-page screenshot with every card drawn (off screen, content-visibility skips them). */
async function screenshot(page: Page, name: string) {
  // Through the CSSOM: the pages' CSP refuses an injected <style>.
  await page.evaluate(() =>
    document.querySelectorAll<HTMLElement>(".gen-card").forEach((card) =>
      card.style.contentVisibility = "visible"
    )
  );
  await save(page, name);
}

async function logRows(userId: bigint) {
  return await sql`select * from request_log where user_id = ${userId} order by created_at`;
}

test("logged in through the form, a person generates with the default chips: a card at once with a running timer and one placeholder per image, then the images, the time and the cost charged", async () => {
  const ann = await customer(sql, { balance: 5_000_000n });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  gw.upstream.respond = () => ({ kind: "ok", until: held });
  await withPage(base, {}, async (page) => {
    await page.goto(`${base}/images`);
    await page.waitForURL(/\/account\/login/);
    await page.getByLabel("Email").fill(ann.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    // Logging in brings the person back to the page they asked for.
    await page.waitForURL(`${base}/images`);
    assert.equal(await page.getByRole("heading", { level: 1 }).innerText(), "Images");
    for (const row of ["Size", "Quality", "Background"]) {
      const group = page.getByRole("group", { name: row });
      assert.equal(await group.getByRole("radio", { checked: true }).getAttribute("value"), "auto");
    }
    assert.ok(
      await page.getByRole("group", { name: "Count" }).getByRole("radio", { name: "1" })
        .isChecked(),
    );

    const prompt = "A cozy orange cat in a wizard's hat, sitting on a rooftop under moonlight";
    await promptBox(page).fill(prompt);
    await promptBox(page).press("Enter");
    // The results island shows what the composer island sent: one shared state, in the browser.
    const running = page.locator('tsm-island[data-island="ImageResults"] .gen-card.running');
    assert.equal(
      await page.locator('tsm-island[data-island="ImageComposer"] .gen-card').count(),
      0,
    );
    await running.waitFor();
    assert.match(await running.locator(".timer").innerText(), /^Generating… \d+\.\d s$/);
    assert.equal(await running.locator(".placeholder").count(), 1);
    assert.match(await running.innerText(), /up to \$0\.2532 held/);
    release();

    const card = doneCards(page).first();
    await card.waitFor();
    assert.equal(await page.locator(".gen-card.running").count(), 0);
    assert.equal(await card.locator("img").count(), 1);
    const [log] = await logRows(ann.id);
    const meta = await card.locator(".gen-meta").innerText();
    assert.match(meta, /gpt-image-2/);
    assert.match(meta, /1024×1024/);
    assert.ok(meta.includes(`${(log.latency_ms / 1000).toFixed(1)} s`), meta);
    assert.ok(meta.includes(displayUsd(log.cost)), meta);
    assert.equal(displayUsd(log.cost), "$0.0636", "medium square, what the stand-in made");
    assert.equal(await promptBox(page).inputValue(), prompt, "the prompt stays for another go");
    const image = await page.request.get(`${base}${await card.locator("img").getAttribute("src")}`);
    assert.deepEqual([...(await image.body()).subarray(0, 4)], PNG);
    await screenshot(page, "images-desktop-result");
  });
  await withPage(base, { width: 390, email: ann.email }, async (page) => {
    await page.goto(`${base}/images`);
    await doneCards(page).first().locator("img").evaluate((img: HTMLImageElement) => img.decode());
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 390, `no sideways scrolling on a phone (${overflow}px)`);
    await screenshot(page, "images-phone-result");
  });
  const balance = await balanceOf(sql, ann.accountId);
  assert.equal(balance.posted, 5_000_000n - 63_600n);
  assert.equal(balance.pending, 0n);
  await assertLedgerHolds(sql);
});

test("a generation on the page is held, charged, stored and logged exactly like the same API call, with no key in its log line", async () => {
  const ben = await customer(sql, { balance: 5_000_000n });
  gw.upstream.respond = () => ({ kind: "ok" });
  const body = { model: "gpt-image-2", prompt: "a lighthouse at dawn", size: "1536x1024", n: 2 };
  await gw.client(ben.key).images.generate({ ...body, size: "1536x1024" as const });
  const token = await sessionToken(base, ben.email);
  const answer = await postGeneration(token, body);
  assert.equal(answer.status, 200);
  const { generation, balance } = await answer.json();
  assert.equal(generation.images.length, 2);
  assert.equal(generation.cost, "98400");
  assert.equal(generation.viaApi, false);

  const [api, page] = await logRows(ben.id);
  const same = (row: Record<string, unknown>) => {
    const {
      request_id: _id,
      created_at: _at,
      api_key_id: _key,
      latency_ms: _ms,
      upstream_latency_ms: _upstreamMs,
      idempotency_key: _idempotency,
      hold_id,
      charge_id,
      ...rest
    } = row;
    return { ...rest, held: hold_id !== null, charged: charge_id !== null };
  };
  assert.deepEqual(same(page), same(api));
  assert.equal(api.api_key_id, ben.apiKeyId);
  assert.equal(page.api_key_id, null, "made on the dashboard");
  assert.equal(page.status, "ok");
  assert.equal(page.endpoint, "/v1/images/generations");
  const transfers = await sql`
    select kind, amount, api_key_id from ledger_transfers where request_id = ${page.request_id}
       or pending_id = ${page.hold_id} order by created_at`;
  assert.deepEqual(transfers.map((t) => [t.kind, t.api_key_id]), [["hold", null], [
    "settle",
    null,
  ]]);
  assert.equal(transfers[1].amount, 98_400n);
  const images = await sql`select user_id, cost from images where request_id = ${page.request_id}`;
  assert.deepEqual(images.map((i) => [i.user_id, i.cost]), [[ben.id, 49_200n], [ben.id, 49_200n]]);
  assert.equal(balance, String(5_000_000n - 2n * 98_400n));
  await assertLedgerHolds(sql);
});

test("the price follows the chips and the model; choices a model does not allow are disabled for it", async () => {
  const cat = await customer(sql, { balance: 5_000_000n });
  await withPage(base, { email: cat.email }, async (page) => {
    await page.goto(`${base}/images`);
    const price = page.locator(".price-total");
    const model = page.getByRole("combobox", { name: "Model" });
    const option = (id: string) => model.locator(`option[value="${id}"]`).textContent();
    assert.equal(await price.innerText(), "Up to $0.2532");
    assert.equal(await option("gpt-image-2"), "gpt-image-2 · from $0.006 / image");

    await page.getByRole("radio", { name: "Square" }).check();
    await page.getByRole("radio", { name: "Low" }).check();
    assert.equal(await price.innerText(), "$0.0072");
    assert.equal(await option("gpt-image-2"), "gpt-image-2 · $0.0072 / image");
    assert.equal(await option("gpt-image-1.5"), "gpt-image-1.5 · $0.0108 / image");
    await page.getByRole("radio", { name: "3", exact: true }).check();
    assert.equal(await price.innerText(), "3 × $0.0072 = $0.0216");

    const transparent = page.getByRole("radio", { name: "Transparent" });
    assert.ok(await transparent.isDisabled(), "gpt-image-2 makes no transparent backgrounds");
    await model.selectOption("gpt-image-1-mini");
    assert.equal(await price.innerText(), "3 × $0.006 = $0.018");
    assert.ok(await transparent.isEnabled());
    await transparent.check();
    await model.selectOption("gpt-image-2");
    assert.ok(await transparent.isDisabled());
    assert.ok(
      await page.getByRole("group", { name: "Background" }).getByRole("radio", { name: "Auto" })
        .isChecked(),
      "a choice the new model does not allow falls back to Auto",
    );
    assert.equal(await price.innerText(), "3 × $0.0072 = $0.0216");
  });
});

test("every combination of chips a model allows generates, and charges within what the page quoted for it", async () => {
  const dee = await customer(sql, { balance: 50_000_000n });
  gw.upstream.respond = () => ({ kind: "ok" });
  const token = await sessionToken(base, dee.email);
  for (const model of await composerModels(sql, { demo: false })) {
    for (const size of model.sizes) {
      for (const quality of model.qualities) {
        for (const background of model.backgrounds) {
          const answer = await postGeneration(token, {
            model: model.id,
            prompt: "a kite",
            size,
            quality,
            background,
          });
          const what = `${model.id} ${size} ${quality} ${background}`;
          assert.equal(answer.status, 200, what);
          const { generation } = await answer.json();
          const [min, max] = model.quotes[`${size}|${quality}`].map(BigInt);
          const cost = BigInt(generation.cost);
          assert.ok(min <= cost && cost <= max, `${what}: ${cost} within ${min}–${max}`);
          assert.match(generation.size, /^\d+x\d+$/, what);
          assert.match(generation.quality, /^(low|medium|high)$/, what);
          assert.equal(
            generation.background,
            background === "transparent" ? "transparent" : "opaque",
          );
        }
      }
    }
  }
  await assertLedgerHolds(sql);
});

test("click an image to zoom: a modal dialog that Escape closes, focus back on the image", async () => {
  const eve = await customer(sql, { balance: 5_000_000n });
  gw.upstream.respond = () => ({ kind: "ok" });
  await withPage(base, { email: eve.email }, async (page) => {
    await page.goto(`${base}/images`);
    await page.getByRole("radio", { name: "2", exact: true }).check();
    await generate(page, "two paper boats");
    const second = page.getByRole("button", { name: "Zoom image 2 of 2" });
    await second.click();
    const dialog = page.getByRole("dialog", { name: "Image preview" });
    await dialog.waitFor();
    assert.ok(await dialog.evaluate((d: HTMLDialogElement) => d.open && d.matches(":modal")));
    assert.equal(
      await dialog.locator("img").getAttribute("src"),
      await second.locator("img").getAttribute("src"),
    );
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.ok(await second.evaluate((button) => button === document.activeElement));
  });
});

test("each image downloads alone from its top-right button, and the batch as a ZIP with one file per image", async () => {
  const fay = await customer(sql, { balance: 5_000_000n });
  gw.upstream.respond = () => ({ kind: "ok" });
  await withPage(base, { email: fay.email }, async (page) => {
    await page.goto(`${base}/images`);
    await page.getByRole("radio", { name: "3", exact: true }).check();
    await generate(page, "three hot air balloons");
    const card = doneCards(page).first();

    const single = page.waitForEvent("download");
    await card.getByRole("link", { name: "Download image 1" }).click();
    const image = await single;
    assert.match(image.suggestedFilename(), /^tokensmart-img_[0-9a-f]{32}\.png$/);
    assert.deepEqual([...(await Deno.readFile(await image.path())).subarray(0, 4)], PNG);

    const batch = page.waitForEvent("download");
    await card.getByRole("link", { name: "Download ZIP" }).click();
    const zip = await batch;
    assert.match(zip.suggestedFilename(), /^tokensmart-req_[0-9a-f]{32}\.zip$/);
    const reader = new ZipReader(new Uint8ArrayReader(await Deno.readFile(await zip.path())), {
      useWebWorkers: false,
    });
    const entries = await reader.getEntries();
    assert.deepEqual(entries.map((e) => e.filename), ["image-1.png", "image-2.png", "image-3.png"]);
    for (const entry of entries) {
      assert.ok(!entry.directory);
      const bytes = await entry.getData(new Uint8ArrayWriter());
      assert.deepEqual([...bytes.subarray(0, 4)], PNG);
    }
    await reader.close();
  });
  // Streamed as it is made: no length known up front.
  const [{ request_id }] =
    await sql`select request_id from images where user_id = ${fay.id} limit 1`;
  const token = await sessionToken(base, fay.email);
  const zip = await fetch(`${base}/generations/${request_id}.zip`, {
    headers: { cookie: `tokensmart_session=${token}` },
  });
  assert.equal(zip.headers.get("content-type"), "application/zip");
  assert.equal(zip.headers.get("content-length"), null);
  assert.match(
    zip.headers.get("content-disposition") ?? "",
    /^attachment; filename="tokensmart-req_/,
  );
  await zip.body?.cancel();
});

test("a blocked prompt shows a friendly yellow notice above the composer, keeps the prompt, and costs nothing", async () => {
  const gus = await customer(sql, { balance: 5_000_000n });
  gw.upstream.respond = (body) =>
    String(body.prompt).includes("forbidden") ? { kind: "moderation_blocked" } : { kind: "ok" };
  for (const width of [1280, 390]) {
    await withPage(base, { email: gus.email, width }, async (page) => {
      await page.goto(`${base}/images`);
      const prompt = "a forbidden scene, described badly";
      await promptBox(page).fill(prompt);
      await promptBox(page).press("Enter");
      const notice = page.getByRole("status").locator(".notice");
      await notice.waitFor();
      assert.match(await notice.innerText(), /Blocked by the safety check/);
      assert.match(await notice.innerText(), /nothing was charged/);
      assert.equal(
        await page.getByRole("status").getAttribute("aria-live"),
        "polite",
      );
      const colour = await notice.evaluate((n) => getComputedStyle(n).backgroundColor);
      assert.equal(colour, "rgb(255, 248, 219)", "yellow, not red");
      const [noticeBox, composerBox] = [
        await notice.boundingBox(),
        await page.locator("form.composer").boundingBox(),
      ];
      assert.ok(noticeBox!.y + noticeBox!.height <= composerBox!.y, "above the composer");
      assert.equal(await promptBox(page).inputValue(), prompt);
      assert.ok(await promptBox(page).evaluate((t) => t === document.activeElement), "focus stays");
      assert.equal(await page.locator(".gen-card").count(), 0);
      await screenshot(page, width > 600 ? "images-desktop-blocked" : "images-phone-blocked");
    });
  }
  const balance = await balanceOf(sql, gus.accountId);
  assert.deepEqual([balance.posted, balance.pending], [5_000_000n, 0n]);
  const rows = await logRows(gus.id);
  assert.deepEqual(rows.map((r) => [r.status, r.error_code, r.cost]), [
    ["blocked", "moderation_blocked", 0n],
    ["blocked", "moderation_blocked", 0n],
  ]);
  await assertLedgerHolds(sql);
});

test("other problems say what happened and what to do: no money (with a link to top up), the model busy, the service down", async () => {
  const hal = await customer(sql, { balance: 10_000n });
  await withPage(base, { email: hal.email }, async (page) => {
    await page.goto(`${base}/images`);
    const notice = page.getByRole("status").locator(".notice");
    const generateButton = page.getByRole("button", { name: "Generate" });
    // The default chips hold up to $0.2532: more than the $0.01 left.
    gw.upstream.respond = () => ({ kind: "ok" });
    await promptBox(page).fill("a snail");
    await generateButton.click();
    await notice.waitFor();
    assert.match(
      await notice.innerText(),
      /does not cover this generation \(up to \$0\.2532\)\. Nothing was charged/,
    );
    assert.equal(await notice.getByRole("link").getAttribute("href"), "/keys");
    assert.match(await page.locator(".price-warn").innerText(), /may not cover this/);

    // Square and low quality: $0.0072, which the balance covers.
    await page.getByRole("radio", { name: "Square" }).check();
    await page.getByRole("radio", { name: "Low" }).check();
    const cases = [
      [429, /busy right now\. Nothing was charged; try again in a minute/],
      [503, /not answering right now\. Nothing was charged; try again in a few minutes/],
    ] as const;
    for (const [status, message] of cases) {
      await page.getByRole("button", { name: "Dismiss" }).click();
      await notice.waitFor({ state: "detached" });
      gw.upstream.respond = () => ({ kind: "status", status });
      await generateButton.click();
      await notice.waitFor();
      assert.match(await notice.innerText(), message);
    }
  });
  const balance = await balanceOf(sql, hal.accountId);
  assert.deepEqual([balance.posted, balance.pending], [10_000n, 0n]);
  await assertLedgerHolds(sql);
});

test("history is kept automatically: every generation of the account, API calls included, newest first, loaded page by page as you scroll, after a reload too", async () => {
  const ida = await customer(sql, { balance: 50_000_000n });
  gw.upstream.respond = () => ({ kind: "ok" });
  for (let i = 1; i <= 45; i++) {
    await gw.client(ida.key).images.generate({ model: "gpt-image-2", prompt: `api picture ${i}` });
  }
  await withPage(base, { email: ida.email }, async (page) => {
    await page.goto(`${base}/images`);
    await generate(page, "page picture");
    await page.reload();
    const prompts = () => page.locator(".gen-card .gen-prompt").allTextContents();
    assert.equal((await prompts()).length, 20, "one server page of 20");
    assert.deepEqual((await prompts()).slice(0, 3), [
      "page picture",
      "api picture 45",
      "api picture 44",
    ]);
    assert.equal(await page.locator(".gen-card").first().locator(".tag").count(), 0);
    assert.equal(await page.locator(".gen-card").nth(1).locator(".tag").innerText(), "API");
    const imgs = page.locator(".gen-card img");
    assert.equal(await imgs.first().getAttribute("loading"), "lazy");
    assert.ok(Number(await imgs.first().getAttribute("width")) > 0);
    for (const shown of [40, 46]) {
      await page.locator(".gen-card").last().scrollIntoViewIfNeeded();
      await page.locator(".gen-card").nth(shown - 1).waitFor();
    }
    await page.locator(".gen-card").last().scrollIntoViewIfNeeded();
    await page.locator(".results .more").waitFor({ state: "detached" });
    const all = await prompts();
    assert.equal(all.length, 46);
    assert.equal(all.at(-1), "api picture 1");
  });
});

test("with a Chinese browser the page speaks Chinese, notices included", async () => {
  const jan = await customer(sql, { balance: 5_000_000n });
  gw.upstream.respond = (body) =>
    String(body.prompt).includes("forbidden") ? { kind: "moderation_blocked" } : { kind: "ok" };
  await withPage(base, { email: jan.email, locale: "zh-CN" }, async (page) => {
    await page.goto(`${base}/images`);
    assert.equal(await page.getByRole("heading", { level: 1 }).innerText(), "图像");
    for (const legend of ["尺寸", "质量", "背景", "数量"]) {
      await page.getByRole("group", { name: legend }).getByRole("radio", { name: /自动|1/ }).first()
        .waitFor();
    }
    assert.match(await page.getByRole("combobox", { name: "模型" }).innerText(), /张起/);
    const box = page.getByRole("textbox", { name: "描述画面" });
    await box.fill("月光下的橘猫");
    await box.press("Enter");
    // The finished card with its prompt, read once it shows (CI once read it empty just after it
    // was attached).
    const card = doneCards(page).filter({ hasText: "月光下的橘猫" }).first();
    await card.waitFor();
    assert.match(await shownText(card, /\d+\.\d 秒/), /\d+\.\d 秒/);
    assert.match(await card.innerText(), /下载 ZIP/);
    await box.fill("a forbidden cat");
    await box.press("Enter");
    await page.getByRole("status").locator(".notice").waitFor();
    assert.match(await page.getByRole("status").innerText(), /描述已被内容审核拦截.*未扣费/s);
  });
});

test("another account sees none of the first one's history, images or ZIPs, on the page or by guessing URLs", async () => {
  const [kim, leo] = [await customer(sql, { balance: 5_000_000n }), await customer(sql)];
  gw.upstream.respond = () => ({ kind: "ok" });
  const kimToken = await sessionToken(base, kim.email);
  const made = await postGeneration(kimToken, { prompt: "kim's secret garden" });
  const { generation } = await made.json();
  const leoToken = await sessionToken(base, leo.email);
  const asLeo = (path: string) =>
    fetch(`${base}${path}`, {
      headers: { cookie: `tokensmart_session=${leoToken}`, accept: "application/json" },
    });
  for (
    const path of [
      `/generations/${generation.id}.zip`,
      generation.images[0].url,
      `${generation.images[0].url}?download`,
      `/generations?before=${generation.id}`,
    ]
  ) {
    const answer = await asLeo(path);
    assert.equal(answer.status, 404, path);
    await answer.body?.cancel();
  }
  // A page of another site cannot make one with Leo's session (a form posting text/plain JSON).
  const forged = await fetch(`${base}/generations`, {
    method: "POST",
    headers: {
      cookie: `tokensmart_session=${leoToken}`,
      origin: "https://evil.example",
      "content-type": "text/plain",
    },
    body: JSON.stringify({ prompt: "on leo's money" }),
  });
  assert.equal(forged.status, 403);
  await forged.body?.cancel();
  const own = await asLeo("/generations");
  assert.deepEqual(await own.json(), { generations: [], next: null });
  const anonymous = await fetch(`${base}/generations`, { headers: { accept: "application/json" } });
  assert.equal(anonymous.status, 401);
  assert.equal((await anonymous.json()).error.code, "no_session");
  await withPage(base, { email: leo.email }, async (page) => {
    await page.goto(`${base}/images`);
    assert.equal(await page.locator(".gen-card").count(), 0);
    assert.doesNotMatch(await page.content(), /secret garden/);
  });
});

test("when only the demo painter serves a model, the page says so in one calm line", async () => {
  const max = await customer(sql, { balance: 5_000_000n });
  const line = /drawn locally by the built-in demo painter/;
  // The demo is each server's own setting: one with it on, beside the gateway (demo off).
  const demoOn = await startServerOn(sql, gw.dbUrl, { DEMO: "on" });
  try {
    await withPage(demoOn.server.url, { email: max.email }, async (page) => {
      await page.goto(`${demoOn.server.url}/images`);
      assert.doesNotMatch(await page.locator(".composer-wrap").innerText(), line);
      await setChannelEnabled(sql, "stand-in", false);
      try {
        await page.reload();
        assert.match(await page.locator(".demo-note").innerText(), line);
      } finally {
        await setChannelEnabled(sql, "stand-in", true);
      }
    });
  } finally {
    await demoOn.server.shutdown();
  }
});

test("by keyboard alone: chips by arrow keys, Enter to send, an image zoomed and closed", async () => {
  const ned = await customer(sql, { balance: 5_000_000n });
  gw.upstream.respond = () => ({ kind: "ok" });
  await withPage(base, { email: ned.email }, async (page) => {
    await page.goto(`${base}/images`);
    await tabTo(page, 'input[name="size"]');
    assert.equal(
      await page.evaluate(() => (document.activeElement as HTMLInputElement).value),
      "auto",
    );
    await page.keyboard.press("ArrowRight");
    assert.ok(await page.getByRole("radio", { name: "Square" }).isChecked());
    await page.keyboard.press("Tab");
    assert.equal(
      await page.evaluate(() => (document.activeElement as HTMLInputElement).name),
      "quality",
      "one tab stop per chip row",
    );
    await tabTo(page, "textarea");
    await page.keyboard.type("a paper crane");
    await page.keyboard.press("Enter");
    await doneCards(page).first().waitFor();
    assert.match(await doneCards(page).first().locator(".gen-meta").innerText(), /1024×1024/);
    await tabTo(page, ".zoom-open");
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    assert.ok(await page.evaluate(() => document.activeElement?.matches(".zoom-open")));
  });
});

test("the JavaScript the page ships stays small (gzipped, islands and their shared chunks)", async () => {
  const oli = await customer(sql);
  const token = await sessionToken(base, oli.email);
  const html = await (await fetch(`${base}/images`, {
    headers: { cookie: `tokensmart_session=${token}` },
  })).text();
  const pending = [...html.matchAll(/<script type="module" src="\/_islands\/([^"]+)"/g)].map((m) =>
    m[1]
  );
  assert.deepEqual(pending, ["ImageComposer.js", "ImageResults.js"]);
  const seen = new Set<string>();
  let gzipped = 0;
  let raw = 0;
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await (await fetch(`${base}/_islands/${file}`)).text();
    raw += code.length;
    const packed = new Blob([code]).stream().pipeThrough(new CompressionStream("gzip"));
    gzipped += (await new Response(packed).arrayBuffer()).byteLength;
    pending.push(...[...code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)].map((m) => m[1]));
  }
  console.log(`Images page JavaScript: ${seen.size} files, ${raw} bytes, ${gzipped} bytes gzipped`);
  assert.ok(gzipped < 20_000, `${gzipped} bytes gzipped`);
});
