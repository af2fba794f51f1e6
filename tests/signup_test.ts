// Signing up on the pages: a new email gets an empty account and is logged in at once; a taken
// email is refused without saying it is taken; attempts are limited per address and per email,
// and past the limit the answer is 429 with Retry-After and a calm line saying when to retry.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { launchBrowser } from "./_helpers/browser.ts";
import {
  assertNoSidewaysScroll,
  DESKTOP,
  PHONE,
  postForm,
  screenshot,
  scriptErrors,
} from "./_helpers/pages.ts";
import { findUserByEmail, verifyLogin } from "../services/accounts/users.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { countAttempt, SIGNUP_ATTEMPTS } from "../services/accounts/attempt_limits.ts";

const gw = await startGateway();
const base = gw.server.url;
const newEmail = () => `new${crypto.randomUUID().slice(0, 8)}@example.com`;
const signUpForm = (fields: Record<string, string>, headers?: Record<string, string>) =>
  postForm(base, "/account/signup", fields, headers);
/** Each test starts with no attempts counted (they all come from 127.0.0.1). */
const forgetAttempts = () => gw.sql`delete from rate_limit_windows`;

test("a new email gets an account with $0.00 and is logged in at once", async () => {
  await forgetAttempts();
  const email = newEmail();
  const answer = await signUpForm({ email: email.toUpperCase(), password: "a good password" });
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get("location"), "/");
  const cookie = answer.headers.getSetCookie().find((c) => c.startsWith("tokensmart_session="))!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  const user = await findUserByEmail(gw.sql, email);
  assert.ok(user, "stored with the email in lower case");
  assert.equal((await balanceOf(gw.sql, user.accountId)).posted, 0n);
  const home = await fetch(base, { headers: { cookie: cookie.split(";")[0] } });
  assert.match(
    await home.text(),
    /<data id="balance" class="balance-amount" value="0\.000000">\$0\.00<\/data>/,
  );
});

test("a taken email is refused without a word on whether it has an account; that account is untouched", async () => {
  await forgetAttempts();
  const ann = await customer(gw.sql);
  const answer = await signUpForm({ email: ann.email.toUpperCase(), password: "another password" });
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.headers.getSetCookie(), [], "no session");
  const html = await answer.text();
  assert.match(html, /We could not create an account with these details\./);
  assert.doesNotMatch(html, /taken|exists|already (registered|in use)/i);
  assert.ok(await verifyLogin(gw.sql, ann.email, "correct horse battery"), "password unchanged");
  assert.equal(
    (await gw.sql`select count(*)::int as n from users where email = ${ann.email}`)[0].n,
    1,
  );
});

test("bad input says what to fix, in the visitor's language, and makes nothing", async () => {
  await forgetAttempts();
  const cases = [
    [{ email: "not-an-email", password: "long enough" }, /Enter a valid email address/],
    [{ email: newEmail(), password: "short" }, /Use at least 8 characters/],
    [{ email: newEmail(), password: "x".repeat(1025) }, /too long/],
    [{}, /Enter a valid email address/],
  ] as const;
  for (const [fields, message] of cases) {
    const answer = await signUpForm(fields);
    assert.equal(answer.status, 400);
    assert.match(await answer.text(), message);
  }
  const chinese = await signUpForm({ email: newEmail(), password: "short" }, {
    "accept-language": "zh-CN,zh;q=0.9",
  });
  assert.match(await chinese.text(), /密码至少需要 8 个字符。/);
  const huge = await signUpForm({ email: newEmail(), password: "p".repeat(20_000) });
  assert.equal(huge.status, 413, "a form body is small");
  await huge.body?.cancel();
  const forged = await signUpForm({ email: newEmail(), password: "a good password" }, {
    origin: "https://evil.example",
  });
  assert.equal(forged.status, 403, "posted from another site");
  assert.equal((await gw.sql`select count(*)::int as n from users`)[0].n, 2, "only the first two");
});

