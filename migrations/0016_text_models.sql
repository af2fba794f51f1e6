-- Text models on the same key, balance and log (issue 11): GPT through OpenAI-compatible
-- channels, Claude through Anthropic's Messages API, Gemini through generateContent.
--
-- Text is priced per token, in micro-dollars per million tokens (so $1.25 per million tokens is
-- 1250000), per model: input, cached input (tokens read from the provider's prompt cache),
-- cache writes (Anthropic bills them above input; null means the input price) and output. A
-- call's charge is the sum of its tokens at their rates, rounded up to the micro-dollar once per
-- call. A change adds a row with a later valid_from, like image prices, so every past charge's
-- price stays on record.
--
-- A text call holds before it starts: its prompt bounded from above (UTF-8 bytes) plus its
-- max_tokens, or else the model's output limit (max_output_tokens), each at its own rate.
alter table models add column max_output_tokens integer
  check (max_output_tokens is null or max_output_tokens > 0);
alter table models add constraint models_text_has_output_limit
  check (kind <> 'text' or max_output_tokens is not null);

create table text_prices (
  model_id text not null references models (id),
  input_per_mtok bigint not null check (input_per_mtok >= 0),
  cached_input_per_mtok bigint not null check (cached_input_per_mtok >= 0),
  cache_write_per_mtok bigint check (cache_write_per_mtok >= 0),
  output_per_mtok bigint not null check (output_per_mtok >= 0),
  valid_from timestamptz not null default now(),
  primary key (model_id, valid_from)
);

alter table channels drop constraint channels_provider_check;
alter table channels add constraint channels_provider_check
  check (provider in ('openai', 'anthropic', 'gemini', 'demo'));

-- Our launch prices: the providers' list prices (USD per million tokens, standard tier, prompts
-- under 200k tokens for Gemini's tiered models) plus 20%, as for images.
insert into models (id, kind, owned_by, created_at, max_output_tokens, is_default) values
  ('gpt-5.1', 'text', 'openai', '2025-11-13', 128000, true),
  ('gpt-5', 'text', 'openai', '2025-08-07', 128000, false),
  ('gpt-5-mini', 'text', 'openai', '2025-08-07', 128000, false),
  ('gpt-5-nano', 'text', 'openai', '2025-08-07', 128000, false),
  ('gpt-4.1', 'text', 'openai', '2025-04-14', 32768, false),
  ('gpt-4o-mini', 'text', 'openai', '2024-07-18', 16384, false),
  ('claude-opus-4-5', 'text', 'anthropic', '2025-11-24', 64000, false),
  ('claude-sonnet-4-5', 'text', 'anthropic', '2025-09-29', 64000, false),
  ('claude-haiku-4-5', 'text', 'anthropic', '2025-10-15', 64000, false),
  ('gemini-3-pro-preview', 'text', 'google', '2025-11-18', 65536, false),
  ('gemini-2.5-pro', 'text', 'google', '2025-06-17', 65536, false),
  ('gemini-2.5-flash', 'text', 'google', '2025-06-17', 65536, false),
  ('gemini-2.5-flash-lite', 'text', 'google', '2025-07-22', 65536, false);

insert into text_prices
  (model_id, input_per_mtok, cached_input_per_mtok, cache_write_per_mtok, output_per_mtok, valid_from)
select model_id, (input * 1200000)::bigint, (cached * 1200000)::bigint,
  (cache_write * 1200000)::bigint, (output * 1200000)::bigint, '2026-01-01'
from (values
  ('gpt-5.1', 1.25, 0.125, null, 10.00),
  ('gpt-5', 1.25, 0.125, null, 10.00),
  ('gpt-5-mini', 0.25, 0.025, null, 2.00),
  ('gpt-5-nano', 0.05, 0.005, null, 0.40),
  ('gpt-4.1', 2.00, 0.50, null, 8.00),
  ('gpt-4o-mini', 0.15, 0.075, null, 0.60),
  ('claude-opus-4-5', 5.00, 0.50, 6.25, 25.00),
  ('claude-sonnet-4-5', 3.00, 0.30, 3.75, 15.00),
  ('claude-haiku-4-5', 1.00, 0.10, 1.25, 5.00),
  ('gemini-3-pro-preview', 2.00, 0.20, null, 12.00),
  ('gemini-2.5-pro', 1.25, 0.125, null, 10.00),
  ('gemini-2.5-flash', 0.30, 0.03, null, 2.50),
  ('gemini-2.5-flash-lite', 0.10, 0.01, null, 0.40)
) as list (model_id, input, cached, cache_write, output);
