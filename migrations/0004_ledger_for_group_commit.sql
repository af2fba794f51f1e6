-- The hot ledger functions, made to share transactions: many calls' holds and settles run in
-- one transaction, a group commit (services/billing/group_commit.ts).
--
-- 1. A refused hold (not enough money, or the key's spend limit) is an answer, not an error:
--    ledger_hold returns one row with `refusal` set and writes nothing. An error would abort the
--    transaction, and with it the other calls' writes.
-- 2. Rows are locked account first, then API key, in both functions. A group runs its calls in
--    account order; with the account always locked first, two groups (two server threads) can
--    never wait on each other in a circle, whatever keys their calls use.

alter type ledger_outcome add attribute refusal text;

create or replace function ledger_outcome_of(p_created boolean, p_id uuid) returns setof ledger_outcome
language sql stable as $$
  select p_created, id, kind, debit_account_id, credit_account_id, amount, pending_id, deadline,
    request_id, api_key_id, note, created_at, null::text
  from ledger_transfers where id = p_id
$$;

-- The guarded updates come first, so a refusal has written nothing but the account's update,
-- which it takes back. A retry of an existing hold is answered from its record. Two copies of
-- one hold racing each other: the second waits on the account's row, then fails on the
-- transfer's primary key (services/billing/ledger.ts recognises it).
create or replace function ledger_hold(
  p_id uuid, p_account bigint, p_amount bigint, p_timeout_seconds float8, p_request_id text,
  p_api_key bigint, p_key_limited boolean
) returns setof ledger_outcome language plpgsql as $$
declare
  refused ledger_outcome;
begin
  if exists (select 1 from ledger_transfers where id = p_id) then
    return query select * from ledger_outcome_of(false, p_id);
    return;
  end if;
  update ledger_accounts set debits_pending = debits_pending + p_amount
  where id = p_account and kind = 'customer' and credits_posted - debits_posted - debits_pending >= p_amount;
  if not found then
    refused.refusal := 'insufficient_funds';
    return next refused;
    return;
  end if;
  if p_key_limited then
    update api_keys set held = held + p_amount
    where id = p_api_key and spent + held + p_amount <= spend_limit;
    if not found then
      update ledger_accounts set debits_pending = debits_pending - p_amount where id = p_account;
      refused.refusal := 'spend_limit_exceeded';
      return next refused;
      return;
    end if;
  end if;
  insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, deadline, request_id, api_key_id)
  values (p_id, 'hold', p_account, 1, p_amount, now() + p_timeout_seconds * interval '1 second', p_request_id, p_api_key);
  insert into ledger_open_holds (transfer_id, account_id, api_key_id, key_limited, amount, deadline)
  select id, debit_account_id, api_key_id, p_key_limited, amount, deadline from ledger_transfers where id = p_id;
  return query select * from ledger_outcome_of(true, p_id);
end $$;

create or replace function ledger_resolve(
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
  update ledger_accounts
  set debits_pending = debits_pending - claimed.amount, debits_posted = debits_posted + posted
  where id = claimed.account_id;
  if claimed.key_limited then
    update api_keys set held = held - claimed.amount, spent = spent + posted where id = claimed.api_key_id;
  end if;
  return query select * from ledger_outcome_of(true, p_id);
end $$;
