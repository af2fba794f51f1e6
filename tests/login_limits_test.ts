// Logging in cannot be turned against the service: attempts are limited per address and per
// email (429 with Retry-After, on a page saying when to retry), a form is read only up to a small
// cap (413), and passwords are checked on a hashing thread, so the server keeps answering while
// they are, and refuses at once (503) when too many wait.
import assert from "node:assert/strict";
import { test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { startGateway, type TestGateway } from "./_helpers/app.ts";
import { LOGIN_ATTEMPTS } from "../services/accounts/attempt_limits.ts";
import {
  hashingJobsRun,
  hashPassword,
  MAX_WAITING,
  verifyPassword,
} from "../services/accounts/password_hashing.ts";

// Every address is the connection's (127.0.0.1) here, whatever X-Forwarded-For says…
const direct = await startGateway();
// …and here the last X-Forwarded-For entry, as behind a proxy of ours.
const proxied = await startGateway({ TRUST_PROXY: "on" });
const PASSWORD = "correct horse battery"; // the fixtures' customers all have it

function logIn(
  gw: TestGateway,
  form: { email: string; password: string },
  headers: Record<string, string> = {},
) {
  return fetch(`${gw.server.url}/account/login`, {
    method: "POST",
    headers: { origin: gw.server.url, ...headers },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}

/**
 * Wrong logins one after another until one is refused, each from `from(i)`. The limits count in
 * fixed windows: 2 × limit + 1 attempts meet a refusal even when the burst crosses into the next
 * window.
 */
async function burstUntilRefused(
  gw: TestGateway,
  limit: number,
  attempt: (i: number) => { form: { email: string; password: string }; from: string },
): Promise<{ allowed: number; refusal: Response | null }> {
  for (let i = 0; i < 2 * limit + 1; i++) {
    const { form, from } = attempt(i);
    const answer = await logIn(gw, form, { "x-forwarded-for": from });
    if (answer.status === 429) return { allowed: i, refusal: answer };
    assert.equal(answer.status, 401);
    await answer.body?.cancel();
  }
  return { allowed: 2 * limit + 1, refusal: null };
}

async function assertCalmRefusal(refusal: Response | null, windowSeconds: number) {
  assert.ok(refusal, "a refusal came");
  assert.match(refusal.headers.get("content-type") ?? "", /^text\/html/);
  const retryAfter = Number(refusal.headers.get("retry-after"));
  assert.ok(retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After ${retryAfter}`);
  const page = await refusal.text();
  assert.match(page, /<form method="post" action="\/account\/login"/, "the form is still there");
  const wait = /Too many attempts\. Please wait (\d+) (seconds|minutes), then try again\./
    .exec(page);
  assert.ok(wait, page);
  const said = Number(wait[1]) * (wait[2] === "minutes" ? 60 : 1);
  assert.ok(said >= retryAfter && said < retryAfter + 60, `says ${wait[0]} for ${retryAfter} s`);
}

test("a burst of wrong logins from one address meets 429 with Retry-After and a page saying when to retry; X-Forwarded-For is not believed", async () => {
  const rule = LOGIN_ATTEMPTS.perIp;
  const { allowed, refusal } = await burstUntilRefused(direct, rule.limit, (i) => ({
    form: { email: `nobody${i}@example.com`, password: "guess" },
    from: `203.0.113.${i}`, // made up by the client: ignored without TRUST_PROXY
  }));
  assert.ok(allowed >= rule.limit, `${allowed} allowed before the refusal`);
  await assertCalmRefusal(refusal, rule.windowSeconds);
  // Past the limit, even the right password waits: nothing is hashed for this address now.
  const ann = await customer(direct.sql);
  const before = hashingJobsRun();
  const right = await logIn(direct, { email: ann.email, password: PASSWORD });
  assert.equal(right.status, 429);
  await right.body?.cancel();
  assert.equal(hashingJobsRun(), before, "a refused attempt costs no hashing");
});

test("wrong logins for one email are limited from whatever addresses they come (behind a trusted proxy)", async () => {
  const ben = await customer(proxied.sql);
  const rule = LOGIN_ATTEMPTS.perEmail!;
  const { allowed, refusal } = await burstUntilRefused(proxied, rule.limit, (i) => ({
    form: { email: i % 2 ? ben.email : ben.email.toUpperCase(), password: `guess ${i}` },
    from: `198.51.100.7, 192.0.2.${i}`, // the proxy appended the last one: that one counts
  }));
  assert.ok(allowed >= rule.limit, `${allowed} allowed before the refusal`);
  await assertCalmRefusal(refusal, rule.windowSeconds);
  // Another account is not affected.
  const cat = await customer(proxied.sql);
  const other = await logIn(proxied, { email: cat.email, password: PASSWORD }, {
    "x-forwarded-for": "192.0.2.200",
  });
  assert.equal(other.status, 303);
});

test("a 50 MB login form is refused with 413 without being read, declared or streamed", async () => {
  const { hostname, port } = new URL(direct.server.url);
  const head = (framing: string) =>
    `POST /account/login HTTP/1.1\r\nhost: ${hostname}:${port}\r\norigin: ${direct.server.url}\r\n` +
    `content-type: application/x-www-form-urlencoded\r\n${framing}\r\n`;
  const filler = "email=" + "a".repeat(64 * 1024);

  // Declared: 50 MB announced, 64 KB sent, and the answer comes without the rest.
  const declared = await rawExchange(
    hostname,
    Number(port),
    head(`content-length: ${50 * 1024 * 1024}\r\n`) + filler,
  );
  assert.match(declared, /^HTTP\/1\.1 413 /);
  assert.match(declared, /content-type: text\/html/i);
  assert.match(declared, /far larger than ours can be/);

  // Streamed in chunks with no length: read only until past the cap.
  const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
  const streamed = await rawExchange(
    hostname,
    Number(port),
    head("transfer-encoding: chunked\r\n") + chunk(filler),
  );
  assert.match(streamed, /^HTTP\/1\.1 413 /);
});

/** Sends `request` (never finishing its body) and returns what the server answered. */
async function rawExchange(hostname: string, port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname, port });
  const guard = setTimeout(() => conn.close(), 20_000); // the server never answered: fail
  try {
    await conn.write(new TextEncoder().encode(request));
    let answer = "";
    const buffer = new Uint8Array(64 * 1024);
    while (!/\r\n\r\n[\s\S]*<\/html>/.test(answer)) {
      const n = await conn.read(buffer);
      if (n === null) break;
      answer += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return answer;
  } finally {
    clearTimeout(guard);
    try {
      conn.close();
    } catch { /* closed by the guard */ }
  }
}

test("passwords are checked on the hashing thread: while wrong logins verify, /healthz is answered", async () => {
  const count = 12;
  const before = hashingJobsRun();
  let settled = 0;
  const logins = Array.from(
    { length: count },
    (_, i) =>
      logIn(proxied, { email: `stranger${i}@example.com`, password: "guess" }, {
        "x-forwarded-for": `192.0.2.${100 + i}`,
      }).then(async (answer) => {
        settled++;
        await answer.body?.cancel();
        return answer.status;
      }),
  );
  // Once the first check is done, the others are all waiting for theirs (on the server's own
  // thread, they would be in its way one after another).
  await Promise.race(logins);
  const health = await fetch(`${proxied.server.url}/healthz`);
  assert.equal(health.status, 200);
  await health.body?.cancel();
  const stillVerifying = count - settled;
  assert.deepEqual(await Promise.all(logins), Array(count).fill(401));
  assert.ok(
    stillVerifying >= count / 2,
    `/healthz waited for ${count - stillVerifying} of ${count} password checks`,
  );
  assert.equal(hashingJobsRun() - before, count, "one check each, unknown emails included");
});

test("with the hashing thread's queue full, a login is refused at once with 503 and Retry-After", async () => {
  const dee = await customer(proxied.sql);
  const hash = await hashPassword("filler");
  // Keep MAX_WAITING checks waiting behind a running one: each that ends is replaced in the same
  // turn of the event loop, before the login's check can join.
  let filling = true;
  const fill = (): Promise<void> =>
    verifyPassword("filler", hash).then(() => filling ? fill() : undefined);
  const fillers = Array.from({ length: MAX_WAITING + 1 }, fill);
  try {
    const answer = await logIn(proxied, { email: dee.email, password: PASSWORD }, {
      "x-forwarded-for": "192.0.2.250",
    });
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get("retry-after"), "5");
    assert.match(await answer.text(), /Many people are signing in at this moment/);
  } finally {
    filling = false;
    await Promise.all(fillers);
  }
  const later = await logIn(proxied, { email: dee.email, password: PASSWORD }, {
    "x-forwarded-for": "192.0.2.250",
  });
  assert.equal(later.status, 303, "once the queue drains, logins go through");
});
