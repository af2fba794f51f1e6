// Money is exact: the ledger's promises, against a real PostgreSQL.
import assert from "node:assert/strict";
import { freshDatabase, test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import {
  balanceOf,
  hold,
  type HoldInput,
  LedgerError,
  post,
  type PostAnswers,
  release,
  releaseExpiredHolds,
  settle,
  startHoldSweeper,
  topUp,
} from "../services/billing/ledger.ts";
import { FlightTimeout, groupCommit } from "../services/billing/group_commit.ts";
import { connect } from "../services/platform/database.ts";
import type { RequestLogEntry } from "../services/metering/request_log.ts";
import { checkLedger } from "../services/billing/ledger_check.ts";

const { sql, url: dbUrl } = await freshDatabase({ max: 30 });
const id = () => crypto.randomUUID();

/** A new hold of `amount` on `accountId`, good for a minute. */
const holdOn = (accountId: bigint, amount: bigint, extra: Partial<HoldInput> = {}): HoldInput => ({
  id: id(),
  accountId,
  amount,
  timeoutSeconds: 60,
  requestId: "t",
  ...extra,
});

/** "held", or the refusal, of each hold's answer. */
const heldOrRefused = (answers: PostAnswers["holds"]) =>
  answers.map((a) => "held" in a && a.held ? "held" : (a as { refusal: string }).refusal);

function rejectsWith(code: string) {
  return (error: unknown) => error instanceof LedgerError && error.code === code;
}

test("a top-up credits the customer and the ledger balances to zero", async () => {
  const alice = await customer(sql, { balance: 12_500_000n });
  assert.deepEqual(await balanceOf(sql, alice.accountId), {
    posted: 12_500_000n,
    pending: 0n,
    available: 12_500_000n,
  });
  const [sums] = await sql`
    select (select sum(amount) from ledger_transfers) as debits, (select sum(amount) from ledger_transfers) as credits`;
  assert.equal(sums.debits, sums.credits);
  await assertLedgerHolds(sql);
});

test("200 concurrent holds against a balance covering exactly 53 of them: exactly 53 succeed", async () => {
  const price = 7_919n;
  const bob = await customer(sql, { balance: price * 53n });
  const results = await Promise.allSettled(
    Array.from(
      { length: 200 },
      () => hold(sql, holdOn(bob.accountId, price)),
    ),
  );
  const held = results.filter((r) => r.status === "fulfilled");
  const refused = results.filter((r) => r.status === "rejected");
  assert.equal(held.length, 53);
  assert.ok(
    refused.every((r) => rejectsWith("insufficient_funds")((r as PromiseRejectedResult).reason)),
  );
  assert.deepEqual(await balanceOf(sql, bob.accountId), {
    posted: price * 53n,
    pending: price * 53n,
    available: 0n,
  });
  await assertLedgerHolds(sql);
});

test("holds racing through the group commit: one customer's refusals never undo another's holds", async () => {
  const price = 1_000n;
  const [carol, dave] = [
    await customer(sql, { balance: price * 30n }),
    await customer(sql, { balance: price * 7n }),
  ];
  const commits = groupCommit(sql);
  const holdIds: string[] = [];
  const attempt = (accountId: bigint) => {
    const holdId = id();
    holdIds.push(holdId);
    return commits.write({
      hold: holdOn(accountId, price, { id: holdId }),
    });
  };
  const outcomes = (await Promise.all(
    Array.from({ length: 60 }, (_, i) => attempt(i % 2 ? carol.accountId : dave.accountId)),
  )).map((answer) => answer.hold!);
  const heldFor = (account: bigint) =>
    outcomes.filter((o, i) => o === "held" && (i % 2 ? carol : dave).accountId === account).length;
  assert.equal(heldFor(carol.accountId), 30);
  assert.equal(heldFor(dave.accountId), 7);
  assert.ok(
    outcomes.every((o) => o === "held" || o === "insufficient_funds"),
    "a refusal is an answer",
  );
  const [{ transactions }] = await sql<{ transactions: bigint }[]>`
    select count(distinct xmin::text) as transactions from ledger_transfers where id = any(${holdIds})`;
  assert.ok(Number(transactions) < 37, "calls that arrive together share commits");
  assert.equal((await balanceOf(sql, carol.accountId)).available, 0n);
  assert.equal((await balanceOf(sql, dave.accountId)).available, 0n);
  await assertLedgerHolds(sql);
});

test("the group commit: a call that fails, fails alone; the others commit", async () => {
  const erin = await customer(sql, { balance: 100_000n });
  const earlier = await hold(sql, holdOn(erin.accountId, 1_000n));
  const commits = groupCommit(sql);
  const holdIds = Array.from({ length: 12 }, id);
  const results = await Promise.allSettled(
    holdIds.map((holdId, i) =>
      i === 4
        // Settling more than was held breaks the group's transaction: it rolls back, and each
        // call runs again alone.
        ? commits.write({
          resolution: { id: id(), holdId: earlier.id, kind: "settle", amount: 2_000n },
        })
        : commits.write({
          hold: holdOn(erin.accountId, 1_000n, { id: holdId }),
        })
    ),
  );
  assert.equal(results.filter((r) => r.status === "rejected").length, 1);
  assert.ok(results[4].status === "rejected" && rejectsWith("invalid_amount")(results[4].reason));
  const written = await sql`select id from ledger_transfers where id = any(${holdIds})`;
  assert.equal(written.length, 11, "every hold but the failed call's is in, once");
  assert.equal((await balanceOf(sql, erin.accountId)).pending, 12_000n, "the earlier hold is open");
  await assertLedgerHolds(sql);
});

test("the group commit: a call whose Idempotency-Key claim was lost is not settled; the others are", async () => {
  const ivy = await customer(sql, { balance: 100_000n });
  const holdOf = () => hold(sql, holdOn(ivy.accountId, 1_000n));
  const [lost, kept] = [await holdOf(), await holdOf()];
  const commits = groupCommit(sql);
  const [lostCall, keptCall] = await Promise.allSettled([
    commits.write({
      resolution: { id: id(), holdId: lost.id, kind: "settle", amount: 1_000n },
      // Never claimed here (as if taken over by a retry): the settle must not commit.
      records: {
        idempotency: {
          userId: ivy.id,
          key: "lost-claim",
          requestId: "req_lost",
          httpStatus: 200,
          response: {},
        },
      },
    }),
    commits.write({ resolution: { id: id(), holdId: kept.id, kind: "settle", amount: 1_000n } }),
  ]);
  assert.equal(lostCall.status, "rejected");
  assert.ok(keptCall.status === "fulfilled" && keptCall.value.resolution === "resolved");
  assert.deepEqual(await balanceOf(sql, ivy.accountId), {
    posted: 99_000n,
    pending: 1_000n,
    available: 98_000n,
  });
  await assertLedgerHolds(sql);
});

test("the group commit: a call whose records the database refuses fails alone, its hold with it", async () => {
  const max = await customer(sql, { balance: 100_000n });
  const fallbacks: number[] = [];
  const commits = groupCommit(sql, { onFallback: (_, calls) => fallbacks.push(calls) });
  const holdOf = () => holdOn(max.accountId, 1_000n);
  const log = (kind: string): RequestLogEntry => ({
    requestId: `req_${id()}`,
    userId: max.id,
    apiKeyId: null,
    endpoint: "/v1/images/generations",
    kind: kind as RequestLogEntry["kind"],
    modelId: null,
    status: "pending",
    httpStatus: 0,
    latencyMs: 0,
  });
  const results = await Promise.allSettled([
    commits.write({ hold: holdOf(), records: { log: log("image") } }),
    commits.write({ hold: holdOf(), records: { log: log("no such kind") } }),
    commits.write({ hold: holdOf(), records: { log: log("image") } }),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.deepEqual(fallbacks, [3], "the group went again, one call at a time");
  assert.equal((await balanceOf(sql, max.accountId)).pending, 2_000n);
  await assertLedgerHolds(sql);
});

test("a group that gets no answer from PostgreSQL fails after the flight timeout instead of hanging; later groups go through", async () => {
  const kim = await customer(sql, { balance: 100_000n });
  const line = silenceableLine(new URL(dbUrl));
  const viaLine = connect(line.url, { max: 2 });
  try {
    const commits = groupCommit(viaLine, { flightTimeoutMs: 500 });
    assert.equal((await commits.write({ hold: holdOn(kim.accountId, 1_000n) })).hold, "held");
    line.silent = true; // as when the server process dies without the connection closing
    const started = Date.now();
    await assert.rejects(
      commits.write({ hold: holdOn(kim.accountId, 1_000n) }),
      (error) => error instanceof FlightTimeout,
    );
    assert.ok(Date.now() - started < 5_000);
    line.silent = false;
    assert.equal((await commits.write({ hold: holdOn(kim.accountId, 1_000n) })).hold, "held");
    // The silenced group's statements never reached PostgreSQL: nothing of it is in.
    assert.equal((await balanceOf(sql, kim.accountId)).pending, 2_000n);
  } finally {
    line.close();
    await viaLine.end({ timeout: 0 }).catch(() => {});
  }
  await assertLedgerHolds(sql);
});

/** A TCP line to PostgreSQL that can go silent: while `silent`, bytes are dropped both ways. */
function silenceableLine(target: URL) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const line = {
    silent: false,
    url: "",
    close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed already */ }
      }
    },
  };
  const url = new URL(target);
  url.port = String(listener.addr.port);
  line.url = url.href;
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let n = await from.read(buffer); n !== null; n = await from.read(buffer)) {
        if (!line.silent) await to.write(buffer.subarray(0, n));
      }
    } catch { /* the line was closed */ }
  };
  (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
      conns.push(client, server);
      pump(client, server);
      pump(server, client);
    }
  })().catch(() => {});
  return line;
}

