-- ledger_post: many holds and resolutions in one statement, set-based where it can be. A group
-- commit (services/billing/group_commit.ts) hands it the ledger part of every call in the group at once.
-- Measured on our 2-core machine, 16 holds one function call each cost ~4× the same 16 in one
-- set-based call, and each call's statement held the customer's row while it ran. The items come
-- as arrays, one per field (h_… for holds, r_… for resolutions), in item order.
--
-- The rules are ledger_hold's and ledger_resolve's (0003, 0004), which this replaces:
-- 1. Resolutions first claim their holds (deleting the open-hold rows; a hold is claimed only by
--    its own call, or by the sweeper one hold per transaction). Then accounts are locked, in
--    ascending id order, each by one update for all the post's items (holds and resolutions
--    alike), then API keys (a key belongs to one account, whose lock is then held already). Two
--    posts therefore never wait on each other in a circle.
-- 2. Resolutions run before holds: money a resolution frees is available to the holds.
-- 3. A refused hold ('insufficient_funds', 'spend_limit_exceeded') and a resolution of a hold that
--    is not open ('hold_not_open') are answers, not errors, so they never undo the other items.
--    Holds are judged one by one in their order, as ledger_hold did; when all of an account's new
--    holds fit (and none counts against a key's spend limit), one guarded update takes them all.
-- 4. An item whose id exists already (a retry) writes nothing and answers with the stored
--    transfer, created = false; services/billing/ledger.ts checks it describes the same transfer.
-- 5. A resolution sees only holds that were open when the statement started. Of two resolutions
--    of one hold in the same post, the first wins.
-- 6. Settling more than was held raises TS004 (a bug in the caller, not an answer).
-- 7. With p_all_or_nothing, any item that is not written as new and successful (a refusal, a hold
--    not open, a retry) raises TS005 instead, so that a caller can send the records that go with
--    success, and COMMIT, in the same flight as this statement (see services/billing/group_commit.ts).

create type ledger_post_answer as (
  side text, item int, created boolean, refusal text,
  id uuid, kind text, debit_account_id bigint, credit_account_id bigint, amount bigint,
  pending_id uuid, deadline timestamptz, request_id text, api_key_id bigint, note text,
  created_at timestamptz
);

create function ledger_post(
  -- the holds, item by item
  h_id uuid[], h_account bigint[], h_amount bigint[], h_timeout float8[], h_request text[],
  h_key bigint[], h_limited boolean[],
  -- the resolutions, item by item (r_amount: a settle's posted amount; null for a void)
  r_id uuid[], r_hold uuid[], r_kind text[], r_amount bigint[], r_note text[],
  p_all_or_nothing boolean
) returns setof ledger_post_answer language plpgsql as $$
declare
  existing uuid[]; h_existed boolean[]; h_refusal text[];
  r_existed boolean[]; r_refusal text[];
  -- the claimed resolutions: item, account, key (when limited), held, posted
  c_item int[]; c_account bigint[]; c_key bigint[]; c_held bigint[]; c_posted bigint[];
  overdrawn boolean;
  limited_resolutions boolean;
  acc record;
  fits boolean;
begin
  select coalesce(array_agg(id), '{}') into existing from ledger_transfers where id = any(h_id || r_id);
  h_existed := array(select u.id = any(existing) from unnest(h_id) with ordinality as u(id, n) order by n);
  r_existed := array(select u.id = any(existing) from unnest(r_id) with ordinality as u(id, n) order by n);
  if p_all_or_nothing and (true = any(h_existed) or true = any(r_existed)) then
    raise exception 'a retry in an all-or-nothing post' using errcode = 'TS005';
  end if;
  h_refusal := array_fill(null::text, array[cardinality(h_id)]);

  -- Resolutions claim their holds by deleting the open-hold rows (each hold is claimed by its own
  -- call, or by the sweeper, one hold per transaction), and write their transfers.
  with wanted as (
    select distinct on (u.hold) u.n::int as n, u.hold
    from unnest(r_hold, r_existed) with ordinality as u(hold, existed, n)
    where not u.existed order by u.hold, u.n
  ), taken as (
    delete from ledger_open_holds o using wanted w where o.transfer_id = w.hold
    returning w.n, o.transfer_id, o.account_id, o.api_key_id, o.key_limited, o.amount,
      case when r_kind[w.n] = 'settle' then coalesce(r_amount[w.n], 0) else 0 end as posted
  ), transfers as (
    insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, pending_id, api_key_id, note)
    -- a void records the amount it freed
    select r_id[n], r_kind[n], account_id, 1, case when r_kind[n] = 'settle' then posted else amount end,
           transfer_id, api_key_id, r_note[n]
    from taken where posted <= amount
  )
  select coalesce(array_agg(n), '{}'), coalesce(array_agg(account_id), '{}'),
         coalesce(array_agg(case when key_limited then api_key_id end), '{}'),
         coalesce(array_agg(amount), '{}'), coalesce(array_agg(posted), '{}'),
         coalesce(bool_or(posted > amount), false)
  into c_item, c_account, c_key, c_held, c_posted, overdrawn from taken;
  if overdrawn then
    raise exception 'cannot settle more than a hold holds' using errcode = 'TS004';
  end if;
  limited_resolutions := exists (select 1 from unnest(c_key) as k where k is not null);
  r_refusal := array(select case when not r_existed[n] and not (n = any(c_item)) then 'hold_not_open' end
                     from generate_subscripts(r_id, 1) as n order by n);

  -- Accounts, in ascending order, each updated once: what the resolutions freed and posted, and
  -- the new holds when all of them fit (and none counts against a key's spend limit).
  for acc in
    select account, sum(freed) as freed, sum(posted) as posted, sum(wanted) as wanted,
           bool_or(limited) as limited, bool_or(holding) as holding
    from (
      select c.account, c.held as freed, c.posted, 0 as wanted, false as limited, false as holding
      from unnest(c_account, c_held, c_posted) as c(account, held, posted)
      union all
      select u.account, 0, 0, u.amount, u.limited, true
      from unnest(h_account, h_amount, h_limited, h_existed) as u(account, amount, limited, existed)
      where not u.existed
    ) as moves
    group by account order by account
  loop
    fits := false;
    if acc.holding and not acc.limited then
      update ledger_accounts
      set debits_pending = debits_pending - acc.freed + acc.wanted,
          debits_posted = debits_posted + acc.posted
      where id = acc.account and kind = 'customer'
        and credits_posted - (debits_posted + acc.posted) - (debits_pending - acc.freed) >= acc.wanted;
      fits := found;
    end if;
    if not fits and acc.freed > 0 then
      update ledger_accounts
      set debits_pending = debits_pending - acc.freed, debits_posted = debits_posted + acc.posted
      where id = acc.account;
    end if;
    -- Its API keys with a spend limit (locked after it): what the resolutions freed and posted,
    -- before its holds are judged against those limits.
    if limited_resolutions then
      update api_keys k set held = k.held - s.held, spent = k.spent + s.posted
      from (select key, sum(held) as held, sum(posted) as posted
            from unnest(c_account, c_key, c_held, c_posted) as c(account, key, held, posted)
            where account = acc.account and key is not null group by key) as s
      where k.id = s.key;
    end if;
    continue when fits or not acc.holding;
    -- Not all fit: the holds one by one, in their order.
    for i in 1 .. cardinality(h_id) loop
      continue when h_account[i] <> acc.account or h_existed[i];
      update ledger_accounts set debits_pending = debits_pending + h_amount[i]
      where id = acc.account and kind = 'customer'
        and credits_posted - debits_posted - debits_pending >= h_amount[i];
      if not found then
        h_refusal[i] := 'insufficient_funds';
        continue;
      end if;
      if h_limited[i] then
        update api_keys set held = held + h_amount[i]
        where id = h_key[i] and spent + held + h_amount[i] <= spend_limit;
        if not found then
          update ledger_accounts set debits_pending = debits_pending - h_amount[i] where id = acc.account;
          h_refusal[i] := 'spend_limit_exceeded';
        end if;
      end if;
    end loop;
  end loop;

  if p_all_or_nothing and (true = any(array(select x is not null from unnest(h_refusal || r_refusal) as x))) then
    raise exception 'a refusal in an all-or-nothing post' using errcode = 'TS005';
  end if;

  with held as (
    select u.*, now() + u.timeout * interval '1 second' as deadline
    from unnest(h_id, h_account, h_amount, h_timeout, h_request, h_key, h_limited, h_existed, h_refusal)
      as u(id, account, amount, timeout, request_id, api_key, limited, existed, refusal)
    where not u.existed and u.refusal is null
  ), transfers as (
    insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, deadline, request_id, api_key_id)
    select id, 'hold', account, 1, amount, deadline, request_id, api_key from held
  )
  insert into ledger_open_holds (transfer_id, account_id, api_key_id, key_limited, amount, deadline)
  select id, account, api_key, limited, amount, deadline from held;

  -- Each item's transfer, by its primary key (a join here may be planned as a scan of the table).
  return query
    select 'hold', u.n::int, not u.existed, u.refusal, t.id, t.kind, t.debit_account_id,
           t.credit_account_id, t.amount, t.pending_id, t.deadline, t.request_id, t.api_key_id,
           t.note, t.created_at
    from unnest(h_id, h_existed, h_refusal) with ordinality as u(id, existed, refusal, n)
    left join lateral (select * from ledger_transfers where id = u.id limit 1) t on u.refusal is null
    union all
    select 'resolution', u.n::int, not u.existed, u.refusal, t.id, t.kind, t.debit_account_id,
           t.credit_account_id, t.amount, t.pending_id, t.deadline, t.request_id, t.api_key_id,
           t.note, t.created_at
    from unnest(r_id, r_existed, r_refusal) with ordinality as u(id, existed, refusal, n)
    left join lateral (select * from ledger_transfers where id = u.id limit 1) t on u.refusal is null;
end $$;

-- Checked by the ledger check instead (services/billing/ledger_check.ts): each check share-locked the
-- referenced hold, a write of its row, on every hold and every resolution.
alter table ledger_transfers drop constraint ledger_transfers_pending_id_fkey;
alter table ledger_open_holds drop constraint ledger_open_holds_transfer_id_fkey;

drop function ledger_hold(uuid, bigint, bigint, float8, text, bigint, boolean);
drop function ledger_resolve(uuid, uuid, text, bigint, text);
drop function ledger_outcome_of(boolean, uuid);
drop type ledger_outcome;
