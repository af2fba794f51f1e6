// What the ledger says about one account over one invoice period [from, to): its charges itemized,
// its top-ups and refunds one by one, and its balances. Drafts are read this way live; a close
// reads the same and freezes it (invoices.ts).
//
// Charges are the settles that debit the account, each joined to its call's log line (same hold)
// for what it bought:
// - images: a line per model × size × quality × unit price; quantity = images, amount = the sum
//   of the settles, so the line is exactly what the ledger took.
// - text: a line per model × kind of token × rate, the rate the call was priced at (the log keeps
//   which text_prices row); quantity = tokens, amount = ⌊quantity × rate / 1,000,000⌋, which
//   the reader can check. A call's charge is rounded up to the micro-dollar once per call, so the
//   token lines fall short of the charges by less than a micro-dollar per call (and per line): one
//   "rounding" line per model makes up the difference. A charge that stopped at its hold (an
//   upstream reported more than the hold allowed for) is itemized at its tokens' full cost, and a
//   "capped" line per model takes the excess off. So a model's lines add up to its settles exactly.
// - a settle with no log line (none is written by the product; older or hand-made ones) is an
//   "other" line, so nothing charged is ever left off.
import type { Db } from "../platform/database.ts";
import type { Micros } from "./money.ts";

export type TokenKind = "input" | "cached_input" | "cache_write" | "output";
export const TOKEN_KINDS: readonly TokenKind[] = ["input", "cached_input", "cache_write", "output"];

export interface ChargeLine {
  kind: "image" | "text" | "rounding" | "capped" | "other";
  model: string | null;
  size: string | null;
  quality: string | null;
  tokenKind: TokenKind | null;
  /** Images, tokens, or calls (rounding, capped, other). */
  quantity: bigint;
  /** Per image, or per million tokens; null for rounding and other. */
  unitPrice: Micros | null;
  amount: Micros;
}

export interface CreditLine {
  kind: "topup" | "refund";
  transferId: string;
  at: Date;
  amount: Micros;
  note: string | null;
  /** A refund: the call whose charge it gives back. */
  requestId: string | null;
}

export interface InvoiceTotals {
  openingBalance: Micros;
  topUps: Micros;
  refunds: Micros;
  charges: Micros;
  closingBalance: Micros;
}

export interface PeriodItems {
  totals: InvoiceTotals;
  lines: ChargeLine[];
  credits: CreditLine[];
}

/** Everything an invoice of `accountId` over [from, to) shows. Run it in one snapshot (a
 *  repeatable-read transaction) when the period is still open. */
export async function periodItems(
  db: Db,
  accountId: bigint,
  from: Date,
  to: Date,
): Promise<PeriodItems> {
  const totals = await periodTotals(db, accountId, from, to);
  const lines = chargeLines(await chargeGroups(db, accountId, from, to));
  const credits = await db<CreditLine[]>`
    select kind, id as "transferId", created_at as at, amount, note, request_id as "requestId"
    from ledger_transfers
    where credit_account_id = ${accountId} and kind in ('topup', 'refund')
      and created_at >= ${from} and created_at < ${to}
    order by created_at, id`;
  return { totals, lines, credits: [...credits] };
}

/**
 * The period's sums and balances, in one statement (one snapshot). The closing balance is the
 * ledger's: the account's posted balance now, less what was posted from `to` on; the opening
 * balance is the closing one less the period's movements.
 */