test("two group commits (two server threads) holding for the same customers in opposite order never deadlock", async () => {
  const [gus, hal] = [
    await customer(sql, { balance: 1_000_000n }),
    await customer(sql, { balance: 1_000_000n }),
  ];
  // A deadlock would fail one group, whose calls would then go again, alone.
  const fallbacks: unknown[] = [];
  const onFallback = (error: unknown) => fallbacks.push(error);
  const threads = [groupCommit(sql, { onFallback }), groupCommit(sql, { onFallback })];
  const holdFor = (commits: ReturnType<typeof groupCommit>, accountId: bigint) =>
    commits.write({ hold: holdOn(accountId, 1_000n) });
  for (let round = 0; round < 10; round++) {
    await Promise.all([
      holdFor(threads[0], gus.accountId),
      holdFor(threads[0], hal.accountId),
      holdFor(threads[1], hal.accountId),
      holdFor(threads[1], gus.accountId),
    ]);
  }
  assert.deepEqual(fallbacks, [], "every group committed the first time");
  assert.equal((await balanceOf(sql, gus.accountId)).pending, 20_000n);
  assert.equal((await balanceOf(sql, hal.accountId)).pending, 20_000n);
  await assertLedgerHolds(sql);
});

test("settling a hold that is no longer open is an answer: the call's records commit, free, beside the others", async () => {
  const fay = await customer(sql, { balance: 100_000n });
  const commits = groupCommit(sql);
  const h = await hold(sql, holdOn(fay.accountId, 1_000n));
  // Resolved meanwhile, as the sweeper does with a hold past its deadline.
  await release(sql, { id: id(), holdId: h.id });
  const requestId = `req_${id()}`;
  const settled: RequestLogEntry = {
    requestId,
    userId: fay.id,
    apiKeyId: null,
    endpoint: "/v1/images/generations",
    kind: "image",
    modelId: null,
    status: "ok",
    httpStatus: 200,
    latencyMs: 1,
  };
  const [late, fresh] = await Promise.all([
    commits.write({
      resolution: { id: id(), holdId: h.id, kind: "settle", amount: 1_000n },
      records: { log: { ...settled, errorCode: null } },
      otherwise: { log: { ...settled, errorCode: "hold_expired" } },
    }),
    commits.write({
      hold: holdOn(fay.accountId, 2_000n),
    }),
  ]);
  assert.equal(late.resolution, "not_open");
  assert.equal(fresh.hold, "held");
  const [row] = await sql`select error_code from request_log where request_id = ${requestId}`;
  assert.equal(row.error_code, "hold_expired");
  assert.deepEqual(await balanceOf(sql, fay.accountId), {
    posted: 100_000n,
    pending: 2_000n,
    available: 98_000n,
  });
  await assertLedgerHolds(sql);
});

