// Monthly invoices per account, itemized from the ledger (invoice_items.ts), in UTC months.
//
// The month of a transfer: the invoice period its created_at falls in. A period is its calendar
// month, except that a close cuts the month it closes at the moment it runs when the month is
// not over yet (closing the running month): the rest of that month belongs to the next one's
// period. Periods therefore follow one another without gap or overlap, and a closed one never
// gains a transfer, because a close waits until every transaction that began before its cutoff
// has ended (created_at is the time a transaction began): a settle committed after the close
// began after it, and lands on the next month; so does a refund made later.
//
// `deno task admin invoice:close --month YYYY-MM` closes a month for every account whose money
// moved in it: one transaction writes the period, each account's invoice with its lines and
// totals, and its number, taken from a counter row (TS-2026-000001, …: per year, no gaps). Months
// close in order. Closing a closed month again answers its invoices as they are. The months still
// open are drafts, read from the ledger whenever they are shown.
import { z } from "zod";
import { type Db, inSnapshot, jsonRows, type Sql } from "../platform/database.ts";
import {
  type ChargeLine,
  type CreditLine,
  hasActivity,
  type InvoiceTotals,
  periodItems,
  periodTotals,
} from "./invoice_items.ts";

/** A UTC month, "2026-05". */
export type Month = string;
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month like 2026-05");

export const monthStart = (month: Month) => new Date(`${month}-01T00:00:00.000Z`);
export const monthOf = (at: Date): Month => at.toISOString().slice(0, 7);
export function nextMonth(month: Month): Month {
  const start = monthStart(month);
  return monthOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)));
}
function previousMonth(month: Month): Month {
  const start = monthStart(month);
  return monthOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1)));
}

export interface Period {
  month: Month;
  startsAt: Date;
  endsAt: Date;
  closedAt: Date | null;
}

export interface Invoice {
  accountId: bigint;
  month: Month;
  status: "draft" | "closed";
  /** Given at close. */
  number: string | null;
  period: Period;
  totals: InvoiceTotals;
  lines: ChargeLine[];
  credits: CreditLine[];
}

export interface InvoiceSummary {
  month: Month;
  status: "draft" | "closed";
  number: string | null;
  totals: InvoiceTotals;
}

export class InvoiceError extends Error {}

interface Calendar {
  closed: Map<Month, Period>;
  /** The database's clock, which stamps transfers. */
  now: Date;
}

async function calendar(db: Db): Promise<Calendar> {
  const rows = await db<(Period & { now: Date })[]>`
    select to_char(p.month, 'YYYY-MM') as month, p.starts_at as "startsAt", p.ends_at as "endsAt",
      p.closed_at as "closedAt", n.now
    from (select clock_timestamp() as now) n left join invoice_periods p on true
    order by p.month`;
  const closed = new Map<Month, Period>();
  for (const { now: _, ...period } of rows) if (period.month) closed.set(period.month, period);
  return { closed, now: rows[0].now };
}

/** A month's period: as closed, or its calendar month, starting where a closed previous month
 *  was cut. */
function periodOf(cal: Calendar, month: Month): Period {
  const closed = cal.closed.get(month);
  if (closed) return closed;
  const previous = cal.closed.get(previousMonth(month));
  return {
    month,
    startsAt: previous?.endsAt ?? monthStart(month),
    endsAt: monthStart(nextMonth(month)),
    closedAt: null,
  };
}

/** The month that money moving now lands on: this one, or the first open one after it. */
function runningMonth(cal: Calendar): Month {
  let month = monthOf(cal.now);
  while (cal.closed.has(month)) month = nextMonth(month);
  return month;
}

const latestClosed = (cal: Calendar) => [...cal.closed.keys()].at(-1) ?? null;

/** The account's invoices, newest first: its closed ones, and a draft for each open month with
 *  money moved, and for the running month. */
