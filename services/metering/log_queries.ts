// The request log as its owner reads it: a page of calls newest first under filters (kind, model,
// key, status, UTC days), an exact request-id lookup, one call in detail, and the filtered set in
// batches for the CSV export. Every query names the account, so another account's rows, key ids
// and request ids find nothing.
//
// Pages are keyset, never offset: a cursor is the last row's (created_at, request_id), and each
// page is one range scan, in the page's order, of an index of migrations/0018 that stops after
// its rows, however deep. The limits are literals rather than parameters: a prepared statement's
// generic plan, not knowing how few rows are wanted, could otherwise prefer to sort.
import { z } from "zod";
import type { Db } from "../platform/database.ts";
import type { Micros } from "../billing/money.ts";
import type { FailedAttempt } from "../upstreams/failover.ts";
import type { RequestLogEntry, RequestStatus } from "./request_log.ts";

export const LOG_PAGE_SIZE = 50;
/** Rows per query of the CSV export. */
export const LOG_BATCH_SIZE = 1000;

export const LOG_KINDS = ["image", "text"] as const;
export const LOG_STATUSES = [
  "ok",
  "blocked",
  "failed",
  "invalid",
  "refused",
  "cancelled",
  "pending",
] as const satisfies readonly RequestStatus[];

/** Which calls: all of them, or those every given filter matches. */
export interface LogFilters {
  kind?: typeof LOG_KINDS[number];
  model?: string;
  /** A key's id, or "dashboard": calls made on the pages, with no key. */
  key?: bigint | "dashboard";
  status?: RequestStatus;
  /** UTC days, both included (YYYY-MM-DD). */
  from?: string;
  to?: string;
}

/** Where a page starts: after (older than) or before (newer than) a row. */
export interface LogCursor {
  /** The row's created_at to the microsecond, as PostgreSQL wrote it (UTC, ISO 8601). */
  at: string;
  requestId: string;
}

/** What the page asks for: filters and a cursor, or one request by its id (the filters then
 *  do not apply). */
export interface LogQuery {
  filters: LogFilters;
  requestId?: string;
  before?: LogCursor;
  after?: LogCursor;
}

/** The fields of a log line a page and the CSV show. */
type ShownField =
  | "requestId"
  | "apiKeyId"
  | "endpoint"
  | "kind"
  | "modelId"
  | "status"
  | "httpStatus"
  | "errorCode"
  | "latencyMs"
  | "upstreamLatencyMs"
  | "images"
  | "size"
  | "quality"
  | "inputTokens"
  | "cachedTokens"
  | "cacheWriteTokens"
  | "outputTokens"
  | "finishReason"
  | "stream"
  | "cost";

/** A call as a page row or a CSV line: its log line's fields, each present (null when the call
 *  did not record it), and its time. */
export type LogRow = { [F in ShownField]-?: Exclude<RequestLogEntry[F], undefined> } & {
  createdAt: Date;
  /** created_at to the microsecond (the cursor's). */
  at: string;
};

const REQUEST_ID = /^req_[0-9a-f]{32}$/;
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A cursor as it travels in a URL: opaque, URL-safe. */
export function encodeCursor(row: Pick<LogRow, "at" | "requestId">): string {
  return new TextEncoder().encode(`${row.at}|${row.requestId}`).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

export function decodeCursor(text: string): LogCursor | null {
  try {
    const [at, requestId, ...rest] = new TextDecoder("utf-8", { fatal: true })
      .decode(Uint8Array.fromBase64(text, { alphabet: "base64url" }))
      .split("|");
    if (rest.length || !CURSOR_AT.test(at) || !/^[A-Za-z0-9_-]{1,64}$/.test(requestId ?? "")) {
      return null;
    }
    return { at, requestId };
  } catch {
    return null;
  }
}

// A form's "any" option sends an empty value: the filter is then absent.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    schema.optional(),
  );

const cursorParam = z.string().max(200).transform((text, ctx) => {
  const cursor = decodeCursor(text);
  if (!cursor) ctx.addIssue({ code: "custom", message: "logs.problem.cursor" });
  return cursor ?? z.NEVER;
});

/** The page's query string. Messages are the i18n keys of what was wrong. */
export const logQueryParams = z.object({
  kind: optional(z.enum(LOG_KINDS, { error: "logs.problem.kind" })),
  model: optional(z.string().trim().max(100, "logs.problem.model")),
  key: optional(
    z.union([
      z.literal("dashboard"),
      z.string().regex(/^[1-9]\d{0,17}$/).transform(BigInt),
    ], { error: "logs.problem.key" }),
  ),
  status: optional(z.enum(LOG_STATUSES, { error: "logs.problem.status" })),
  // A real calendar day: not 2026-02-30.
  from: optional(z.iso.date({ error: "logs.problem.day" })),
  to: optional(z.iso.date({ error: "logs.problem.day" })),
  request_id: optional(
    z.string().trim().toLowerCase().regex(REQUEST_ID, "logs.problem.requestId"),
  ),
  before: optional(cursorParam),
  after: optional(cursorParam),
}).refine((q) => !(q.from && q.to && q.from > q.to), {
  message: "logs.problem.range",
  path: ["to"],
});

