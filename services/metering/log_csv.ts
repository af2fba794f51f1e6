// The request log as CSV: exactly the rows a page's filters keep (or the one request asked for),
// all of them, newest first, streamed a batch at a time as the download is read. RFC 4180 (quoted
// where needed, CRLF), a UTF-8 byte order mark so Excel reads Chinese as Chinese, and no cell a
// spreadsheet would run as a formula (services/platform/csv.ts, as the invoices' CSV).
// Column names and values are the API's own words, the same in every language.
import { csvText } from "../platform/csv.ts";
import type { Db } from "../platform/database.ts";
import type { ApiKey } from "../accounts/api_keys.ts";
import { formatUsd } from "../billing/money.ts";
import { type LogQuery, type LogRow, logRowBatches } from "./log_queries.ts";

const COLUMNS = [
  "time_utc",
  "request_id",
  "via",
  "key_name",
  "key_prefix",
  "endpoint",
  "kind",
  "model",
  "status",
  "http_status",
  "error_code",
  "images",
  "size",
  "quality",
  "input_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "output_tokens",
  "finish_reason",
  "stream",
  "latency_ms",
  "upstream_latency_ms",
  "cost_usd",
];

function line(row: LogRow, keys: Map<bigint, ApiKey>): (string | number)[] {
  const key = row.apiKeyId === null ? null : keys.get(row.apiKeyId);
  const text = (value: string | number | null) => value ?? "";
  return [
    row.at,
    row.requestId,
    row.apiKeyId === null ? "dashboard" : "api",
    key?.name ?? "",
    key?.prefix ?? "",
    row.endpoint,
    row.kind,
    text(row.modelId),
    row.status,
    row.httpStatus,
    text(row.errorCode),
    row.images,
    text(row.size),
    text(row.quality),
    text(row.inputTokens),
    text(row.cachedTokens),
    text(row.cacheWriteTokens),
    text(row.outputTokens),
    text(row.finishReason),
    row.stream ? "true" : "false",
    row.latencyMs,
    text(row.upstreamLatencyMs),
    formatUsd(row.cost),
  ];
}

/** The CSV of the account's rows `query` keeps, as a stream that reads a batch per pull. */
export function logCsv(
  db: Db,
  userId: bigint,
  query: Pick<LogQuery, "filters" | "requestId">,
  keys: ApiKey[],
): ReadableStream<Uint8Array> {
  const byId = new Map(keys.map((key) => [key.id, key]));
  const batches = logRowBatches(db, userId, query);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${csvText([COLUMNS])}`));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(csvText(next.value.map((r) => line(r, byId)))));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

/** The download's file name: tokensmart-requests-2026-07-02.csv (the UTC day it was made). */
export function logCsvFileName(now = new Date()): string {
  return `tokensmart-requests-${now.toISOString().slice(0, 10)}.csv`;
}