export async function listInvoices(db: Sql, accountId: bigint): Promise<InvoiceSummary[]> {
  return await inSnapshot(db, async (tx) => {
    const cal = await calendar(tx);
    const closed = await tx<(InvoiceTotals & { month: Month; number: string })[]>`
      select to_char(month, 'YYYY-MM') as month, number, opening_balance as "openingBalance",
        top_ups as "topUps", refunds, charges, closing_balance as "closingBalance"
      from invoices where account_id = ${accountId} order by month desc`;
    const drafts: InvoiceSummary[] = [];
    for (const month of await draftMonths(tx, cal, accountId)) {
      const { startsAt, endsAt } = periodOf(cal, month);
      const totals = await periodTotals(tx, accountId, startsAt, endsAt);
      drafts.unshift({ month, status: "draft", number: null, totals });
    }
    return [
      ...drafts,
      ...closed.map(({ month, number, ...totals }) => ({
        month,
        status: "closed" as const,
        number,
        totals,
      })),
    ];
  });
}

/** The open months the account has a draft for, oldest first. */
async function draftMonths(db: Db, cal: Calendar, accountId: bigint): Promise<Month[]> {
  const running = runningMonth(cal);
  // Money comes in before it can be spent: the first movement is a top-up.
  const [first] = await db<{ at: Date }[]>`
    select created_at as at from ledger_transfers
    where credit_account_id = ${accountId} and kind in ('topup', 'refund')
    order by created_at limit 1`;
  const last = latestClosed(cal);
  let month = first ? monthOf(first.at) : running;
  if (last !== null && nextMonth(last) > month) month = nextMonth(last);
  const months: Month[] = [];
  for (; month <= running; month = nextMonth(month)) {
    const { startsAt, endsAt } = periodOf(cal, month);
    if (month === running || await hasActivity(db, accountId, startsAt, endsAt)) {
      months.push(month);
    }
  }
  return months;
}

/** The month money moving now lands on, and its draft's totals so far. */
export async function runningTotals(
  db: Db,
  accountId: bigint,
): Promise<{ month: Month; totals: InvoiceTotals }> {
  const cal = await calendar(db);
  const month = runningMonth(cal);
  const { startsAt, endsAt } = periodOf(cal, month);
  return { month, totals: await periodTotals(db, accountId, startsAt, endsAt) };
}

/** The account's invoice for `month`: closed, or a draft; null when it has none. */
export async function readInvoice(
  db: Sql,
  accountId: bigint,
  month: Month,
): Promise<Invoice | null> {
  return await inSnapshot(db, async (tx) => {
    const cal = await calendar(tx);
    if (cal.closed.has(month)) {
      return await readClosedInvoice(tx, cal.closed.get(month)!, accountId);
    }
    if (!(await draftMonths(tx, cal, accountId)).includes(month)) return null;
    const period = periodOf(cal, month);
    const items = await periodItems(tx, accountId, period.startsAt, period.endsAt);
    return { accountId, month, status: "draft", number: null, period, ...items };
  });
}

async function readClosedInvoice(
  db: Db,
  period: Period,
  accountId: bigint,
): Promise<Invoice | null> {
  const [invoice] = await db<(InvoiceTotals & { id: bigint; number: string })[]>`
    select id, number, opening_balance as "openingBalance", top_ups as "topUps", refunds, charges,
      closing_balance as "closingBalance"
    from invoices where account_id = ${accountId} and month = ${`${period.month}-01`}`;
  if (!invoice) return null;
  const rows = await db`
    select kind, model_id, size, quality, token_kind, quantity, unit_price, amount, transfer_id,
      occurred_at, note, request_id
    from invoice_lines where invoice_id = ${invoice.id} order by position`;
  const { id: _, number, ...totals } = invoice;
  return {
    accountId,
    month: period.month,
    status: "closed",
    number,
    period,
    totals,
    lines: rows.filter((r) => r.kind !== "topup" && r.kind !== "refund").map((r) => ({
      kind: r.kind,
      model: r.model_id,
      size: r.size,
      quality: r.quality,
      tokenKind: r.token_kind,
      quantity: r.quantity,
      unitPrice: r.unit_price,
      amount: r.amount,
    })),
    credits: rows.filter((r) => r.kind === "topup" || r.kind === "refund").map((r) => ({
      kind: r.kind,
      transferId: r.transfer_id,
      at: r.occurred_at,
      amount: r.amount,
      note: r.note,
      requestId: r.request_id,
    })),
  };
}

