// Monthly invoices, itemized from the ledger and frozen by `deno task admin invoice:close`: closing
// twice gives the same invoice; a call charged after the close (even one in flight when it ran)
// and a refund made later land on the next month's draft; numbers run without gaps across
// accounts and months; months close in order; a close waits for transactions begun before it.
import assert from "node:assert/strict";
import { freshDatabase, test } from "./_helpers/database.ts";
import { startGateway } from "./_helpers/app.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { runScript } from "./_helpers/processes.ts";
import { balanceOf, topUp } from "../services/billing/ledger.ts";
import {
  closeMonth,
  listInvoices,
  monthOf,
  nextMonth,
  readInvoice,
} from "../services/billing/invoices.ts";
import type { Sql } from "../services/platform/database.ts";

const admin = (url: string, ...args: string[]) =>
  runScript("admin.ts", args, { DATABASE_URL: url });

/** A top-up stamped in a past month, as the ledger would have written it then. */
async function topUpAt(sql: Sql, accountId: bigint, amount: bigint, at: string) {
  await sql.begin(async (tx) => {
    await tx`insert into ledger_transfers
               (id, kind, debit_account_id, credit_account_id, amount, note, created_at)
             values (${crypto.randomUUID()}, 'topup', 2, ${accountId}, ${amount}, 'seeded', ${at})`;
    await tx`update ledger_accounts set credits_posted = credits_posted + ${amount}
             where id = ${accountId}`;
  });
}

function monthsBefore(month: string, n: number): string {
  const start = new Date(`${month}-01T00:00:00Z`);
  return monthOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - n, 1)));
}

// The gateway's database is this test's alone: a close is for every account of a database.
const gw = await startGateway();

test("invoice:close freezes the month: twice gives the same invoice; a call in flight, a later call and a refund land on the next month", async () => {
  {
    const { sql, upstream } = gw;
    const ann = await customer(sql, { balance: 5_000_000n });
    const client = gw.client(ann.key);
    upstream.respond = () => ({ kind: "ok" });
    const first = await client.images.generate({
      model: "gpt-image-2",
      prompt: "a lighthouse",
      size: "1024x1024",
      quality: "low",
    }).withResponse();
    await client.images.generate({
      model: "gpt-image-2",
      prompt: "two boats",
      size: "1536x1024",
      quality: "medium",
      n: 2,
    });
    // A call in flight while the month closes: held before, charged after.
    let answer!: () => void;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    upstream.respond = () => ({ kind: "ok", until: gate });
    const inFlight = client.images.generate({
      model: "gpt-image-1-mini",
      prompt: "a slow one",
      size: "1024x1024",
      quality: "high",
    });
    while ((await sql`select 1 from ledger_open_holds`).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const month = monthOf(new Date());
    const closing = await admin(gw.dbUrl, "invoice:close", "--month", month);
    assert.equal(closing.code, 0, closing.stderr);
    assert.match(closing.stdout, new RegExp(`${month} closed now`));
    const closed = (await readInvoice(sql, ann.accountId, month))!;
    assert.equal(closed.status, "closed");
    assert.match(closed.number!, /^TS-\d{4}-\d{6}$/);
    assert.match(closing.stdout, new RegExp(closed.number!));
    assert.deepEqual(
      closed.lines.map((l) => [l.kind, l.model, l.size, l.quality, l.quantity, l.unitPrice]),
      [
        ["image", "gpt-image-2", "1024x1024", "low", 1n, 7_200n],
        ["image", "gpt-image-2", "1536x1024", "medium", 2n, 49_200n],
      ],
      "the held call is not a charge",
    );
    assert.deepEqual(closed.totals, {
      openingBalance: 0n,
      topUps: 5_000_000n,
      refunds: 0n,
      charges: 7_200n + 2n * 49_200n,
      closingBalance: 5_000_000n - 7_200n - 2n * 49_200n,
    });

    answer();
    await inFlight;
    upstream.respond = () => ({ kind: "ok" });
    const again = await admin(gw.dbUrl, "invoice:close", "--month", month);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`${month} was closed already`));
    assert.match(again.stdout, new RegExp(closed.number!));
    assert.deepEqual(await readInvoice(sql, ann.accountId, month), closed, "nothing changed");

    // After the close: another call, and a refund of the month's first call.
    await client.images.generate({ model: "gpt-image-2", prompt: "after", quality: "low" });
    const requestId = first.response.headers.get("x-request-id")!;
    const refunded = await admin(gw.dbUrl, "refund", "--request", requestId, "--reason", "test");
    assert.equal(refunded.code, 0, refunded.stderr);
    assert.match(refunded.stdout, /refunded 0\.007200 USD/);
    assert.equal((await admin(gw.dbUrl, "refund", "--request", requestId)).code, 2, "once");
    assert.deepEqual(
      await readInvoice(sql, ann.accountId, month),
      closed,
      "a closed invoice never changes",
    );

    const next = (await readInvoice(sql, ann.accountId, nextMonth(month)))!;
    assert.equal(next.status, "draft");
    assert.equal(next.number, null);
    assert.equal(next.period.startsAt.getTime(), closed.period.endsAt.getTime(), "no gap");
    assert.deepEqual(
      next.lines.map((l) => [l.model, l.size, l.quality, l.quantity]),
      [["gpt-image-1-mini", "1024x1024", "high", 1n], ["gpt-image-2", "1024x1024", "low", 1n]],
    );
    assert.deepEqual(next.credits.map((c) => [c.kind, c.amount, c.requestId, c.note]), [
      ["refund", 7_200n, requestId, "test"],
    ]);
    const { posted } = await balanceOf(sql, ann.accountId);
    assert.equal(next.totals.openingBalance, closed.totals.closingBalance);
    assert.equal(next.totals.closingBalance, posted, "the draft ends at the ledger's balance");
    assert.deepEqual(
      (await listInvoices(sql, ann.accountId)).map((i) => [i.month, i.status, i.number]),
      [[nextMonth(month), "draft", null], [month, "closed", closed.number]],
    );
    await assertLedgerHolds(sql);
  }
});

