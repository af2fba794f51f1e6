-- Image generation: the model catalog and its per-call prices, upstream channels, stored
-- images, the request log and idempotency keys.

create table models (
  id text primary key,
  kind text not null check (kind in ('image', 'text')),
  owned_by text not null,
  created_at timestamptz not null default now(),
  -- Announced by the provider; the model is refused from this day on.
  shutdown_date date,
  -- The model that answers when a request names none (one per kind).
  is_default boolean not null default false
);
create unique index models_one_default_per_kind on models (kind) where is_default;

insert into models (id, kind, owned_by, created_at, shutdown_date, is_default) values
  ('gpt-image-2', 'image', 'openai', '2026-04-21', null, true),
  ('gpt-image-1.5', 'image', 'openai', '2025-11-20', '2026-12-01', false),
  ('gpt-image-1-mini', 'image', 'openai', '2025-10-06', '2026-12-01', false);

-- Price per image for model × size × quality, in micro-dollars. A change adds a row with a
-- later valid_from, so the price any past charge used stays on record.
create table image_prices (
  model_id text not null references models (id),
  size text not null check (size in ('1024x1024', '1536x1024', '1024x1536')),
  quality text not null check (quality in ('low', 'medium', 'high')),
  price bigint not null check (price > 0),
  valid_from timestamptz not null default now(),
  primary key (model_id, size, quality, valid_from)
);

-- Our launch prices: the upstream list price plus 20%, rounded to the micro-dollar.
insert into image_prices (model_id, size, quality, price, valid_from)
select model_id, size, quality, (list_usd * 1200000)::bigint, '2026-01-01'
from (values
  ('gpt-image-2', 'low', 0.006, 0.005), ('gpt-image-2', 'medium', 0.053, 0.041), ('gpt-image-2', 'high', 0.211, 0.165),
  ('gpt-image-1.5', 'low', 0.009, 0.013), ('gpt-image-1.5', 'medium', 0.034, 0.05), ('gpt-image-1.5', 'high', 0.133, 0.2),
  ('gpt-image-1-mini', 'low', 0.005, 0.006), ('gpt-image-1-mini', 'medium', 0.011, 0.015), ('gpt-image-1-mini', 'high', 0.036, 0.052)
) as list (model_id, quality, square, oblong)
cross join lateral (values ('1024x1024', square), ('1536x1024', oblong), ('1024x1536', oblong)) as sizes (size, list_usd);

-- Where calls go. Tried by priority, highest first; the built-in demo painter is last.
create table channels (
  id bigint generated always as identity primary key,
  name text not null unique,
  provider text not null check (provider in ('openai', 'demo')),
  base_url text,
  -- The upstream's own key: it must be sent as is, so it cannot be hashed.
  api_key text,
  models text[] not null,
  priority integer not null default 0,
  timeout_ms integer not null default 120000 check (timeout_ms > 0),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  check (provider = 'demo' or (base_url is not null and api_key is not null))
);
insert into channels (name, provider, models, priority)
values ('demo', 'demo', array['gpt-image-2', 'gpt-image-1.5', 'gpt-image-1-mini'], -1000000);

create table images (
  id text primary key,
  user_id bigint not null,
  request_id text not null,
  position integer not null,
  prompt text not null,
  revised_prompt text,
  model_id text not null,
  size text not null,
  quality text not null,
  background text not null,
  output_format text not null,
  bytes integer not null,
  storage_key text not null,
  -- What this image cost (the call's charge over its images).
  cost bigint not null,
  created_at timestamptz not null default now()
);
create index images_user on images (user_id, created_at desc);
create index images_request on images (request_id);

-- One row per /v1 call, written in the same transaction as the money it moved. Like the ledger,
-- no foreign keys to the rows every call shares (user, key, channel); the ledger check proves them.
create table request_log (
  request_id text primary key,
  created_at timestamptz not null default now(),
  user_id bigint not null,
  api_key_id bigint,
  endpoint text not null,
  kind text not null check (kind in ('image', 'text')),
  model_id text,
  -- pending: money is held and the upstream is working; a crash leaves it so until the sweeper
  -- releases the hold and marks it failed (error_code 'interrupted').
  status text not null check (status in ('pending', 'ok', 'blocked', 'invalid', 'refused', 'failed', 'cancelled')),
  http_status integer not null,
  error_code text,
  latency_ms integer not null,
  upstream_latency_ms integer,
  channel_id bigint,
  images integer not null default 0,
  size text,
  quality text,
  input_tokens integer,
  output_tokens integer,
  unit_price bigint,
  cost bigint not null default 0 check (cost >= 0),
  -- Checked at commit, so the log line can be written before the hold that locks the account.
  hold_id uuid references ledger_transfers (id) deferrable initially deferred,
  charge_id uuid references ledger_transfers (id) deferrable initially deferred,
  idempotency_key text
);
create index request_log_user on request_log (user_id, created_at desc);
create index request_log_hold on request_log (hold_id) where hold_id is not null;

-- Stripe-style: a retry with the same key and body replays the first answer.
create table idempotency_keys (
  user_id bigint not null references users (id),
  key text not null,
  request_hash text not null,
  request_id text not null,
  state text not null check (state in ('in_progress', 'done')),
  http_status integer,
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);
