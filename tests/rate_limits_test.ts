// Attempts at the account forms are counted per subject in PostgreSQL: past the limit, a
// refusal that says when to come back; every thread and server shares the count.
import assert from "node:assert/strict";
import { freshDatabase, test } from "./_helpers/database.ts";
import { hit, hitAll } from "../services/accounts/rate_limits.ts";

const db = await freshDatabase();

test("past its limit a subject is refused until the window ends; other subjects are not", async () => {
  const rule = { bucket: "test:a", limit: 3, windowSeconds: 60 };
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await hit(db.sql, rule, "1.2.3.4"), { allowed: true });
  }
  const refused = await hit(db.sql, rule, "1.2.3.4");
  assert.equal(refused.allowed, false);
  if (!refused.allowed) {
    assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60);
  }
  assert.deepEqual(await hit(db.sql, rule, "5.6.7.8"), { allowed: true });
});

test("concurrent hits are all counted", async () => {
  const rule = { bucket: "test:b", limit: 10, windowSeconds: 60 };
  const decisions = await Promise.all(Array.from({ length: 25 }, () => hit(db.sql, rule, "x")));
  assert.equal(decisions.filter((d) => d.allowed).length, 10);
});

test("hitAll counts every limit and refuses when any one is over", async () => {
  const perIp = { bucket: "test:ip", limit: 100, windowSeconds: 60 };
  const perEmail = { bucket: "test:email", limit: 1, windowSeconds: 60 };
  const checks = (email: string) => [
    { rule: perIp, subject: "9.9.9.9" },
    { rule: perEmail, subject: email },
  ];
  assert.deepEqual(await hitAll(db.sql, checks("a@x.test")), { allowed: true });
  assert.equal((await hitAll(db.sql, checks("a@x.test"))).allowed, false);
  assert.deepEqual(await hitAll(db.sql, checks("b@x.test")), { allowed: true });
});