test("numbers run without gaps across accounts and months; months close in order, once begun", async () => {
  const { sql, url } = await freshDatabase();
  const [ada, bob, cy, idle] = [
    await customer(sql),
    await customer(sql),
    await customer(sql),
    await customer(sql),
  ];
  const now = monthOf(new Date());
  const [m2, m1] = [monthsBefore(now, 2), monthsBefore(now, 1)];
  await topUpAt(sql, ada.accountId, 3_000_000n, `${m2}-10T08:00:00Z`);
  await topUpAt(sql, bob.accountId, 1_000_000n, `${m2}-28T23:59:59.999Z`);
  await topUpAt(sql, ada.accountId, 2_000_000n, `${m1}-01T00:00:00Z`);
  await topUp(sql, { id: crypto.randomUUID(), accountId: cy.accountId, amount: 500_000n });
  await topUp(sql, { id: crypto.randomUUID(), accountId: bob.accountId, amount: 700_000n });

  for (
    const [month, refusal] of [
      [m1, new RegExp(`money moved in ${m2}, which is open; close it first`)],
      [nextMonth(now), /has not begun yet/],
      ["2026-13", /--month a month like 2026-05/],
    ] as const
  ) {
    const refused = await admin(url, "invoice:close", "--month", month);
    assert.equal(refused.code, 2, `${month}: ${refused.stdout}`);
    assert.match(refused.stderr, refusal);
  }
  assert.equal((await sql`select count(*)::int as n from invoices`)[0].n, 0, "nothing written");

  const numbers: [string, bigint, string][] = [];
  for (const month of [m2, m1, now]) {
    const closed = await admin(url, "invoice:close", "--month", month);
    assert.equal(closed.code, 0, closed.stderr);
    const rows = await sql<{ number: string; account: bigint }[]>`
      select number, account_id as account from invoices
      where month = ${`${month}-01`} order by number`;
    numbers.push(...rows.map((r) => [month, r.account, r.number] as [string, bigint, string]));
  }
  assert.deepEqual(
    numbers.map(([month, account]) => [month, account]),
    [
      [m2, ada.accountId],
      [m2, bob.accountId],
      [m1, ada.accountId],
      [now, bob.accountId],
      [now, cy.accountId],
    ],
    "an invoice for every account whose money moved, none for one whose did not",
  );
  const seen = new Map<string, number>();
  for (const [month, , number] of numbers) {
    const year = month.slice(0, 4);
    seen.set(year, (seen.get(year) ?? 0) + 1);
    assert.equal(number, `TS-${year}-${String(seen.get(year)).padStart(6, "0")}`);
  }
  assert.equal(
    (await sql`select count(*)::int as n from invoices where account_id = ${idle.accountId}`)[0].n,
    0,
  );

  const again = await admin(url, "invoice:close", "--month", m2);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /was closed already/);
  assert.match(again.stdout, new RegExp(numbers[0][2]));
  assert.equal((await sql`select count(*)::int as n from invoices`)[0].n, 5, "no new numbers");
  const refused = await admin(url, "invoice:close", "--month", monthsBefore(m2, 1));
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /months close in order/);

  const adaM1 = (await readInvoice(sql, ada.accountId, m1))!;
  assert.equal(adaM1.totals.openingBalance, 3_000_000n, "opens with the last month's closing");
  assert.equal(adaM1.totals.closingBalance, 5_000_000n);
  await assertLedgerHolds(sql);
  await sql.end();
});

test("a close waits for a transaction that began before it, and takes in what it wrote", async () => {
  const { sql } = await freshDatabase();
  const dee = await customer(sql);
  const month = monthOf(new Date());
  let closing!: ReturnType<typeof closeMonth>;
  await sql.begin(async (tx) => {
    await topUp(tx, { id: crypto.randomUUID(), accountId: dee.accountId, amount: 1_000_000n });
    await new Promise<void>((waiting) => {
      closing = closeMonth(sql, month, { onWaiting: () => waiting() });
    });
  });
  const closed = await closing;
  assert.deepEqual(closed.invoices.map((i) => [i.accountId, i.totals.topUps]), [
    [dee.accountId, 1_000_000n],
  ]);
  await assertLedgerHolds(sql);
  await sql.end();
});
