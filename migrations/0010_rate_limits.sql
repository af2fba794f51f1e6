-- Attempt counters for the account forms (log in, sign up): how many tries a client IP or an
-- email made in the current fixed window. Kept in PostgreSQL, not per process, so every server
-- thread and every server on the database shares one count. Unlogged: a crash forgets the
-- counts, which only forgives some attempts, and each attempt then costs no WAL flush.
create unlogged table rate_limit_windows (
  bucket text not null,
  subject text not null,
  window_start timestamptz not null,
  hits integer not null,
  primary key (bucket, subject, window_start)
);
create index rate_limit_windows_age on rate_limit_windows (window_start);