export type LogQueryParams = z.input<typeof logQueryParams>;

/** The query a page's URL asks for, or what was wrong with it (i18n keys, by parameter). */
export function parseLogQuery(
  params: Record<string, string>,
): { query: LogQuery } | { problems: Record<string, string> } {
  const parsed = logQueryParams.safeParse(params);
  if (!parsed.success) {
    const problems: Record<string, string> = {};
    for (const issue of parsed.error.issues) problems[String(issue.path[0])] ??= issue.message;
    return { problems };
  }
  const { kind, model, key, status, from, to, request_id, before, after } = parsed.data;
  return {
    query: {
      filters: { kind, model, key, status, from, to },
      requestId: request_id,
      before: after ? undefined : before,
      after,
    },
  };
}

/** The filters as URL parameters (for links that keep them: paging, the CSV export). */
export function filterParams(filters: LogFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ["kind", "model", "key", "status", "from", "to"] as const) {
    const value = filters[name];
    if (value !== undefined) params.set(name, String(value));
  }
  return params;
}

const ROW_COLUMNS = (db: Db) =>
  db`r.request_id as "requestId", r.created_at as "createdAt",
     to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
     r.api_key_id as "apiKeyId", r.endpoint, r.kind, r.model_id as "modelId", r.status,
     r.http_status as "httpStatus", r.error_code as "errorCode", r.latency_ms as "latencyMs",
     r.upstream_latency_ms as "upstreamLatencyMs", r.images, r.size, r.quality,
     r.input_tokens as "inputTokens", r.cached_tokens as "cachedTokens",
     r.cache_write_tokens as "cacheWriteTokens", r.output_tokens as "outputTokens",
     r.finish_reason as "finishReason", r.stream, r.cost`;

const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);
const dayAfter = (day: string) => new Date(dayStart(day).getTime() + 86_400_000);

/** The account's rows the filters keep. */
function matching(db: Db, userId: bigint, f: LogFilters) {
  const none = db``;
  return db`r.user_id = ${userId}
    ${f.kind ? db`and r.kind = ${f.kind}` : none}
    ${f.model ? db`and r.model_id = ${f.model}` : none}
    ${
    f.key === "dashboard"
      ? db`and r.api_key_id is null`
      : f.key
      ? db`and r.api_key_id = ${f.key}`
      : none
  }
    ${f.status ? db`and r.status = ${f.status}` : none}
    ${f.from ? db`and r.created_at >= ${dayStart(f.from)}` : none}
    ${f.to ? db`and r.created_at < ${dayAfter(f.to)}` : none}`;
}

/**
 * The SQL behind a page (or a CSV batch), not yet run: `size` rows plus one, which tells whether
 * there is more. Newest first, or, after a cursor asking for newer rows, oldest first (the caller
 * turns them round). Exposed so the planner's choice can be checked (EXPLAIN).
 */
export function logRowsQuery(
  db: Db,
  userId: bigint,
  query: LogQuery,
  size: "page" | "batch" = "page",
) {
  const limit = size === "page" ? db`limit 51` : db`limit 1001`;
  if (query.requestId) {
    return db<LogRow[]>`
      select ${ROW_COLUMNS(db)} from request_log r
      where r.request_id = ${query.requestId} and r.user_id = ${userId}`;
  }
  const where = matching(db, userId, query.filters);
  if (query.after) {
    return db<LogRow[]>`
      select ${ROW_COLUMNS(db)} from request_log r
      where ${where} and (r.created_at, r.request_id) > ${cursorRow(db, query.after)}
      order by r.created_at, r.request_id
      ${limit}`;
  }
  return db<LogRow[]>`
    select ${ROW_COLUMNS(db)} from request_log r
    where ${where} ${
    query.before ? db`and (r.created_at, r.request_id) < ${cursorRow(db, query.before)}` : db``
  }
    order by r.created_at desc, r.request_id desc
    ${limit}`;
}

/** A cursor's row, its time sent as text: a parameter typed timestamptz would go through a JS
 *  Date in postgres.js, and lose the microseconds (a page would skip rows made in the same
 *  millisecond). */
const cursorRow = (db: Db, cursor: LogCursor) =>
  db`(${cursor.at}::text::timestamptz, ${cursor.requestId}::text)`;

export interface LogPage {
  rows: LogRow[];
  /** Where the older rows start, when there are any. */
  older: string | null;
  /** Where the newer rows start, when this is not the newest page. */
  newer: string | null;
}

