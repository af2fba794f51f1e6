-- The ledger's two hot operations as functions, so that a billed call runs one statement for its
-- hold and one for its settle (each with the caller's own records beside it, in the same
-- statement). services/billing/ledger.ts calls them and documents the rules; errors are raised with
-- SQLSTATEs TSxxx that it turns into LedgerError codes.

-- What both return: the transfer, and whether this call created it (false: it existed already).
create type ledger_outcome as (
  created boolean, id uuid, kind text, debit_account_id bigint, credit_account_id bigint, amount bigint,
  pending_id uuid, deadline timestamptz, request_id text, api_key_id bigint, note text, created_at timestamptz
);

create function ledger_outcome_of(p_created boolean, p_id uuid) returns setof ledger_outcome
language sql stable as $$
  select p_created, id, kind, debit_account_id, credit_account_id, amount, pending_id, deadline,
    request_id, api_key_id, note, created_at
  from ledger_transfers where id = p_id
$$;

-- Reserves p_amount: the pending transfer, its open-hold row, and the guarded updates (API key
-- before account, as everywhere). created is false when a transfer with this id exists already
-- (a retry): nothing is written. Either way the transfer is returned.
create function ledger_hold(
  p_id uuid, p_account bigint, p_amount bigint, p_timeout_seconds float8, p_request_id text,
  p_api_key bigint, p_key_limited boolean
) returns setof ledger_outcome language plpgsql as $$
begin
  insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, deadline, request_id, api_key_id)
  values (p_id, 'hold', p_account, 1, p_amount, now() + p_timeout_seconds * interval '1 second', p_request_id, p_api_key)
  on conflict (id) do nothing;
  if not found then
    return query select * from ledger_outcome_of(false, p_id);
    return;
  end if;
  insert into ledger_open_holds (transfer_id, account_id, api_key_id, key_limited, amount, deadline)
  select id, debit_account_id, api_key_id, p_key_limited, amount, deadline from ledger_transfers where id = p_id;
  if p_key_limited then
    update api_keys set held = held + p_amount
    where id = p_api_key and spent + held + p_amount <= spend_limit;
    if not found then
      raise exception 'this API key has reached its spend limit' using errcode = 'TS001';
    end if;
  end if;
  update ledger_accounts set debits_pending = debits_pending + p_amount
  where id = p_account and kind = 'customer' and credits_posted - debits_posted - debits_pending >= p_amount;
  if not found then
    raise exception 'the balance does not cover this request' using errcode = 'TS002';
  end if;
  return query select * from ledger_outcome_of(true, p_id);
end $$;

-- Resolves a hold exactly once: p_kind 'settle' posts p_amount (≤ held), 'release' and 'expire'
-- void it. created is false when a transfer with this id exists already (a retry). Deleting the
-- open-hold row claims the hold: a second resolver finds nothing and gets TS003.
create function ledger_resolve(
  p_id uuid, p_hold uuid, p_kind text, p_amount bigint, p_note text
) returns setof ledger_outcome language plpgsql as $$
declare
  claimed ledger_open_holds;
  posted bigint := coalesce(p_amount, 0);
begin
  if exists (select 1 from ledger_transfers t where t.id = p_id) then
    return query select * from ledger_outcome_of(false, p_id);
    return;
  end if;
  delete from ledger_open_holds o where o.transfer_id = p_hold returning o.* into claimed;
  if not found then
    raise exception 'hold % is not open (resolved already, or unknown)', p_hold using errcode = 'TS003';
  end if;
  if posted > claimed.amount then
    raise exception 'cannot settle % of a hold of %', posted, claimed.amount using errcode = 'TS004';
  end if;
  insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, pending_id, api_key_id, note)
  values (p_id, p_kind, claimed.account_id, 1,
          -- a void records the amount it freed
          case when p_kind = 'settle' then posted else claimed.amount end,
          p_hold, claimed.api_key_id, p_note);
  if claimed.key_limited then
    update api_keys set held = held - claimed.amount, spent = spent + posted where id = claimed.api_key_id;
  end if;
  update ledger_accounts
  set debits_pending = debits_pending - claimed.amount, debits_posted = debits_posted + posted
  where id = claimed.account_id;
  return query select * from ledger_outcome_of(true, p_id);
end $$;
