// Logging in on the pages: a session in an HttpOnly cookie, forms only from our own pages, and
// stored images for their owner's eyes.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { sha256 } from "../services/platform/sha256.ts";
import { launchBrowser } from "./_helpers/browser.ts";

const gw = await startGateway();
const { sql } = gw;
const PASSWORD = "correct horse battery"; // the fixtures' customers all have it

function logIn(email: string, password: string, origin = gw.server.url, session?: string) {
  return fetch(`${gw.server.url}/account/login`, {
    method: "POST",
    headers: {
      origin,
      "content-type": "application/x-www-form-urlencoded",
      ...(session ? { cookie: `tokensmart_session=${session}` } : {}),
    },
    body: new URLSearchParams({ email, password }),
    redirect: "manual",
  });
}

/** The session token a login answer set, or null. */
function sessionOf(response: Response): string | null {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("tokensmart_session="));
  return cookie ? cookie.split(";")[0].split("=")[1] : null;
}

test("logging in sets an HttpOnly, SameSite session cookie whose token is stored only as a hash", async () => {
  const ann = await customer(sql);
  const page = await fetch(`${gw.server.url}/account/login`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<form method="post" action="\/account\/login"/);

  const answer = await logIn(ann.email.toUpperCase(), PASSWORD);
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get("location"), "/");
  const cookie = answer.headers.getSetCookie().find((c) => c.startsWith("tokensmart_session="))!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\//);
  const token = sessionOf(answer)!;
  const rows = await sql`select token_hash from sessions where user_id = ${ann.id}`;
  assert.equal(rows.length, 1);
  assert.deepEqual(new Uint8Array(rows[0].token_hash), sha256(token));
  const raw = await sql`select 1 from sessions where token_hash::text like ${"%" + token + "%"}`;
  assert.equal(raw.length, 0, "the token itself is not stored");
});

test("a wrong password, or an unknown email, gets 401 and no session", async () => {
  const ben = await customer(sql);
  for (
    const [email, password] of [[ben.email, "not the password"], ["nobody@example.com", PASSWORD]]
  ) {
    const answer = await logIn(email, password);
    assert.equal(answer.status, 401);
    assert.equal(sessionOf(answer), null);
    assert.match(await answer.text(), /do not match an account/);
  }
  assert.equal((await sql`select 1 from sessions where user_id = ${ben.id}`).length, 0);
});

test("a login or logout form posted from another site is refused (CSRF)", async () => {
  const cat = await customer(sql);
  const forged = await logIn(cat.email, PASSWORD, "https://evil.example");
  assert.equal(forged.status, 403);
  assert.equal(sessionOf(forged), null);
  const token = sessionOf(await logIn(cat.email, PASSWORD))!;
  const logout = await fetch(`${gw.server.url}/account/logout`, {
    method: "POST",
    headers: {
      origin: "https://evil.example",
      "content-type": "application/x-www-form-urlencoded",
      cookie: `tokensmart_session=${token}`,
    },
    redirect: "manual",
  });
  assert.equal(logout.status, 403);
  assert.equal((await sql`select 1 from sessions where user_id = ${cat.id}`).length, 1);
});

test("logging out ends the session: its cookie no longer opens anything", async () => {
  const dee = await customer(sql, { balance: 1_000_000n });
  const token = sessionOf(await logIn(dee.email, PASSWORD))!;
  const image = await ownImagePath(dee.key);
  const withSession = (path: string) =>
    fetch(`${gw.server.url}${path}`, { headers: { cookie: `tokensmart_session=${token}` } });
  assert.equal((await withSession(image)).status, 200);
  const logout = await fetch(`${gw.server.url}/account/logout`, {
    method: "POST",
    headers: { origin: gw.server.url, cookie: `tokensmart_session=${token}` },
    redirect: "manual",
  });
  assert.equal(logout.status, 303);
  assert.match(logout.headers.getSetCookie().join("\n"), /tokensmart_session=;/);
  assert.equal((await withSession(image)).status, 403);
});

