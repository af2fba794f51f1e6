-- A refused hold (not enough money, or the key's spend limit) is now an answer, not an error:
-- ledger_hold returns one row with `refusal` set and writes nothing. An error would abort the
-- transaction, and calls share transactions now (services/group_commit.ts): one customer out of
-- money must not undo the other calls committed with it.

alter type ledger_outcome add attribute refusal text;

create or replace function ledger_outcome_of(p_created boolean, p_id uuid) returns setof ledger_outcome
language sql stable as $$
  select p_created, id, kind, debit_account_id, credit_account_id, amount, pending_id, deadline,
    request_id, api_key_id, note, created_at, null::text
  from ledger_transfers where id = p_id
$$;

-- The guarded updates come first (API key before account, as everywhere), so a refusal has
-- written nothing but the key's update, which it takes back. A retry of an existing hold is
-- answered from its record. Two copies of one hold racing each other: the second waits on the
-- account's row, then fails on the transfer's primary key (services/ledger.ts recognises it).
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
  if p_key_limited then
    update api_keys set held = held + p_amount
    where id = p_api_key and spent + held + p_amount <= spend_limit;
    if not found then
      refused.refusal := 'spend_limit_exceeded';
      return next refused;
      return;
    end if;
  end if;
  update ledger_accounts set debits_pending = debits_pending + p_amount
  where id = p_account and kind = 'customer' and credits_posted - debits_posted - debits_pending >= p_amount;
  if not found then
    if p_key_limited then
      update api_keys set held = held - p_amount where id = p_api_key;
    end if;
    refused.refusal := 'insufficient_funds';
    return next refused;
    return;
  end if;
  insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, deadline, request_id, api_key_id)
  values (p_id, 'hold', p_account, 1, p_amount, now() + p_timeout_seconds * interval '1 second', p_request_id, p_api_key);
  insert into ledger_open_holds (transfer_id, account_id, api_key_id, key_limited, amount, deadline)
  select id, debit_account_id, api_key_id, p_key_limited, amount, deadline from ledger_transfers where id = p_id;
  return query select * from ledger_outcome_of(true, p_id);
end $$;
