// Only the signed-in account's calls, ever: another account cannot list, filter (by the first's
// key id), export, page into or open the first account's log rows or their images, by the page
// or by guessing URLs; a guessed request id answers exactly like one that does not exist.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { sessionCookie, withPage } from "./_helpers/pages.ts";
import { createApiKey } from "../services/accounts/api_keys.ts";
import { encodeCursor } from "../services/metering/log_queries.ts";
import { seedRequestLog } from "../scripts/bench/log_seed.ts";

const gw = await startGateway();
const { sql } = gw;
const base = gw.server.url;

const ann = await customer(sql, { balance: 5_000_000n });
await sql`update api_keys set name = 'ann secret project' where id = ${ann.apiKeyId}`;
await seedRequestLog(sql, { userId: ann.id, keyIds: [ann.apiKeyId], rows: 120 });
const { response } = await gw.client(ann.key).images.generate({
  model: "gpt-image-2",
  prompt: "ann's private picture",
  quality: "low",
}).withResponse();
const annCall = response.headers.get("x-request-id")!;
const [annImage] = await sql<{ id: string; format: string }[]>`
  select id, output_format as format from images where request_id = ${annCall}`;
const annIds = (await sql<{ id: string }[]>`
  select request_id as id from request_log where user_id = ${ann.id}`).map((r) => r.id);

const bob = await customer(sql, { balance: 5_000_000n });
await createApiKey(sql, { userId: bob.id, name: "bob's key" });
const bobCall = (await gw.client(bob.key).images.generate({
  model: "gpt-image-2",
  prompt: "bob's picture",
  quality: "low",
}).withResponse()).response.headers.get("x-request-id")!;
const bobCookie = await sessionCookie(base, bob.email);

const asBob = (path: string, accept = "text/html") =>
  fetch(`${base}${path}`, { headers: { cookie: bobCookie, accept }, redirect: "manual" });

/** No id of ann's calls is in `text`, but for the one bob asked about (his own words echoed). */
function assertNoneOfAnns(text: string, where: string) {
  const asked = where.includes(annCall) ? annCall : null;
  for (const id of annIds) {
    if (id !== asked) assert.ok(!text.includes(id), `${where}: ${id} of ann's`);
  }
  assert.ok(!text.includes("ann secret project"), `${where}: ann's key name`);
}

test("guessing URLs: bob's list, filters, lookups, cursors and exports hold none of ann's rows", async () => {
  const list = await (await asBob("/logs")).text();
  assert.ok(list.includes(bobCall));
  assertNoneOfAnns(list, "/logs");

  for (
    const path of [
      `/logs?key=${ann.apiKeyId}`,
      `/logs?request_id=${annCall}`,
      `/logs?model=gpt-image-2&key=${ann.apiKeyId}`,
      // A cursor made from one of ann's rows still pages bob's log only.
    ]
  ) {
    const answer = await asBob(path);
    assert.equal(answer.status, 200, path);
    const html = await answer.text();
    assertNoneOfAnns(html, path);
    assert.ok(!html.includes('class="log-row'), `${path}: no rows`);
  }
  // A cursor made from one of ann's rows still pages bob's log only.
  const cursor = encodeCursor({ at: "2999-01-01T00:00:00.000000Z", requestId: annCall });
  const paged = await (await asBob(`/logs?before=${cursor}`)).text();
  assert.ok(paged.includes(bobCall));
  assertNoneOfAnns(paged, "a cursor of ann's");
  const byKey = await (await asBob(`/logs?key=${ann.apiKeyId}`)).text();
  assert.match(byKey, /No requests match these filters/);
  assert.match(await (await asBob(`/logs?request_id=${annCall}`)).text(), /There is no request/);

  for (const query of [`?key=${ann.apiKeyId}`, `?request_id=${annCall}`, ""]) {
    const csv = await (await asBob(`/logs.csv${query}`, "text/csv")).text();
    assertNoneOfAnns(csv, `/logs.csv${query}`);
    const lines = csv.trim().split("\r\n");
    assert.equal(
      lines.length,
      query ? 1 : 2,
      `/logs.csv${query}: the header${query ? "" : ", bob's"}`,
    );
  }
});

test("ann's call opens for ann; for bob it is a 404 like a request that never was, and so are its images", async () => {
  const annCookie = await sessionCookie(base, ann.email);
  const own = await fetch(`${base}/logs/${annCall}`, { headers: { cookie: annCookie } });
  assert.equal(own.status, 200);
  assert.match(await own.text(), /ann&#39;s private picture|ann's private picture/);

  const guessed = await asBob(`/logs/${annCall}`);
  const never = await asBob(`/logs/req_${"0".repeat(32)}`);
  const nonsense = await asBob(`/logs/..%2Fkeys`);
  assert.equal(guessed.status, 404);
  assert.equal(never.status, 404);
  assert.equal(nonsense.status, 404);
  const strip = (html: string) => html.replace(/req_[0-9a-f]{32}/g, "");
  assert.equal(strip(await guessed.text()), strip(await never.text()), "answers alike");
  await nonsense.body?.cancel();

  const image = await asBob(`/images/${annImage.id}.${annImage.format}`, "image/*");
  assert.equal(image.status, 404);
  await image.body?.cancel();
});

test("without a session: the page sends to log in, the export and the detail are refused", async () => {
  const page = await fetch(`${base}/logs?kind=image`, {
    headers: { accept: "text/html" },
    redirect: "manual",
  });
  assert.equal(page.status, 302);
  assert.equal(page.headers.get("location"), "/account/login?next=%2Flogs%3Fkind%3Dimage");
  const csv = await fetch(`${base}/logs.csv`);
  assert.equal(csv.status, 401);
  assert.equal((await csv.json()).error.code, "no_session");
  const detail = await fetch(`${base}/logs/${annCall}`, { redirect: "manual" });
  assert.equal(detail.status, 401);
  await detail.body?.cancel();
});

test("in Chromium: bob's filters offer only his keys, and his page shows only his calls", async () => {
  await withPage(base, { email: bob.email }, async (page) => {
    await page.goto(`${base}/logs`);
    const keys = await page.getByLabel("Key").locator("option").allInnerTexts();
    assert.ok(keys.some((k) => k.startsWith("bob's key")));
    assert.ok(!keys.some((k) => k.includes("ann secret project")));
    assertNoneOfAnns(await page.content(), "bob's page");
    const rows = await page.locator("tr.log-row").evaluateAll((trs) =>
      trs.map((tr) => (tr as HTMLElement).dataset.requestId)
    );
    assert.deepEqual(rows, [bobCall]);
    const answer = await page.goto(`${base}/logs/${annCall}`);
    assert.equal(answer?.status(), 404);
    await page.getByRole("heading", { name: "Request not found" }).waitFor();
  });
});