test("one post settles first, then holds one by one in order: money a settle frees is there for the holds", async () => {
  const gail = await customer(sql, { balance: 10_000n });
  const earlier = await hold(sql, holdOn(gail.accountId, 5_000n));
  const holdOf = (amount: bigint) => holdOn(gail.accountId, amount);
  // Available before: 5,000. The settle posts 3,000 and frees the rest: 7,000 for the holds.
  const answers = await sql.begin((tx) =>
    post(tx, [holdOf(4_000n), holdOf(4_000n), holdOf(3_000n)], [
      { id: id(), holdId: earlier.id, kind: "settle", amount: 3_000n },
    ])
  );
  assert.deepEqual(
    heldOrRefused(answers.holds),
    ["held", "insufficient_funds", "held"],
  );
  assert.ok("resolved" in answers.resolutions[0] && answers.resolutions[0].resolved);
  assert.deepEqual(await balanceOf(sql, gail.accountId), {
    posted: 7_000n,
    pending: 7_000n,
    available: 0n,
  });
  await assertLedgerHolds(sql);
});

test("settle posts the actual amount and frees the rest of the hold", async () => {
  const carol = await customer(sql, { balance: 1_000_000n });
  const h = await hold(sql, holdOn(carol.accountId, 400_000n));
  assert.equal((await balanceOf(sql, carol.accountId)).available, 600_000n);
  await settle(sql, { id: id(), holdId: h.id, amount: 150_000n });
  assert.deepEqual(await balanceOf(sql, carol.accountId), {
    posted: 850_000n,
    pending: 0n,
    available: 850_000n,
  });
  await assertLedgerHolds(sql);
});