test("logging in replaces the browser's session: the old token opens nothing any more", async () => {
  const [hal, ivy] = [await customer(sql, { balance: 1_000_000n }), await customer(sql)];
  const image = await ownImagePath(hal.key);
  const old = sessionOf(await logIn(hal.email, PASSWORD))!;
  const withSession = (token: string) =>
    fetch(`${gw.server.url}${image}`, { headers: { cookie: `tokensmart_session=${token}` } });
  assert.equal((await withSession(old)).status, 200);

  // The same browser logs in as someone else (or as itself again): its cookie goes along.
  const answer = await logIn(ivy.email, PASSWORD, gw.server.url, old);
  assert.equal(answer.status, 303);
  const fresh = sessionOf(answer)!;
  assert.notEqual(fresh, old);
  const refused = await withSession(old);
  assert.equal(refused.status, 403);
  await refused.body?.cancel();
  assert.equal((await sql`select 1 from sessions where user_id = ${hal.id}`).length, 0);
  assert.equal((await sql`select 1 from sessions where user_id = ${ivy.id}`).length, 1);
});

test("an image shown to a session is not kept by the browser; a signed URL may be, until it expires", async () => {
  const jo = await customer(sql, { balance: 1_000_000n });
  const signed = await ownImageUrl(jo.key);
  const bySession = await fetch(`${gw.server.url}${new URL(signed).pathname}`, {
    headers: { cookie: `tokensmart_session=${sessionOf(await logIn(jo.email, PASSWORD))}` },
  });
  assert.equal(bySession.status, 200);
  await bySession.body?.cancel();
  assert.equal(bySession.headers.get("cache-control"), "private, no-store");
  assert.equal(bySession.headers.get("vary"), "Cookie");

  const bySignature = await fetch(signed);
  assert.equal(bySignature.status, 200);
  await bySignature.body?.cancel();
  const maxAge = Number(
    /^private, max-age=(\d+)$/.exec(
      bySignature.headers.get("cache-control") ?? "",
    )?.[1],
  );
  const expires = Number(new URL(signed).searchParams.get("expires"));
  assert.ok(maxAge > 0 && maxAge <= expires - Math.floor(Date.now() / 1000) + 1, `${maxAge}`);
});

test("a stored image opens for its owner's session without a signed URL; not for another account's session, nor for no session", async () => {
  const [eve, fay] = [await customer(sql, { balance: 1_000_000n }), await customer(sql)];
  const image = await ownImagePath(eve.key);
  const get = (token?: string) =>
    fetch(`${gw.server.url}${image}`, {
      headers: token ? { cookie: `tokensmart_session=${token}` } : {},
    });
  const own = await get(sessionOf(await logIn(eve.email, PASSWORD))!);
  assert.equal(own.status, 200);
  assert.equal(own.headers.get("content-type"), "image/png");
  assert.ok((await own.arrayBuffer()).byteLength > 0);

  const other = await get(sessionOf(await logIn(fay.email, PASSWORD))!);
  assert.equal(other.status, 404, "another account's image does not exist for you");
  await other.body?.cancel();
  const none = await get();
  assert.equal(none.status, 403);
  await none.body?.cancel();
  const madeUp = await get("A".repeat(43));
  assert.equal(madeUp.status, 403);
  await madeUp.body?.cancel();
});

test("in Chromium: the login form logs in, and the owner's unsigned image link then opens", async () => {
  const gus = await customer(sql, { balance: 1_000_000n });
  const image = await ownImagePath(gus.key);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const denied = await page.goto(`${gw.server.url}${image}`);
    assert.equal(denied?.status(), 403);
    await page.goto(`${gw.server.url}/account/login`);
    await page.getByLabel("Email").fill(gus.email);
    await page.getByLabel("Password").fill("not it");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").waitFor();
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${gw.server.url}/`);
    const opened = await page.goto(`${gw.server.url}${image}`);
    assert.equal(opened?.status(), 200);
    assert.equal(opened?.headers()["content-type"], "image/png");
  } finally {
    await browser.close();
  }
});

/** Generates an image for `key`; its signed URL. */
async function ownImageUrl(key: string): Promise<string> {
  gw.upstream.respond = () => ({ kind: "ok" });
  const result = await gw.client(key).images.generate({
    model: "gpt-image-2",
    prompt: "mine alone",
    size: "1024x1024",
    quality: "low",
  });
  return result.data![0].url!;
}

/** Generates an image for `key`; its path without the signature. */
async function ownImagePath(key: string): Promise<string> {
  return new URL(await ownImageUrl(key)).pathname;
}