export async function periodTotals(
  db: Db,
  accountId: bigint,
  from: Date,
  to: Date,
): Promise<InvoiceTotals> {
  const [row] = await db<
    (InvoiceTotals & { creditedAfter: bigint; chargedAfter: bigint; posted: bigint })[]
  >`
    with credited as (
      select kind, amount, created_at from ledger_transfers
      where credit_account_id = ${accountId} and kind in ('topup', 'refund') and created_at >= ${from}
    ), charged as (
      select amount, created_at from ledger_transfers
      where debit_account_id = ${accountId} and kind = 'settle' and created_at >= ${from}
    )
    select a.credits_posted - a.debits_posted as posted,
      coalesce((select sum(amount) from credited where kind = 'topup' and created_at < ${to}), 0)::bigint
        as "topUps",
      coalesce((select sum(amount) from credited where kind = 'refund' and created_at < ${to}), 0)::bigint
        as refunds,
      coalesce((select sum(amount) from charged where created_at < ${to}), 0)::bigint as charges,
      coalesce((select sum(amount) from credited where created_at >= ${to}), 0)::bigint as "creditedAfter",
      coalesce((select sum(amount) from charged where created_at >= ${to}), 0)::bigint as "chargedAfter"
    from ledger_accounts a where a.id = ${accountId} and a.kind = 'customer'`;
  if (!row) throw new Error(`no customer account ${accountId}`);
  const closingBalance = row.posted - row.creditedAfter + row.chargedAfter;
  return {
    openingBalance: closingBalance - row.topUps - row.refunds + row.charges,
    topUps: row.topUps,
    refunds: row.refunds,
    charges: row.charges,
    closingBalance,
  };
}

/** Whether any money moved on the account in [from, to): a top-up, a refund or a charge. */
export async function hasActivity(db: Db, accountId: bigint, from: Date, to: Date) {
  const [row] = await db<{ active: boolean }[]>`
    select exists (
      select 1 from ledger_transfers where credit_account_id = ${accountId}
        and kind in ('topup', 'refund') and created_at >= ${from} and created_at < ${to}
    ) or exists (
      select 1 from ledger_transfers where debit_account_id = ${accountId}
        and kind = 'settle' and created_at >= ${from} and created_at < ${to}
    ) as active`;
  return row.active;
}

interface ChargeGroup {
  kind: "image" | "text" | null;
  model: string | null;
  size: string | null;
  quality: string | null;
  unitPrice: Micros | null;
  calls: bigint;
  amount: Micros;
  /** Text: what the tokens' cost exceeded the charges by, where a charge stopped at its hold. */
  capped: Micros;
  images: bigint;
  tokens: Record<TokenKind, bigint>;
  /** A text group's rates per million tokens; null when the price row is unknown. */
  rates: Record<TokenKind, Micros> | null;
}

async function chargeGroups(db: Db, accountId: bigint, from: Date, to: Date) {
  const rows = await db`
    with calls as (
      select s.amount, r.kind, r.model_id, r.size, r.quality, r.unit_price, r.images,
        coalesce(r.input_tokens, 0) as input, coalesce(r.cached_tokens, 0) as cached_input,
        coalesce(r.cache_write_tokens, 0) as cache_write, coalesce(r.output_tokens, 0) as output,
        case when r.kind = 'text' then coalesce(r.text_price_from::timestamptz,
          -- calls logged before the log kept it: the price in force when the call began
          (select max(p.valid_from) from text_prices p
           where p.model_id = r.model_id and p.valid_from <= r.created_at)) end as price_from
      from ledger_transfers s left join request_log r on r.hold_id = s.pending_id
      where s.debit_account_id = ${accountId} and s.kind = 'settle'
        and s.created_at >= ${from} and s.created_at < ${to}
    ), priced as (
      select c.*, p.input_per_mtok, p.cached_input_per_mtok,
        coalesce(p.cache_write_per_mtok, p.input_per_mtok) as cache_write_per_mtok,
        p.output_per_mtok,
        -- what the tokens cost at their rates, rounded up once (pricing.ts textCost)
        ceil((c.input::numeric * p.input_per_mtok + c.cached_input::numeric * p.cached_input_per_mtok
          + c.cache_write::numeric * coalesce(p.cache_write_per_mtok, p.input_per_mtok)
          + c.output::numeric * p.output_per_mtok) / 1000000) as list_cost
      from calls c left join text_prices p on p.model_id = c.model_id and p.valid_from = c.price_from
    )
    select kind, model_id, size, quality, unit_price, input_per_mtok, cached_input_per_mtok,
      cache_write_per_mtok, output_per_mtok, count(*) as calls, sum(amount)::bigint as amount,
      coalesce(sum(greatest(list_cost - amount, 0)), 0)::bigint as capped,
      coalesce(sum(images), 0) as images, sum(input) as input, sum(cached_input) as cached_input,
      sum(cache_write) as cache_write, sum(output) as output
    from priced
    group by kind, model_id, size, quality, unit_price, price_from, input_per_mtok,
      cached_input_per_mtok, cache_write_per_mtok, output_per_mtok
    order by kind, model_id, price_from`;
  return rows.map((r): ChargeGroup => ({
    kind: r.kind,
    model: r.model_id,
    size: r.size,
    quality: r.quality,
    unitPrice: r.unit_price,
    calls: r.calls,
    amount: r.amount,
    capped: r.capped,
    images: r.images,
    tokens: {
      input: r.input,
      cached_input: r.cached_input,
      cache_write: r.cache_write,
      output: r.output,
    },
    rates: r.input_per_mtok === null ? null : {
      input: r.input_per_mtok,
      cached_input: r.cached_input_per_mtok,
      cache_write: r.cache_write_per_mtok,
      output: r.output_per_mtok,
    },
  }));
}

