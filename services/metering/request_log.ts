// One log for every call, text and image alike, through /v1 or on the dashboard's pages. A call
// that holds money gets its row in the same transaction as the hold (status "pending"), and its
// final state in the same transaction as the settle or release: no charge exists without its log
// line, and a crash leaves a record.
import { type Db, jsonRows } from "../platform/database.ts";
import type { Micros } from "../billing/money.ts";
import type { FailedAttempt } from "../upstreams/failover.ts";

export type RequestStatus =
  | "pending"
  | "ok"
  | "blocked"
  | "invalid"
  | "refused"
  | "failed"
  | "cancelled";

export interface RequestLogEntry {
  requestId: string;
  userId: bigint;
  /** The key the call was made with; null when it was made on the dashboard (a session). */
  apiKeyId: bigint | null;
  endpoint: string;
  kind: "image" | "text";
  modelId: string | null;
  status: RequestStatus;
  httpStatus: number;
  errorCode?: string | null;
  latencyMs: number;
  upstreamLatencyMs?: number | null;
  channelId?: bigint | null;
  /** The channels tried that did not deliver, in order (a call that failed: all it tried). */
  failover?: FailedAttempt[] | null;
  images?: number;
  size?: string | null;
  quality?: string | null;
  /** Text: the prompt tokens read at the full input rate. Images: the upstream's own count. */
  inputTokens?: number | null;
  /** Text: prompt tokens read from the provider's cache, and written to it. */
  cachedTokens?: number | null;
  cacheWriteTokens?: number | null;
  outputTokens?: number | null;
  /** Text: how the answer ended (stop, length, tool_calls, content_filter). */
  finishReason?: string | null;
  stream?: boolean;
  unitPrice?: Micros | null;
  /** Text: the valid_from of the text_prices row the call is priced at (exact text). */
  textPriceFrom?: string | null;
  cost?: Micros;
  holdId?: string | null;
  chargeId?: string | null;
  idempotencyKey?: string | null;
}

/** Writes the call's row, or brings its pending row to its final state. */
export function writeRequestLog(db: Db, entry: RequestLogEntry) {
  return writeRequestLogs(db, [entry]);
}

/** writeRequestLog for many calls, in one statement (no two entries of one request). */
export function writeRequestLogs(db: Db, entries: RequestLogEntry[]) {
  const rows = entries.map((e) => ({
    request_id: e.requestId,
    user_id: e.userId,
    api_key_id: e.apiKeyId,
    endpoint: e.endpoint,
    kind: e.kind,
    model_id: e.modelId,
    status: e.status,
    http_status: e.httpStatus,
    error_code: e.errorCode ?? null,
    latency_ms: e.latencyMs,
    upstream_latency_ms: e.upstreamLatencyMs ?? null,
    channel_id: e.channelId ?? null,
    failover: e.failover?.length ? e.failover : null,
    images: e.images ?? 0,
    size: e.size ?? null,
    quality: e.quality ?? null,
    input_tokens: e.inputTokens ?? null,
    output_tokens: e.outputTokens ?? null,
    cached_tokens: e.cachedTokens ?? null,
    cache_write_tokens: e.cacheWriteTokens ?? null,
    finish_reason: e.finishReason ?? null,
    stream: e.stream ?? false,
    unit_price: e.unitPrice ?? null,
    text_price_from: e.textPriceFrom ?? null,
    cost: e.cost ?? 0n,
    hold_id: e.holdId ?? null,
    charge_id: e.chargeId ?? null,
    idempotency_key: e.idempotencyKey ?? null,
  }));
  return db`
    insert into request_log (request_id, user_id, api_key_id, endpoint, kind, model_id, status,
      http_status, error_code, latency_ms, upstream_latency_ms, channel_id, failover, images, size,
      quality, input_tokens, output_tokens, cached_tokens, cache_write_tokens, finish_reason, stream,
      unit_price, text_price_from, cost, hold_id, charge_id, idempotency_key)
    select * from jsonb_to_recordset(${jsonRows(rows)}::text::jsonb) as x(request_id text,
      user_id bigint, api_key_id bigint, endpoint text, kind text, model_id text, status text,
      http_status integer, error_code text, latency_ms integer, upstream_latency_ms integer,
      channel_id bigint, failover jsonb, images integer, size text, quality text, input_tokens integer,
      output_tokens integer, cached_tokens integer, cache_write_tokens integer,
      finish_reason text, stream boolean, unit_price bigint, text_price_from text, cost bigint,
      hold_id uuid, charge_id uuid, idempotency_key text)
    on conflict (request_id) do update set
      status = excluded.status, http_status = excluded.http_status, error_code = excluded.error_code,
      latency_ms = excluded.latency_ms, upstream_latency_ms = excluded.upstream_latency_ms,
      channel_id = excluded.channel_id, failover = excluded.failover, images = excluded.images, size = excluded.size,
      quality = excluded.quality, input_tokens = excluded.input_tokens,
      output_tokens = excluded.output_tokens, cached_tokens = excluded.cached_tokens,
      cache_write_tokens = excluded.cache_write_tokens, finish_reason = excluded.finish_reason,
      unit_price = excluded.unit_price, text_price_from = excluded.text_price_from,
      cost = excluded.cost, hold_id = excluded.hold_id, charge_id = excluded.charge_id`;
}

/** Marks the call whose hold the sweeper expired: its process died mid-call. Run it in the
 *  expire's transaction (see releaseExpiredHolds). */
export async function markInterrupted(db: Db, holdId: string): Promise<void> {
  await db`update request_log set status = 'failed', http_status = 500, error_code = 'interrupted'
           where hold_id = ${holdId} and status = 'pending'`;
}
