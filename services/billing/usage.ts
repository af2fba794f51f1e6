// Usage at a glance (the signed-in home page): what the account was charged per day over the last
// 30 days (UTC), by kind and by model, with the balance and the running month's total. The same
// settles as the invoices, read over the account's ledger index (debit account, created_at) and
// joined to their log lines by hold for the kind and model: one GROUP BY.
import { inSnapshot, type Sql } from "../platform/database.ts";
import { balanceOf } from "./ledger.ts";
import type { Micros } from "./money.ts";
import { type Month, runningTotals } from "./invoices.ts";

export const USAGE_DAYS = 30;
export const SPEND_KINDS = ["image", "text", "other"] as const;
export type SpendKind = typeof SPEND_KINDS[number];

export interface UsageSummary {
  /** The 30 days, oldest first, "2026-11-03". */
  days: { day: string; byKind: Record<SpendKind, Micros>; total: Micros }[];
  byModel: { model: string | null; kind: SpendKind; amount: Micros }[];
  total: Micros;
  available: Micros;
  month: Month;
  monthToDate: Micros;
}

export async function usageSummary(sql: Sql, accountId: bigint): Promise<UsageSummary> {
  return await inSnapshot(sql, async (tx) => {
    const [{ today }] = await tx<{ today: string }[]>`
      select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD') as today`;
    const first = new Date(Date.parse(`${today}T00:00:00Z`) - (USAGE_DAYS - 1) * 86_400_000);
    const rows = await tx<{ day: string; kind: SpendKind; model: string | null; amount: bigint }[]>`
      select to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD') as day,
        coalesce(r.kind, 'other') as kind, r.model_id as model, sum(s.amount)::bigint as amount
      from ledger_transfers s left join request_log r on r.hold_id = s.pending_id
      where s.debit_account_id = ${accountId} and s.kind = 'settle' and s.created_at >= ${first}
      group by 1, 2, 3`;
    const days = Array.from({ length: USAGE_DAYS }, (_, i) => ({
      day: new Date(first.getTime() + i * 86_400_000).toISOString().slice(0, 10),
      byKind: { image: 0n, text: 0n, other: 0n },
      total: 0n,
    }));
    const byDay = new Map(days.map((d) => [d.day, d]));
    const byModel = new Map<string, UsageSummary["byModel"][number]>();
    let total = 0n;
    for (const row of rows) {
      const day = byDay.get(row.day)!;
      day.byKind[row.kind] += row.amount;
      day.total += row.amount;
      total += row.amount;
      const key = `${row.kind}|${row.model}`;
      const entry = byModel.get(key) ?? { model: row.model, kind: row.kind, amount: 0n };
      entry.amount += row.amount;
      byModel.set(key, entry);
    }
    const running = await runningTotals(tx, accountId);
    return {
      days,
      byModel: [...byModel.values()].sort((
        a,
        b,
      ) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : 0)),
      total,
      available: (await balanceOf(tx, accountId)).available,
      month: running.month,
      monthToDate: running.totals.charges,
    };
  });
}