test("after signing up, next goes to a path on this site only", async () => {
  await forgetAttempts();
  const kept = await signUpForm({ email: newEmail(), password: "a good password", next: "/keys" });
  assert.equal(kept.headers.get("location"), "/keys");
  const away = await signUpForm({
    email: newEmail(),
    password: "a good password",
    next: "//evil.example/",
  });
  assert.equal(away.headers.get("location"), "/");
});

test("in Chromium: the home page links to sign up; sign up lands in the dashboard; log out; log in", async () => {
  await forgetAttempts();
  const email = newEmail();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: DESKTOP });
    const errors = scriptErrors(page);
    await page.goto(base);
    await screenshot(page, "public-desktop-home");
    await page.getByRole("link", { name: "Create a free account" }).click();
    await page.waitForURL(`${base}/account/signup`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a good password");
    await screenshot(page, "public-desktop-signup");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${base}/`);
    assert.equal(await page.locator(".balance-amount").innerText(), "$0.00");
    assert.match(await page.locator("main").innerText(), /New accounts start at \$0\.00/);

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Log in" })
      .click();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a good password");
    await screenshot(page, "public-desktop-login");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole("navigation", { name: "Dashboard" }).waitFor();
    assert.deepEqual(errors, []);

    const phone = await browser.newPage({ viewport: PHONE, locale: "zh-CN" });
    for (
      const [path, name] of [["/", "home"], ["/account/signup", "signup"], [
        "/account/login",
        "login",
      ]]
    ) {
      await phone.goto(`${base}${path}`);
      await assertNoSidewaysScroll(phone);
      await screenshot(phone, `public-phone-${name}-zh`);
    }
    await phone.getByRole("link", { name: "注册新账户" }).waitFor();
  } finally {
    await browser.close();
  }
});

test("a burst of sign-ups from one address meets 429 with Retry-After and a calm message", async () => {
  await forgetAttempts();
  const { limit } = SIGNUP_ATTEMPTS.perIp;
  for (let i = 0; i < limit; i++) {
    // Refusals count too: probing emails costs attempts.
    const answer = await signUpForm({
      email: newEmail(),
      password: i % 2 ? "short" : "long enough",
    });
    assert.notEqual(answer.status, 429, `attempt ${i + 1} of ${limit}`);
    await answer.body?.cancel();
  }
  const users = (await gw.sql`select count(*)::int as n from users`)[0].n;
  const limited = await signUpForm({ email: newEmail(), password: "a good password" });
  assert.equal(limited.status, 429);
  const retryAfter = Number(limited.headers.get("retry-after"));
  assert.ok(
    retryAfter >= 1 && retryAfter <= SIGNUP_ATTEMPTS.perIp.windowSeconds,
    `${retryAfter}`,
  );
  const minutes = Math.ceil(retryAfter / 60);
  const text = await limited.text();
  // The account forms' one wording (log in says the same).
  assert.match(
    text,
    retryAfter < 90
      ? /Too many attempts\. Please wait \d+ seconds, then try again\./
      : new RegExp(`Too many attempts\\. Please wait ${minutes} minutes, then try again\\.`),
  );
  assert.equal((await gw.sql`select count(*)::int as n from users`)[0].n, users, "none made");
  const chinese = await signUpForm({ email: newEmail(), password: "a good password" }, {
    "accept-language": "zh-CN",
  });
  assert.equal(chinese.status, 429);
  assert.match(await chinese.text(), /尝试次数过多。请等待 \d+ (分钟|秒)后再试。/);
});

test("one email tried from many addresses is limited too", async () => {
  await forgetAttempts();
  const email = newEmail();
  const { limit } = SIGNUP_ATTEMPTS.perEmail!;
  const answers = [];
  for (let i = 0; i <= limit; i++) {
    answers.push(await countAttempt(gw.sql, SIGNUP_ATTEMPTS, { ip: `192.0.2.${i}`, email }));
  }
  assert.deepEqual(answers.map((a) => a.allowed), [...Array(limit).fill(true), false]);
});
