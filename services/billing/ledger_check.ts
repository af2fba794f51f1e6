// Proves the ledger's invariants from its own records. `deno task admin ledger:check` runs it;
// tests run it after every scenario. Each check is a query that returns the rows that break it.
import type { Db } from "../platform/database.ts";

export interface InvariantResult {
  name: string;
  ok: boolean;
  /** Up to 10 offending rows, for the operator. */
  violations: unknown[];
}

const INVARIANTS: { name: string; query: string }[] = [
  {
    name: "every transfer runs between the accounts its kind names",
    query: `
      select t.id, t.kind, d.kind as debit, c.kind as credit
      from ledger_transfers t
      join ledger_accounts d on d.id = t.debit_account_id
      join ledger_accounts c on c.id = t.credit_account_id
      where (t.kind = 'topup' and (d.kind, c.kind) <> ('topup_clearing', 'customer'))
         or (t.kind in ('hold', 'settle', 'release', 'expire') and (d.kind, c.kind) <> ('customer', 'revenue'))
         or (t.kind = 'refund' and (d.kind, c.kind) <> ('revenue', 'customer'))`,
  },
  {
    name: "no customer's available balance is negative",
    query: `
      select id, credits_posted - debits_posted - debits_pending as available
      from ledger_accounts where kind = 'customer' and credits_posted - debits_posted - debits_pending < 0`,
  },
  {
    name: "customer running totals equal the sums of their transfers",
    query: `
      with posted as (
        select a.id,
          coalesce((select sum(amount) from ledger_transfers t
                    where t.debit_account_id = a.id and t.kind not in ('hold', 'release', 'expire')), 0) as debits,
          coalesce((select sum(amount) from ledger_transfers t
                    where t.credit_account_id = a.id and t.kind not in ('hold', 'release', 'expire')), 0) as credits,
          coalesce((select sum(amount) from ledger_open_holds h where h.account_id = a.id), 0) as pending
        from ledger_accounts a where a.kind = 'customer'
      )
      select a.id, a.debits_posted, p.debits, a.credits_posted, p.credits, a.debits_pending, p.pending
      from ledger_accounts a join posted p using (id)
      where a.debits_posted <> p.debits or a.credits_posted <> p.credits
         or a.debits_pending <> p.pending or a.credits_pending <> 0`,
  },
  {
    name: "every hold is either open or resolved exactly once, never both",
    query: `
      select h.id, h.amount,
        (select count(*) from ledger_transfers r where r.pending_id = h.id) as resolutions,
        exists (select 1 from ledger_open_holds o where o.transfer_id = h.id) as open
      from ledger_transfers h where h.kind = 'hold'
        and ((select count(*) from ledger_transfers r where r.pending_id = h.id)
             + (select count(*) from ledger_open_holds o where o.transfer_id = h.id)) <> 1`,
  },
  {
    name: "open holds match their pending transfers",
    query: `
      select o.transfer_id from ledger_open_holds o left join ledger_transfers h on h.id = o.transfer_id
      where h.kind is distinct from 'hold' or h.amount <> o.amount or h.debit_account_id <> o.account_id
         or h.api_key_id is distinct from o.api_key_id or h.deadline <> o.deadline`,
  },
  {
    name:
      "a settle posts at most what was held, between the hold's accounts; a void frees all of it",
    query: `
      select r.id, r.kind, r.amount, h.amount as held
      from ledger_transfers r join ledger_transfers h on h.id = r.pending_id
      where h.kind <> 'hold'
         or r.debit_account_id <> h.debit_account_id or r.credit_account_id <> h.credit_account_id
         or r.api_key_id is distinct from h.api_key_id
         or (r.kind = 'settle' and r.amount > h.amount)
         or (r.kind in ('release', 'expire') and r.amount <> h.amount)`,
  },
  {
    name: "spend-limited API keys: spent and held equal their transfers",
    query: `
      select k.id, k.spent, k.held, k.spend_limit,
        coalesce((select sum(amount) from ledger_transfers t where t.api_key_id = k.id and t.kind = 'settle'), 0) as settled,
        coalesce((select sum(amount) from ledger_open_holds o where o.api_key_id = k.id), 0) as open
      from api_keys k
      where k.spend_limit is not null and (k.spent <> coalesce((select sum(amount) from ledger_transfers t where t.api_key_id = k.id and t.kind = 'settle'), 0)
         or k.held <> coalesce((select sum(amount) from ledger_open_holds o where o.api_key_id = k.id), 0))`,
  },
  {
    name:
      "the request log agrees with the money: a charge only for a delivered result, nothing for the rest",
    query: `
      select r.request_id, r.status, r.cost, r.charge_id, settled.id as settle_id, settled.amount as settled
      from request_log r
      left join ledger_transfers settled on settled.pending_id = r.hold_id and settled.kind = 'settle'
      where r.hold_id is not null and (
        (settled.id is not null and (r.status <> 'ok' or r.cost <> settled.amount or r.charge_id is distinct from settled.id))
        or (settled.id is null and (r.cost <> 0 or r.charge_id is not null))
        or (r.status = 'ok' and r.cost > 0 and settled.id is null)
      )`,
  },
  {
    name: "every reference points at a row that exists (checked here, not by foreign keys)",
    query: `
      select 'transfer account' as what, t.id::text as row from ledger_transfers t
      where not exists (select 1 from ledger_accounts a where a.id = t.debit_account_id)
         or not exists (select 1 from ledger_accounts a where a.id = t.credit_account_id)
      union all
      select 'resolution of no hold', t.id::text from ledger_transfers t
      where t.pending_id is not null
        and not exists (select 1 from ledger_transfers h where h.id = t.pending_id and h.kind = 'hold')
      union all
      select 'transfer api key', t.id::text from ledger_transfers t
      where t.api_key_id is not null and not exists (select 1 from api_keys k where k.id = t.api_key_id)
      union all
      select 'open hold account or key', o.transfer_id::text from ledger_open_holds o
      where not exists (select 1 from ledger_accounts a where a.id = o.account_id)
         or (o.api_key_id is not null and not exists (select 1 from api_keys k where k.id = o.api_key_id))
      union all
      select 'request log user, key or channel', r.request_id from request_log r
      where not exists (select 1 from users u where u.id = r.user_id)
         or (r.api_key_id is not null and not exists (select 1 from api_keys k where k.id = r.api_key_id))
         or (r.channel_id is not null and not exists (select 1 from channels c where c.id = r.channel_id))
      union all
      select 'image owner', i.id from images i where not exists (select 1 from users u where u.id = i.user_id)`,
  },
  {
    name: "every API call's hold has its log line, pending exactly while the hold is open",
    query: `
      select 'hold without a log line' as what, h.id::text as row from ledger_transfers h
      where h.kind = 'hold' and h.request_id like 'req\\_%'
        and not exists (select 1 from request_log r where r.hold_id = h.id)
      union all
      select 'log line ' || r.status || ' while its hold is ' ||
        case when o.transfer_id is null then 'resolved' else 'open' end, r.request_id
      from request_log r left join ledger_open_holds o on o.transfer_id = r.hold_id
      where r.hold_id is not null and (r.status = 'pending') <> (o.transfer_id is not null)`,
  },
  {
    name: "a delivered call's log line matches its stored images, in count and cost",
    query: `
      select r.request_id, r.images, r.cost, i.count, i.cost as images_cost
      from request_log r
      left join lateral (select count(*) as count, coalesce(sum(cost), 0) as cost
                         from images where images.request_id = r.request_id) i on true
      where r.status = 'ok' and r.kind = 'image' and (r.images <> i.count or r.cost <> i.cost)`,
  },
  {
    name:
      "a call's refunds go back to the account it charged and never add up to more than its charge",
    query: `
      select f.request_id, sum(f.amount) as refunded, s.amount as charged
      from ledger_transfers f
      left join request_log r on r.request_id = f.request_id
      left join ledger_transfers s on s.id = r.charge_id and s.kind = 'settle'
      where f.kind = 'refund'
      group by f.request_id, s.amount
      having s.amount is null or sum(f.amount) > s.amount
        or bool_or(f.credit_account_id <> s.debit_account_id)`,
  },
  {
    name:
      "a closed invoice still matches the ledger: its period's top-ups, refunds and charges, and its lines",
    query: `
      select i.number, i.top_ups, i.refunds, i.charges, c.top_ups as ledger_top_ups,
        c.refunds as ledger_refunds, d.charges as ledger_charges, l.*
      from invoices i join invoice_periods p on p.month = i.month
      cross join lateral (
        select coalesce(sum(amount) filter (where kind = 'topup'), 0) as top_ups,
          coalesce(sum(amount) filter (where kind = 'refund'), 0) as refunds
        from ledger_transfers where credit_account_id = i.account_id and kind in ('topup', 'refund')
          and created_at >= p.starts_at and created_at < p.ends_at) c
      cross join lateral (
        select coalesce(sum(amount), 0) as charges from ledger_transfers
        where debit_account_id = i.account_id and kind = 'settle'
          and created_at >= p.starts_at and created_at < p.ends_at) d
      cross join lateral (
        select coalesce(sum(amount) filter (where kind = 'topup'), 0) as line_top_ups,
          coalesce(sum(amount) filter (where kind = 'refund'), 0) as line_refunds,
          coalesce(sum(amount) filter (where kind not in ('topup', 'refund')), 0) as line_charges
        from invoice_lines where invoice_id = i.id) l
      where (c.top_ups, c.refunds, d.charges, l.line_top_ups, l.line_refunds, l.line_charges)
        <> (i.top_ups, i.refunds, i.charges, i.top_ups, i.refunds, i.charges)`,
  },
  {
    name: "every account whose money moved in a closed month has that month's invoice",
    query: `
      select to_char(p.month, 'YYYY-MM') as month, t.account
      from invoice_periods p cross join lateral (
        select distinct case when kind = 'settle' then debit_account_id else credit_account_id end
          as account
        from ledger_transfers
        where kind in ('topup', 'settle', 'refund')
          and created_at >= p.starts_at and created_at < p.ends_at) t
      where not exists (select 1 from invoices i where i.month = p.month and i.account_id = t.account)`,
  },
  {
    name:
      "closed months follow one another; each invoice opens with the account's previous closing balance",
    query: `
      select to_char(month, 'YYYY-MM') as month, 'period starts before the previous one ends' as what
      from (select month, starts_at, lag(ends_at) over (order by month) as previous_end
            from invoice_periods) p
      where starts_at < previous_end
      union all
      select i.number, 'opening ' || i.opening_balance || ' after closing ' ||
        coalesce(prev.closing_balance, 0)
      from invoices i left join lateral (
        select closing_balance from invoices o where o.account_id = i.account_id and o.month < i.month
        order by o.month desc limit 1) prev on true
      where i.opening_balance <> coalesce(prev.closing_balance, 0)`,
  },
  {
    name: "invoice numbers run from 1 each year without a gap",
    query: `
      select n.year, count(*) as invoices, max(n.seq) as highest, c.last_number
      from (select split_part(number, '-', 2)::int as year, split_part(number, '-', 3)::int as seq
            from invoices) n
      left join invoice_counters c on c.year = n.year
      group by n.year, c.last_number
      having count(*) <> max(n.seq) or count(distinct n.seq) <> count(*)
        or c.last_number is distinct from max(n.seq)`,
  },
];

export async function checkLedger(db: Db): Promise<InvariantResult[]> {
  const results: InvariantResult[] = [];
  for (const invariant of INVARIANTS) {
    const rows = await db.unsafe(`${invariant.query} limit 10`);
    results.push({ name: invariant.name, ok: rows.length === 0, violations: [...rows] });
  }
  return results;
}

/** Holds whose deadline has passed but that the sweeper has not released yet (not a violation). */
export async function overdueHolds(db: Db): Promise<number> {
  const [row] = await db<
    { count: bigint }[]
  >`select count(*) from ledger_open_holds where deadline < now()`;
  return Number(row.count);
}
