// A big request log for one account, made in SQL (generate_series): the bench's million rows
// (scripts/bench_log.ts) and the planner test's tens of thousands (tests/request_log_queries_test.ts).
//
// The mix, over the last `days` days, in the order calls come, request ids time-ordered like the
// real ones (UUIDv7), so the table and its indexes grow at their end as a live log's do: 30%
// image calls (gpt-image-2, 1.5, mini; about one in six made on the dashboard, with no key), 70%
// text calls over six models, some streamed; the keys used unevenly (the first most); 92% ok,
// the rest blocked, failed, invalid, refused, cancelled, and a handful still pending. Costs are
// what such calls cost, in micro-dollars; ledger transfers are not made (the log's own pages are
// what is measured).
import type { Sql } from "../../services/platform/database.ts";

export const SEED_IMAGE_MODELS = ["gpt-image-2", "gpt-image-1.5", "gpt-image-1-mini"];
export const SEED_TEXT_MODELS = [
  "gpt-5.1",
  "gpt-5-mini",
  "claude-sonnet-4-5",
  "claude-haiku-4-5",
  "gemini-2.5-flash",
  "gemini-2.5-pro",
];

export async function seedRequestLog(
  sql: Sql,
  options: { userId: bigint; keyIds: bigint[]; rows: number; days?: number; tag?: string },
): Promise<void> {
  const { userId, keyIds, rows } = options;
  const days = options.days ?? 90;
  // Request ids: "req_" and 32 hex digits, the first 12 the time in ms, unique per tag.
  const tag = options.tag ?? crypto.randomUUID();
  await sql`
    insert into request_log (request_id, created_at, user_id, api_key_id, endpoint, kind,
      model_id, status, http_status, error_code, latency_ms, upstream_latency_ms, images, size,
      quality, input_tokens, cached_tokens, output_tokens, finish_reason, stream, unit_price, cost)
    select 'req_' || lpad(to_hex((extract(epoch from at) * 1000)::bigint), 12, '0')
        || left(md5(${tag} || ':' || g), 20),
      at,
      ${userId},
      case when image and k < 0.15 then null
           else (${
    keyIds.map(String)
  }::text[]::bigint[])[1 + floor(k * k * ${keyIds.length})::int] end,
      case when image then '/v1/images/generations' else '/v1/chat/completions' end,
      case when image then 'image' else 'text' end,
      case when image then (${SEED_IMAGE_MODELS}::text[])[1 + floor(u * 3)::int]
           else (${SEED_TEXT_MODELS}::text[])[1 + floor(u * u * 6)::int] end,
      st.status, st.http_status, st.error_code,
      200 + floor(v * (case when image then 20000 else 4000 end))::int,
      case when st.status in ('ok', 'blocked', 'failed')
           then 150 + floor(v * (case when image then 19000 else 3800 end))::int end,
      case when image and st.status = 'ok' then n else 0 end,
      case when image then (array['1024x1024', '1536x1024', '1024x1536'])[1 + floor(w * 3)::int] end,
      case when image then (array['low', 'medium', 'high'])[1 + floor(w * w * 3)::int] end,
      case when not image and st.status = 'ok' then input end,
      case when not image and st.status = 'ok' then floor(input * w * 0.5)::int end,
      case when not image and st.status = 'ok' then output end,
      case when not image and st.status = 'ok'
           then (case when w < 0.9 then 'stop' when w < 0.97 then 'length' else 'tool_calls' end)
      end,
      not image and w < 0.4,
      case when image and st.status = 'ok' then 63600 end,
      case when st.status <> 'ok' then 0
           when image then 63600 * n
           else input * 2 + output * 10 end
    from (
      select g, now() - make_interval(secs => ${days} * 86400 * (1 - (g - random()) / ${rows}))
          as at, random() as k, random() as u, random() as v, random() as w,
        random() < 0.3 as image, random() as s,
        1 + floor(random() * 2)::int as n,
        200 + floor(random() * 6000)::int as input, 10 + floor(random() * 1200)::int as output
      from generate_series(1, ${rows}) g
    ) call
    cross join lateral (
      select case
        when s < 0.92 then 'ok' when s < 0.935 then 'blocked' when s < 0.955 then 'failed'
        when s < 0.97 then 'invalid' when s < 0.98 then 'refused' when s < 0.9998 then 'cancelled'
        else 'pending' end as status
    ) named
    cross join lateral (
      select named.status,
        case named.status when 'ok' then 200 when 'blocked' then 400 when 'failed' then 502
          when 'invalid' then 400 when 'refused' then 429 when 'cancelled' then 499 else 0 end
          as http_status,
        case named.status when 'blocked' then 'moderation_blocked'
          when 'failed' then 'upstream_error' when 'invalid' then 'invalid_value'
          when 'refused' then 'insufficient_quota' when 'cancelled' then 'client_closed_request'
        end as error_code
    ) st`;
}