export interface Closed {
  period: Period;
  /** False when the month was closed already: these are its invoices as they were. */
  closedNow: boolean;
  invoices: { accountId: bigint; number: string; totals: InvoiceTotals }[];
}

// Any fixed number, the same in every process: closes take turns.
const CLOSE_LOCK = 7_361_204_552;

/**
 * Closes `month` for every account whose money moved in it; idempotent. Waits (up to
 * `waitSeconds`) for the transactions that began before the cutoff, so none can add to it later.
 */
export async function closeMonth(
  sql: Sql,
  month: Month,
  options: { waitSeconds?: number; onWaiting?: (pids: number[]) => void } = {},
): Promise<Closed> {
  const before = await calendar(sql);
  if (before.closed.has(month)) return await closedAlready(sql, before.closed.get(month)!);
  const [{ cutoff }] = await sql<{ cutoff: Date }[]>`
    select least(${monthStart(nextMonth(month))}::timestamptz,
                 date_trunc('milliseconds', clock_timestamp())) as cutoff`;
  if (cutoff <= monthStart(month)) throw new InvoiceError(`${month} has not begun yet`);
  await waitForTransactionsBefore(sql, cutoff, options.waitSeconds ?? 150, options.onWaiting);
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${CLOSE_LOCK})`;
    const cal = await calendar(tx);
    if (cal.closed.has(month)) return await closedAlready(tx, cal.closed.get(month)!);
    const period = { ...periodOf(cal, month), endsAt: cutoff };
    await refuseOutOfOrder(tx, cal, period);
    const [{ closedAt }] = await tx<{ closedAt: Date }[]>`
      insert into invoice_periods (month, starts_at, ends_at)
      values (${`${month}-01`}, ${period.startsAt}, ${period.endsAt})
      returning closed_at as "closedAt"`;
    const invoices = await freezeInvoices(tx, { ...period, closedAt });
    return { period: { ...period, closedAt }, closedNow: true, invoices };
  }) as Closed;
}

async function closedAlready(db: Db, period: Period): Promise<Closed> {
  const rows = await db<(InvoiceTotals & { accountId: bigint; number: string })[]>`
    select account_id as "accountId", number, opening_balance as "openingBalance",
      top_ups as "topUps", refunds, charges, closing_balance as "closingBalance"
    from invoices where month = ${`${period.month}-01`} order by number`;
  return {
    period,
    closedNow: false,
    invoices: rows.map(({ accountId, number, ...totals }) => ({ accountId, number, totals })),
  };
}

/** Months close in order: after the latest closed one, and only once every earlier movement of
 *  money is in a closed month. */
async function refuseOutOfOrder(db: Db, cal: Calendar, period: Period) {
  const last = latestClosed(cal);
  if (last !== null && last > period.month) {
    throw new InvoiceError(`months close in order: ${last} is closed already`);
  }
  const since = last === null ? null : cal.closed.get(last)!.endsAt;
  const [{ first }] = await db<{ first: Date | null }[]>`
    select min(t.created_at) as first
    from ledger_accounts a cross join lateral (
      (select created_at from ledger_transfers where credit_account_id = a.id
         and kind in ('topup', 'refund') and created_at < ${period.startsAt}
         ${since === null ? db`` : db`and created_at >= ${since}`}
       order by created_at limit 1)
      union all
      (select created_at from ledger_transfers where debit_account_id = a.id
         and kind = 'settle' and created_at < ${period.startsAt}
         ${since === null ? db`` : db`and created_at >= ${since}`}
       order by created_at limit 1)
    ) t
    where a.kind = 'customer'`;
  if (first !== null) {
    throw new InvoiceError(
      `months close in order: money moved in ${monthOf(first)}, which is open; close it first`,
    );
  }
}

/** Writes the invoice of every account whose money moved in the period, numbered in account
 *  order from the year's counter. */
async function freezeInvoices(tx: Db, period: Period): Promise<Closed["invoices"]> {
  const accounts = await tx<{ id: bigint }[]>`
    select a.id from ledger_accounts a
    where a.kind = 'customer' and (
      exists (select 1 from ledger_transfers where credit_account_id = a.id
        and kind in ('topup', 'refund') and created_at >= ${period.startsAt}
        and created_at < ${period.endsAt})
      or exists (select 1 from ledger_transfers where debit_account_id = a.id
        and kind = 'settle' and created_at >= ${period.startsAt}
        and created_at < ${period.endsAt}))
    order by a.id`;
  if (accounts.length === 0) return [];
  const year = Number(period.month.slice(0, 4));
  const [{ last }] = await tx<{ last: number }[]>`
    insert into invoice_counters (year, last_number) values (${year}, ${accounts.length})
    on conflict (year) do update set last_number = invoice_counters.last_number + ${accounts.length}
    returning last_number as last`;
  const frozen: Closed["invoices"] = [];
  for (const [i, { id: accountId }] of accounts.entries()) {
    const number = invoiceNumber(year, last - accounts.length + 1 + i);
    const items = await periodItems(tx, accountId, period.startsAt, period.endsAt);
    await insertInvoice(tx, period.month, accountId, number, items);
    frozen.push({ accountId, number, totals: items.totals });
  }
  return frozen;
}

export const invoiceNumber = (year: number, n: number) =>
  `TS-${year}-${String(n).padStart(6, "0")}`;

async function insertInvoice(
  tx: Db,
  month: Month,
  accountId: bigint,
  number: string,
  { totals, lines, credits }: Awaited<ReturnType<typeof periodItems>>,
) {
  const [{ id }] = await tx<{ id: bigint }[]>`
    insert into invoices (account_id, month, number, opening_balance, top_ups, refunds, charges,
      closing_balance)
    values (${accountId}, ${`${month}-01`}, ${number}, ${totals.openingBalance}, ${totals.topUps},
      ${totals.refunds}, ${totals.charges}, ${totals.closingBalance})
    returning id`;
  const rows = [
    ...lines.map((l) => ({
      kind: l.kind,
      model_id: l.model,
      size: l.size,
      quality: l.quality,
      token_kind: l.tokenKind,
      quantity: l.quantity,
      unit_price: l.unitPrice,
      amount: l.amount,
    })),
    ...credits.map((c) => ({
      kind: c.kind,
      quantity: 1n,
      amount: c.amount,
      transfer_id: c.transferId,
      occurred_at: c.at,
      note: c.note,
      request_id: c.requestId,
    })),
  ].map((row, position) => ({ invoice_id: id, position, ...row }));
  if (rows.length === 0) return;
  await tx`
    insert into invoice_lines (invoice_id, position, kind, model_id, size, quality, token_kind,
      quantity, unit_price, amount, transfer_id, occurred_at, note, request_id)
    select * from jsonb_to_recordset(${jsonRows(rows)}::text::jsonb) as x(invoice_id bigint,
      position integer, kind text, model_id text, size text, quality text, token_kind text,
      quantity bigint, unit_price bigint, amount bigint, transfer_id uuid,
      occurred_at timestamptz, note text, request_id text)`;
}

/**
 * Waits until no transaction of this database that began before `cutoff` is still open: after
 * that, no transfer can ever appear with a created_at before it.
 */
async function waitForTransactionsBefore(
  sql: Sql,
  cutoff: Date,
  seconds: number,
  onWaiting?: (pids: number[]) => void,
) {
  const deadline = Date.now() + seconds * 1000;
  for (let polls = 0;; polls++) {
    // Each poll its own statement outside a transaction: pg_stat_activity is read afresh.
    const open = await sql<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()
        and backend_type = 'client backend' and xact_start < ${cutoff}`;
    if (open.length === 0) return;
    if (polls === 0) onWaiting?.(open.map((o) => o.pid));
    if (Date.now() > deadline) {
      throw new InvoiceError(
        `transactions begun before the cutoff are still open (pids ${
          open.map((o) => o.pid).join(", ")
        }); try again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
