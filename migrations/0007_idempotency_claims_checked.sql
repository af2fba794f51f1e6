-- A call's Idempotency-Key answer is kept in the transaction that settles the call, and that
-- transaction must not commit if the call no longer holds the key's claim (it was taken over as
-- abandoned). Group commits send COMMIT right behind their statements (services/billing/group_commit.ts),
-- so the check has to fail inside the database: this raises TS006 when `kept` is false.
create function idempotency_claims_kept(kept boolean) returns void language plpgsql as $$
begin
  if not kept then
    raise exception 'an Idempotency-Key claim was lost before its call completed'
      using errcode = 'TS006';
  end if;
end $$;
