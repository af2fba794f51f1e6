-- The request log as customers read it (issue 12): newest first, filtered by kind, model, key or
-- status, paged by a keyset cursor on (created_at, request_id), on accounts with millions of rows.
--
-- Each page is one ordered range scan that stops after 51 rows: the account's index for an
-- unfiltered page or a date range, and one per filter, each ending in the page's own order, so a
-- filtered page, however deep, reads only its rows (new-api indexed (id, created_at) the other way
-- round and scanned 18 M rows for one filtered page). A request id is the primary key already.
-- Ascending, though pages read newest first (a backward scan): a new call is then the last entry
-- of its account's range, and PostgreSQL splits a full page so the left one stays full; in a
-- descending index every new call lands first in its range and each split leaves two half-empty
-- pages (the bench, 1.2 M rows: the account-and-time index took 157 MB descending, 88 MB
-- ascending). The old (user_id, created_at desc) index is left to the new one, which serves
-- everything it did.
-- status is indexed, so a call's final line (pending → ok) is no longer a HOT update: the price
-- of a log that filters by status, a few index entries per call.
--
-- failover: the channels a call tried that did not deliver, in order, with their errors
-- (services/upstreams/failover.ts FailedAttempt): what failed over before the channel that
-- served it, or everything a failed call tried.
alter table request_log add column failover jsonb;

create index request_log_account_time
  on request_log (user_id, created_at, request_id);
create index request_log_account_kind
  on request_log (user_id, kind, created_at, request_id);
create index request_log_account_model
  on request_log (user_id, model_id, created_at, request_id);
create index request_log_account_key
  on request_log (user_id, api_key_id, created_at, request_id);
create index request_log_account_status
  on request_log (user_id, status, created_at, request_id);
drop index request_log_user;
