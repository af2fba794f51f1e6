-- Browser sessions. Logging in sets an HttpOnly cookie holding a random token; only the token's
-- SHA-256 is kept, as for API keys, so this table cannot be replayed as logins.
create table sessions (
  token_hash bytea primary key,
  user_id bigint not null references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);
