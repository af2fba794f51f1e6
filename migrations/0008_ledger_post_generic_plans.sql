-- ledger_post's statements run with generic plans. Left to choose, Postgres planned two of them
-- (the answer's query and the refusals' array) afresh on every call, which cost ~15% of the
-- function's time under load (pg_stat_statements with track_planning, `deno task bench`).
alter function ledger_post(uuid[], bigint[], bigint[], float8[], text[], bigint[], boolean[],
  uuid[], uuid[], text[], bigint[], text[], boolean) set plan_cache_mode = force_generic_plan;