const PER_MTOK = 1_000_000n;
const QUALITY_ORDER = ["low", "medium", "high"];

/** The charge lines of a period's groups, images first, then text, then anything else. */
export function chargeLines(groups: ChargeGroup[]): ChargeLine[] {
  const blank = { size: null, quality: null, tokenKind: null };
  const images: ChargeLine[] = groups.filter((g) => g.kind === "image").map((g) => ({
    kind: "image",
    model: g.model,
    size: g.size,
    quality: g.quality,
    tokenKind: null,
    quantity: g.images,
    unitPrice: g.unitPrice,
    amount: g.amount,
  }));
  images.sort((a, b) =>
    (a.model ?? "").localeCompare(b.model ?? "") ||
    (a.size ?? "").localeCompare(b.size ?? "") ||
    QUALITY_ORDER.indexOf(a.quality ?? "") - QUALITY_ORDER.indexOf(b.quality ?? "") ||
    Number((a.unitPrice ?? 0n) - (b.unitPrice ?? 0n))
  );
  const text: ChargeLine[] = [];
  const other: ChargeLine[] = [];
  const textModels = [...new Set(groups.filter((g) => g.kind === "text").map((g) => g.model))];
  for (const model of textModels.sort()) {
    const ofModel = groups.filter((g) => g.kind === "text" && g.model === model);
    let listed = 0n, capped = 0n, itemized = 0n, calls = 0n;
    for (const g of ofModel) {
      if (g.rates === null) {
        other.push({
          ...blank,
          kind: "other",
          model,
          quantity: g.calls,
          unitPrice: null,
          amount: g.amount,
        });
        continue;
      }
      listed += g.amount + g.capped;
      capped += g.capped;
      calls += g.calls;
      for (const tokenKind of TOKEN_KINDS) {
        const quantity = g.tokens[tokenKind];
        if (quantity === 0n) continue;
        const amount = quantity * g.rates[tokenKind] / PER_MTOK;
        itemized += amount;
        text.push({
          ...blank,
          kind: "text",
          model,
          tokenKind,
          quantity,
          unitPrice: g.rates[tokenKind],
          amount,
        });
      }
    }
    if (listed !== itemized) {
      text.push({
        ...blank,
        kind: "rounding",
        model,
        quantity: calls,
        unitPrice: null,
        amount: listed - itemized,
      });
    }
    if (capped > 0n) {
      text.push({
        ...blank,
        kind: "capped",
        model,
        quantity: calls,
        unitPrice: null,
        amount: -capped,
      });
    }
  }
  for (const g of groups.filter((g) => g.kind !== "image" && g.kind !== "text")) {
    other.push({
      ...blank,
      kind: "other",
      model: g.model,
      quantity: g.calls,
      unitPrice: null,
      amount: g.amount,
    });
  }
  return [...images, ...text, ...other];
}