test("a hold resolves exactly once: settle twice, release after settle, settle after release are refused", async () => {
  const dave = await customer(sql, { balance: 1_000_000n });
  const first = await hold(sql, holdOn(dave.accountId, 100_000n));
  await settle(sql, { id: id(), holdId: first.id, amount: 100_000n });
  await assert.rejects(
    settle(sql, { id: id(), holdId: first.id, amount: 100_000n }),
    rejectsWith("hold_not_open"),
  );
  await assert.rejects(release(sql, { id: id(), holdId: first.id }), rejectsWith("hold_not_open"));

  const second = await hold(sql, holdOn(dave.accountId, 100_000n));
  await release(sql, { id: id(), holdId: second.id });
  await assert.rejects(
    settle(sql, { id: id(), holdId: second.id, amount: 1n }),
    rejectsWith("hold_not_open"),
  );
  assert.equal((await balanceOf(sql, dave.accountId)).available, 900_000n);
  await assertLedgerHolds(sql);
});

test("concurrent settle and release of one hold: one wins, the other is refused", async () => {
  const erin = await customer(sql, { balance: 1_000_000n });
  const h = await hold(sql, holdOn(erin.accountId, 300_000n));
  const results = await Promise.allSettled([
    settle(sql, { id: id(), holdId: h.id, amount: 300_000n }),
    release(sql, { id: id(), holdId: h.id }),
    settle(sql, { id: id(), holdId: h.id, amount: 200_000n }),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  await assertLedgerHolds(sql);
});

test("settling more than was held is refused and changes nothing", async () => {
  const fay = await customer(sql, { balance: 1_000_000n });
  const h = await hold(sql, holdOn(fay.accountId, 100_000n));
  await assert.rejects(
    settle(sql, { id: id(), holdId: h.id, amount: 100_001n }),
    rejectsWith("invalid_amount"),
  );
  assert.equal((await balanceOf(sql, fay.accountId)).pending, 100_000n);
  await settle(sql, { id: id(), holdId: h.id, amount: 100_000n });
  await assertLedgerHolds(sql);
});

test("amounts must be positive integers of micro-dollars", async () => {
  const gus = await customer(sql, { balance: 1_000_000n });
  for (const amount of [0n, -1n]) {
    await assert.rejects(
      hold(sql, holdOn(gus.accountId, amount)),
      rejectsWith("invalid_amount"),
    );
    await assert.rejects(
      topUp(sql, { id: id(), accountId: gus.accountId, amount }),
      rejectsWith("invalid_amount"),
    );
  }
});

test("an expired hold is released by the sweeper running in the server", async () => {
  const hal = await customer(sql, { balance: 1_000_000n });
  await hold(sql, {
    id: id(),
    accountId: hal.accountId,
    amount: 250_000n,
    timeoutSeconds: 0.3,
    requestId: "crashed",
  });
  assert.equal((await balanceOf(sql, hal.accountId)).available, 750_000n);
  const sweeper = startHoldSweeper(sql, { intervalMs: 100 });
  try {
    const until = Date.now() + 10_000;
    while ((await balanceOf(sql, hal.accountId)).available !== 1_000_000n && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await sweeper.stop();
  }
  assert.deepEqual(await balanceOf(sql, hal.accountId), {
    posted: 1_000_000n,
    pending: 0n,
    available: 1_000_000n,
  });
  const [expired] =
    await sql`select count(*)::int as n from ledger_transfers where kind = 'expire' and debit_account_id = ${hal.accountId}`;
  assert.equal(expired.n, 1);
  assert.deepEqual(await releaseExpiredHolds(sql), [], "nothing left to sweep");
  await assertLedgerHolds(sql);
});

test("the same transfer id twice creates one transfer; with different fields it is an error", async () => {
  const ivy = await customer(sql);
  const topUpId = id();
  const first = await topUp(sql, { id: topUpId, accountId: ivy.accountId, amount: 5_000_000n });
  const again = await topUp(sql, { id: topUpId, accountId: ivy.accountId, amount: 5_000_000n });
  assert.deepEqual(again, first);
  assert.equal((await balanceOf(sql, ivy.accountId)).posted, 5_000_000n);
  await assert.rejects(
    topUp(sql, { id: topUpId, accountId: ivy.accountId, amount: 6_000_000n }),
    rejectsWith("transfer_exists_with_different_fields"),
  );

  const holdId = id();
  await hold(sql, holdOn(ivy.accountId, 1_000_000n, { id: holdId }));
  const concurrentRetries = await Promise.all(
    Array.from(
      { length: 5 },
      () => hold(sql, holdOn(ivy.accountId, 1_000_000n, { id: holdId })),
    ),
  );
  assert.ok(concurrentRetries.every((t) => t.id === holdId));
  assert.equal((await balanceOf(sql, ivy.accountId)).pending, 1_000_000n);
  await assert.rejects(
    hold(sql, holdOn(ivy.accountId, 2_000_000n, { id: holdId })),
    rejectsWith("transfer_exists_with_different_fields"),
  );

  const settleId = id();
  const settled = await settle(sql, { id: settleId, holdId, amount: 700_000n });
  assert.deepEqual(await settle(sql, { id: settleId, holdId, amount: 700_000n }), settled);
  await assert.rejects(
    settle(sql, { id: settleId, holdId, amount: 600_000n }),
    rejectsWith("transfer_exists_with_different_fields"),
  );
  assert.equal((await balanceOf(sql, ivy.accountId)).available, 4_300_000n);
  await assertLedgerHolds(sql);
});

test("a key's spend limit is enforced up front, under concurrency, like the balance", async () => {
  const jo = await customer(sql, { balance: 100_000_000n, spendLimit: 1_000_000n });
  const results = await Promise.allSettled(
    Array.from(
      { length: 30 },
      () =>
        hold(
          sql,
          holdOn(jo.accountId, 100_000n, { apiKeyId: jo.apiKeyId, keyHasSpendLimit: true }),
        ),
    ),
  );
  const held = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<
    { id: string }
  >[];
  assert.equal(held.length, 10);
  assert.ok(
    results.filter((r) => r.status === "rejected")
      .every((r) => rejectsWith("spend_limit_exceeded")((r as PromiseRejectedResult).reason)),
  );
  // Settling for less frees room under the limit again.
  for (const h of held) await settle(sql, { id: id(), holdId: h.value.id, amount: 50_000n });
  const [key] = await sql`select spent, held from api_keys where id = ${jo.apiKeyId}`;
  assert.deepEqual([key.spent, key.held], [500_000n, 0n]);
  await hold(
    sql,
    holdOn(jo.accountId, 500_000n, { apiKeyId: jo.apiKeyId, keyHasSpendLimit: true }),
  );
  await assertLedgerHolds(sql);
});

test("a settle frees room under the key's spend limit for holds in the same post", async () => {
  const lee = await customer(sql, { balance: 10_000_000n, spendLimit: 100_000n });
  const onKey = (amount: bigint) =>
    holdOn(lee.accountId, amount, { apiKeyId: lee.apiKeyId, keyHasSpendLimit: true });
  const full = await hold(sql, onKey(100_000n));
  // The settle posts 60,000 and frees 40,000 of the key's limit: a hold of 30,000 fits, not two.
  const answers = await sql.begin((tx) =>
    post(tx, [onKey(30_000n), onKey(30_000n)], [
      { id: id(), holdId: full.id, kind: "settle", amount: 60_000n },
    ])
  );
  assert.deepEqual(
    heldOrRefused(answers.holds),
    ["held", "spend_limit_exceeded"],
  );
  const [key] = await sql`select spent, held from api_keys where id = ${lee.apiKeyId}`;
  assert.deepEqual([key.spent, key.held], [60_000n, 30_000n]);
  await assertLedgerHolds(sql);
});

test("transfers are immutable, and the database itself refuses a negative balance", async () => {
  const kim = await customer(sql, { balance: 1_000_000n });
  await assert.rejects(sql`update ledger_transfers set amount = amount + 1`, /immutable/);
  await assert.rejects(sql`delete from ledger_transfers`, /immutable/);
  await assert.rejects(
    sql`update ledger_accounts set debits_posted = debits_posted + 2000000 where id = ${kim.accountId}`,
    /check constraint/,
  );
  assert.ok((await checkLedger(sql)).every((r) => r.ok));
});

test("ledger check catches a tampered running total", async () => {
  const lee = await customer(sql, { balance: 1_000_000n });
  await sql.begin(async (tx) => {
    await tx`update ledger_accounts set credits_posted = credits_posted + 1 where id = ${lee.accountId}`;
    const failed = (await checkLedger(tx)).filter((r) => !r.ok).map((r) => r.name);
    assert.deepEqual(failed, ["customer running totals equal the sums of their transfers"]);
    throw new Error("roll back");
  }).catch((e) => assert.equal(e.message, "roll back"));
  await assertLedgerHolds(sql);
});
