-- Monthly invoices (issue 12), itemized from the ledger, frozen when a month closes.
--
-- A month's invoice covers the posted transfers (top-ups, charges = settles, refunds) whose
-- created_at falls in its period. A period is its calendar month (UTC) unless a close cut it
-- short: closing the month that is still running ends its period at the moment of the close, and
-- what comes after lands on the next month. `invoice:close` waits until every transaction that
-- began before that moment has ended, so nothing can appear in a closed period afterwards: a
-- settle committed late began after the close and lands on the next month
-- (services/billing/invoices.ts). Drafts are not stored: an open month is read from the ledger.

-- The text_prices row (model_id, valid_from) a text call was priced at, so its invoice line shows
-- the rate the charge used, not the one in force when the invoice is read. Kept as the exact text
-- of valid_from (microseconds: a JavaScript Date keeps milliseconds only).
alter table request_log add column text_price_from text;

-- One row per closed month, for every account at once.
create table invoice_periods (
  month date primary key check (extract(day from month) = 1),
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at >= starts_at),
  closed_at timestamptz not null default now()
);

-- Invoice numbers run 1, 2, 3, … per year without gaps: taken from this row inside the close's
-- transaction, so a close that fails takes none (a sequence would leave gaps).
create table invoice_counters (
  year integer primary key,
  last_number integer not null check (last_number >= 0)
);

create table invoices (
  id bigint generated always as identity primary key,
  account_id bigint not null,
  month date not null references invoice_periods (month),
  number text not null unique,
  opening_balance bigint not null,
  top_ups bigint not null check (top_ups >= 0),
  refunds bigint not null check (refunds >= 0),
  charges bigint not null check (charges >= 0),
  closing_balance bigint not null,
  closed_at timestamptz not null default now(),
  unique (account_id, month),
  check (opening_balance + top_ups + refunds - charges = closing_balance)
);

-- Charge lines (image: model × size × quality; text: model × kind of token; rounding; capped;
-- other) and
-- the month's top-ups and refunds, one by one, in the order the invoice shows them.
create table invoice_lines (
  invoice_id bigint not null references invoices (id),
  position integer not null,
  kind text not null check (kind in ('image', 'text', 'rounding', 'capped', 'other', 'topup', 'refund')),
  model_id text,
  size text,
  quality text,
  token_kind text check (token_kind in ('input', 'cached_input', 'cache_write', 'output')),
  -- Images, tokens, or calls (rounding, capped, other); 1 for a top-up or a refund.
  quantity bigint not null,
  -- Per image, or per million tokens; null where there is no single price.
  unit_price bigint,
  amount bigint not null,
  -- Top-ups and refunds: the transfer, when, its note, and the call a refund corrects.
  transfer_id uuid,
  occurred_at timestamptz,
  note text,
  request_id text,
  primary key (invoice_id, position)
);

create function invoices_are_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'a closed invoice never changes; corrections land on the next month';
end $$;
create trigger invoices_immutable before update or delete on invoices
  for each row execute function invoices_are_immutable();
create trigger invoice_lines_immutable before update or delete on invoice_lines
  for each row execute function invoices_are_immutable();
create trigger invoice_periods_immutable before update or delete on invoice_periods
  for each row execute function invoices_are_immutable();