/** A page of the account's log (50 calls), newest first, with cursors to its neighbours. */
export async function logPage(db: Db, userId: bigint, query: LogQuery): Promise<LogPage> {
  const found = await logRowsQuery(db, userId, query);
  const more = found.length > LOG_PAGE_SIZE;
  const rows = found.slice(0, LOG_PAGE_SIZE);
  if (query.after) {
    rows.reverse();
    return {
      rows,
      newer: more ? encodeCursor(rows[0]) : null,
      older: rows.length ? encodeCursor(rows[rows.length - 1]) : encodeCursor(query.after),
    };
  }
  return {
    rows,
    older: more ? encodeCursor(rows[rows.length - 1]) : null,
    newer: query.before ? (rows.length ? encodeCursor(rows[0]) : encodeCursor(query.before)) : null,
  };
}

/** Every row the filters keep, newest first, a batch at a time (for a CSV of any size: each
 *  batch is a query of its own, so no connection waits on a slow download). */
export async function* logRowBatches(
  db: Db,
  userId: bigint,
  query: Pick<LogQuery, "filters" | "requestId">,
): AsyncGenerator<LogRow[]> {
  let before: LogCursor | undefined;
  while (true) {
    const found = await logRowsQuery(db, userId, { ...query, before }, "batch");
    const rows = found.slice(0, LOG_BATCH_SIZE);
    if (rows.length) yield rows;
    if (found.length <= LOG_BATCH_SIZE || query.requestId) return;
    before = rows[rows.length - 1];
  }
}

/** A ledger transfer of a call. */
export interface LogTransfer {
  id: string;
  amount: Micros;
  at: Date;
}

/** One call in full, for its detail view. */
export interface LogDetail extends LogRow {
  channelName: string | null;
  failover: FailedAttempt[];
  idempotencyKey: string | null;
  unitPrice: Micros | null;
  /** What was held before the upstream was called (none for a call refused or rejected first). */
  hold: LogTransfer | null;
  /** How the hold ended: settled (the charge), released, or expired by the sweeper; null while
   *  it is open. */
  resolution: (LogTransfer & { kind: "settle" | "release" | "expire"; note: string | null }) | null;
  /** The charge the log line names, as the ledger has it. */
  charge: LogTransfer | null;
  made: LogImage[];
}

export interface LogImage {
  id: string;
  format: string;
  size: string;
  prompt: string;
  revisedPrompt: string | null;
}

interface DetailRow extends LogRow {
  channelName: string | null;
  failover: FailedAttempt[] | null;
  idempotencyKey: string | null;
  unitPrice: Micros | null;
  holdId: string | null;
  holdAmount: Micros | null;
  heldAt: Date | null;
  resolutionId: string | null;
  resolutionKind: "settle" | "release" | "expire" | null;
  resolutionAmount: Micros | null;
  resolvedAt: Date | null;
  resolutionNote: string | null;
  chargeId: string | null;
  chargeAmount: Micros | null;
  chargedAt: Date | null;
}

/** One of the account's calls with its channel, ledger transfers and images; null when the
 *  account has no such request (another account's answers the same). */
export async function logDetail(
  db: Db,
  userId: bigint,
  requestId: string,
): Promise<LogDetail | null> {
  if (!REQUEST_ID.test(requestId)) return null;
  const [row] = await db<DetailRow[]>`
    select ${ROW_COLUMNS(db)}, ch.name as "channelName", r.failover,
      r.idempotency_key as "idempotencyKey", r.unit_price as "unitPrice",
      h.id as "holdId", h.amount as "holdAmount", h.created_at as "heldAt",
      res.id as "resolutionId", res.kind as "resolutionKind", res.amount as "resolutionAmount",
      res.created_at as "resolvedAt", res.note as "resolutionNote",
      c.id as "chargeId", c.amount as "chargeAmount", c.created_at as "chargedAt"
    from request_log r
    left join channels ch on ch.id = r.channel_id
    left join ledger_transfers h on h.id = r.hold_id and h.kind = 'hold'
    left join ledger_transfers res on res.pending_id = h.id
    left join ledger_transfers c on c.id = r.charge_id and c.kind = 'settle'
    where r.request_id = ${requestId} and r.user_id = ${userId}`;
  if (!row) return null;
  const made = await db<LogImage[]>`
    select id, output_format as format, size, prompt, revised_prompt as "revisedPrompt"
    from images where request_id = ${requestId} and user_id = ${userId}
    order by position`;
  const {
    holdId,
    holdAmount,
    heldAt,
    resolutionId,
    resolutionKind,
    resolutionAmount,
    resolvedAt,
    resolutionNote,
    chargeId,
    chargeAmount,
    chargedAt,
    ...call
  } = row;
  return {
    ...call,
    failover: call.failover ?? [],
    hold: holdId ? { id: holdId, amount: holdAmount!, at: heldAt! } : null,
    resolution: resolutionId
      ? {
        id: resolutionId,
        kind: resolutionKind!,
        amount: resolutionAmount!,
        at: resolvedAt!,
        note: resolutionNote,
      }
      : null,
    charge: chargeId ? { id: chargeId, amount: chargeAmount!, at: chargedAt! } : null,
    made,
  };
}
