-- The demo channel served paying customers (issue 9): 0002 made it a row of every database,
-- enabled, the last failover target, so with an external database and a real channel whose
-- upstream was down, calls were answered with locally painted "DEMO" pictures at the real price.
--
-- From now on no server routes calls to it from this table. A server adds the demo channel in its
-- own process, only while its own configuration has the demo on (DEMO: on by default with the
-- embedded database, off with DATABASE_URL unless DEMO=on), and only for a model with no enabled
-- real channel (services/catalog/channels.ts): never as a failover target behind a real one. Nothing is
-- written here at start, so servers sharing this database with different DEMO settings, and
-- admin tasks run with yet another, cannot switch the demo on for each other.
--
-- The row stays, never enabled, as the channel the request log names for demo calls (past ones
-- included: the ledger check proves every logged channel exists).
update channels set enabled = false where provider = 'demo';
alter table channels
  add constraint channels_demo_never_enabled check (provider <> 'demo' or not enabled);
create unique index channels_one_demo on channels (provider) where provider = 'demo';
