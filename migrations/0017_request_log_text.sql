-- Text calls in the one request log (issue 11). A text call is billed on each kind of token at its
-- own rate, so the log keeps them apart: input_tokens is the prompt read at the full rate,
-- cached_tokens what was read from the provider's prompt cache, cache_write_tokens what was
-- written to it (Anthropic bills it above input), output_tokens everything generated. An image
-- call keeps the upstream's own input and output counts, as before. finish_reason says how a text
-- answer ended (stop, length, tool_calls, content_filter); stream, whether it was streamed.
alter table request_log
  add column cached_tokens integer,
  add column cache_write_tokens integer,
  add column finish_reason text,
  add column stream boolean not null default false;
