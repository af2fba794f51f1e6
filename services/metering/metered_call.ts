// One billed call, whatever its kind (an image generation, a chat completion): the path every
// model kind shares, so money moves the same way for all of them.
//
//   admit: parse the body (a bad one is logged, free), honour the Idempotency-Key (a replay is
//     logged, free)
//   hold: the most the call can cost, with its "pending" log line, in one commit (or refused)
//   call: the channels by priority (upstreams/failover.ts); a refusal is passed on, free
//   settle: what the kind kept of the delivery costs (at most the hold), and commits with the
//     kind's records, the final log line and the idempotency answer
//
// Every way out after the hold resolves it: settled, released here with a log line saying how the
// call ended (blocked, failed, cancelled), or, after a crash, expired by the sweeper. Nothing is
// charged that was not delivered. A commit whose answer was lost is decided by a release (see
// settle()). A kind plugs in with what it can cost and which channels serve it (hold), how one
// channel is called (call), and what a delivery costs and keeps (`Kept`).
import type { Config } from "../platform/config.ts";
import { isDatabaseUnavailable, type Sql, untilAnswered } from "../platform/database.ts";
import type { Caller } from "../accounts/api_keys.ts";
import type { Channel } from "../catalog/channels.ts";
import { ApiError } from "../platform/errors.ts";
import type { HoldRefusal, Resolution } from "../billing/ledger.ts";
import {
  type CallRecords,
  type GroupCommit,
  type LedgerOutcome,
  NotSent,
} from "../billing/group_commit.ts";
import { type RequestLogEntry, type RequestStatus, writeRequestLog } from "./request_log.ts";
import { claimIdempotencyKey, releaseIdempotencyKey } from "./idempotency.ts";
import { type Delivered, failover, UpstreamFailure } from "../upstreams/failover.ts";
import { isPolicyBlock } from "../upstreams/types.ts";
import type { Micros } from "../billing/money.ts";
import { sha256Hex } from "../platform/sha256.ts";
import { newId } from "../platform/ids.ts";
import { parseJsonBody } from "../platform/json_body.ts";
import { clipText, storableText } from "../platform/storable_text.ts";

export interface MeteredServices {
  sql: Sql;
  /** Where calls' money and records are written (services/billing/group_commit.ts). */
  commits: GroupCommit;
  config: Config;
}

/** One HTTP request's call. */
export interface CallContext {
  caller: Caller;
  requestId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  idempotencyKey: string | null;
  endpoint: string;
  kind: "image" | "text";
}

type LogBase = Pick<
  RequestLogEntry,
  "requestId" | "userId" | "apiKeyId" | "endpoint" | "kind" | "idempotencyKey" | "modelId"
>;

function logBaseOf(ctx: CallContext, modelId: string | null): LogBase {
  return {
    requestId: ctx.requestId,
    userId: ctx.caller.userId,
    apiKeyId: ctx.caller.apiKeyId,
    endpoint: ctx.endpoint,
    kind: ctx.kind,
    modelId,
    // Checked only later; the log keeps at most what a valid key can be.
    idempotencyKey: ctx.idempotencyKey === null ? null : clipText(ctx.idempotencyKey, 255),
  };
}

const elapsedSince = (startedAt: number) => Math.round(performance.now() - startedAt);

/** Logs a call that ended with `error` before any money moved. */
export async function logWithoutMoney(
  s: MeteredServices,
  ctx: CallContext,
  error: ApiError,
  status: RequestStatus,
  fields: Partial<RequestLogEntry> & { modelId: string | null },
): Promise<void> {
  await writeRequestLog(s.sql, {
    ...logBaseOf(ctx, fields.modelId),
    ...fields,
    status,
    httpStatus: error.status,
    errorCode: error.code,
    latencyMs: elapsedSince(ctx.startedAt),
  });
}

export type Admission<R> =
  | { kind: "new"; request: R }
  /** The Idempotency-Key's first call answered already: its answer, as it was kept. */
  | { kind: "replay"; answer: unknown; requestId: string; httpStatus: number };

/**
 * Reads the call's body with the kind's `parse` (a refusal is logged as invalid, and costs
 * nothing) and claims its Idempotency-Key. A new call then runs within `withIdempotencyKey`.
 */
export async function admit<R>(
  s: MeteredServices,
  ctx: CallContext,
  bodyText: string,
  parse: (body: unknown) => R,
  modelOf: (request: R) => string,
): Promise<Admission<R>> {
  let request: R;
  try {
    request = parse(parseJsonBody(bodyText));
  } catch (error) {
    if (error instanceof ApiError) {
      await logWithoutMoney(s, ctx, error, "invalid", { modelId: modelNamedIn(bodyText) });
    }
    throw error;
  }
  if (ctx.idempotencyKey === null) return { kind: "new", request };
  const modelId = modelOf(request);
  let outcome;
  try {
    outcome = await claimIdempotencyKey(s.sql, {
      userId: ctx.caller.userId,
      key: ctx.idempotencyKey,
      requestHash: sha256Hex(bodyText),
      requestId: ctx.requestId,
      staleAfterSeconds: s.config.HOLD_TIMEOUT_SECONDS,
    });
  } catch (error) {
    if (error instanceof ApiError) {
      await logWithoutMoney(s, ctx, error, error.status === 409 ? "refused" : "invalid", {
        modelId,
      });
    }
    throw error;
  }
  if (outcome.kind !== "replay") return { kind: "new", request };
  // Logged, and free: the first call paid.
  await writeRequestLog(s.sql, {
    ...logBaseOf(ctx, modelId),
    status: "ok",
    httpStatus: outcome.httpStatus,
    errorCode: "idempotent_replay",
    latencyMs: elapsedSince(ctx.startedAt),
  });
  return {
    kind: "replay",
    answer: outcome.response,
    requestId: outcome.requestId,
    httpStatus: outcome.httpStatus,
  };
}

/** Runs a new call; should it fail, its Idempotency-Key is free again for a retry. */
export async function withIdempotencyKey<T>(
  s: MeteredServices,
  ctx: CallContext,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    await freeIdempotencyKey(s, ctx);
    throw error;
  }
}

/** Frees the call's Idempotency-Key, if it has one, so that a retry runs again. */
async function freeIdempotencyKey(s: MeteredServices, ctx: CallContext): Promise<void> {
  if (ctx.idempotencyKey === null) return;
  await releaseIdempotencyKey(s.sql, {
    userId: ctx.caller.userId,
    key: ctx.idempotencyKey,
    requestId: ctx.requestId,
  });
}

/** What a kind tells the metered call before the hold. */
export interface Metering {
  model: string;
  /** Fields every log line of the call carries (an image call's requested size and quality). */
  logFields?: Partial<RequestLogEntry>;
  /** The most the call can cost; null when a price it needs is not set. */
  maxCost: Micros | null;
  /** The channels that serve the model, best first. */
  channels: Channel[];
}

/** What a kind kept of a delivery, and what it costs. */
export interface Kept {
  /** The charge. Above the hold it is charged at the hold, which bounds what a call can cost. */
  cost: Micros;
  /** The price per unit the charge used (per image; null for tokens, priced per kind). */
  unitPrice?: Micros | null;
  /** The final log line's own fields (images, size, quality, tokens). */
  logFields: Partial<RequestLogEntry>;
  /** Records that commit with the settle (the images' rows), charged or free. */
  records?(charged: boolean): Omit<CallRecords, "log" | "idempotency">;
  /** What an idempotent replay answers (JSON). */
  answer?: unknown;
  /** Charged, but cut short (a stream that failed mid-way): not kept for replays, and its
   *  Idempotency-Key is freed so that a retry runs again. */
  partial?: boolean;
}

/** Every refusal answers with this status and code (the message says which limit it was). */
const QUOTA_REFUSAL = ApiError.insufficientQuota("");

const QUOTA_MESSAGES: Record<HoldRefusal, string> = {
  insufficient_funds:
    "You exceeded your current quota: your balance does not cover this request. Top up your balance and retry.",
  spend_limit_exceeded:
    "You exceeded your current quota: this API key has reached its spend limit.",
};

/**
 * Holds the most the call can cost, recording it as pending (or refused: 429 insufficient_quota).
 * With no price or no channel, nothing is held: 503, logged.
 */
export async function holdFor(
  s: MeteredServices,
  ctx: CallContext,
  metering: Metering,
): Promise<HeldCall> {
  const fields = { modelId: metering.model, ...metering.logFields };
  if (metering.maxCost === null) {
    const error = new ApiError(
      503,
      `No price is set for ${metering.model}${describe(metering.logFields)}.`,
      "server_error",
      "price_not_configured",
    );
    await logWithoutMoney(s, ctx, error, "failed", fields);
    throw error;
  }
  if (metering.channels.length === 0) {
    const error = new ApiError(
      503,
      `No upstream channel serves ${metering.model} right now.`,
      "server_error",
      "no_channel",
    );
    await logWithoutMoney(s, ctx, error, "failed", fields);
    throw error;
  }
  const held = new HeldCall(s, ctx, metering, metering.maxCost);
  await held.hold();
  return held;
}

function describe(fields: Partial<RequestLogEntry> | undefined): string {
  if (!fields?.size) return "";
  return ` at size ${fields.size}, quality ${fields.quality}`;
}

/** A call with money held: every way out of it resolves the hold. */
export class HeldCall {
  readonly holdId = newId();
  /** The client's signal and the hold's deadline, with a margin: the sweeper never frees money a
   *  live call still uses. */
  readonly signal: AbortSignal;
  /** The hold's deadline alone (a stream drained after its client left still stops there). */
  readonly deadline: AbortSignal;
  /** When the sweeper may release the hold: no wait for the database goes past it. */
  private readonly holdDeadline: number;
  private resolved = false;
  private readonly log: LogBase;

  constructor(
    private readonly s: MeteredServices,
    private readonly ctx: CallContext,
    private readonly metering: Metering,
    readonly amount: Micros,
  ) {
    this.log = logBaseOf(ctx, metering.model);
    const holdSeconds = s.config.HOLD_TIMEOUT_SECONDS;
    this.holdDeadline = Date.now() + holdSeconds * 1000;
    this.deadline = AbortSignal.timeout(Math.max(1_000, (holdSeconds - 10) * 1000));
    this.signal = AbortSignal.any([ctx.signal, this.deadline]);
  }

  /** A log line of this call, ended as `status`. */
  entry(
    status: RequestStatus,
    httpStatus: number,
    errorCode: string | null,
    extra: Partial<RequestLogEntry> = {},
  ): RequestLogEntry {
    return {
      ...this.log,
      ...this.metering.logFields,
      status,
      httpStatus,
      errorCode,
      latencyMs: elapsedSince(this.ctx.startedAt),
      holdId: this.holdId,
      ...extra,
    };
  }

  private releaseOf(note: string): Resolution {
    return { id: newId(), holdId: this.holdId, kind: "release", amount: null, note };
  }

  /** @internal holdFor's: writes the hold with its pending log line. */
  async hold(): Promise<void> {
    const { caller, requestId } = this.ctx;
    const pending = this.entry("pending", 0, null, { latencyMs: 0 });
    let outcome: LedgerOutcome["hold"];
    try {
      ({ hold: outcome } = await this.s.commits.write({
        hold: {
          id: this.holdId,
          accountId: caller.accountId,
          amount: this.amount,
          timeoutSeconds: this.s.config.HOLD_TIMEOUT_SECONDS,
          requestId,
          apiKeyId: caller.apiKeyId,
          keyHasSpendLimit: caller.keyHasSpendLimit,
        },
        records: { log: pending },
        otherwise: {
          log: this.entry("refused", QUOTA_REFUSAL.status, QUOTA_REFUSAL.code, { holdId: null }),
        },
      }));
    } catch (error) {
      // Not sent (no connection): there is no hold, and no log line can be written either.
      if (error instanceof NotSent) {
        this.resolved = true;
        throw error;
      }
      // The hold's answer was lost, so it may be in: release it now rather than at its deadline.
      // Not open: it never was, and neither was its log line, which is written here instead.
      // (With the database away this fails too: the sweeper releases the hold at its deadline.)
      const failed = this.entry("failed", ...failureOf(error));
      await this.s.commits.write({
        resolution: this.releaseOf("hold_unanswered"),
        records: { log: failed },
        otherwise: { log: { ...failed, holdId: null } },
      }).catch(() => {});
      throw error;
    }
    if (outcome && outcome !== "held") {
      this.resolved = true;
      throw ApiError.insufficientQuota(QUOTA_MESSAGES[outcome]);
    }
  }

  /**
   * Tries the channels best first with `attempt`. When none delivers, the hold is released with
   * the log line saying why (blocked by the upstream's policy, failed, or cancelled by the
   * client), and the customer's error is thrown.
   */
  async call<T>(
    attempt: (channel: Channel, signal: AbortSignal) => Promise<T>,
    signal: AbortSignal = this.signal,
  ): Promise<Delivered<T>> {
    try {
      return await failover(this.metering.channels, attempt, signal);
    } catch (error) {
      if (this.ctx.signal.aborted && signal === this.signal) throw await this.cancelled();
      if (!(error instanceof UpstreamFailure)) throw error;
      const apiError = error.toApiError(this.metering.model);
      const blocked = isPolicyBlock(error.last.body);
      await this.release(blocked ? "blocked" : "failed", apiError.status, apiError.code, {
        channelId: error.channel?.id ?? null,
        upstreamLatencyMs: error.upstreamMs,
        failover: error.attempts,
      });
      throw apiError;
    }
  }

  /** The client went away before the answer: released, and the error to answer (nobody reads). */
  async cancelled(extra: Partial<RequestLogEntry> = {}): Promise<ApiError> {
    await this.release("cancelled", 499, "client_closed_request", extra);
    return new ApiError(
      499,
      "The client closed the request; nothing was charged.",
      "invalid_request_error",
      "client_closed_request",
    );
  }

  /**
   * Frees the hold, the log line saying how the call ended. Written even when the hold is no
   * longer open (expired by the sweeper, for a call that outlived it): the money is free, and the
   * log line still says how the call ended.
   */
  async release(
    status: RequestStatus,
    httpStatus: number,
    errorCode: string | null,
    extra: Partial<RequestLogEntry> = {},
  ): Promise<void> {
    if (this.resolved) return;
    const entry = this.entry(status, httpStatus, errorCode, extra);
    await this.s.commits.write({
      resolution: this.releaseOf(errorCode ?? status),
      records: { log: entry },
      otherwise: { log: entry },
    });
    this.resolved = true;
  }

  /** After an unexpected error: released (if the settle has not taken over), logged as failed. */
  async fail(error: unknown): Promise<void> {
    const [httpStatus, code] = error instanceof ApiError
      ? [error.status, error.code]
      : failureOf(error);
    await this.release("failed", httpStatus, code).catch(() => {});
  }

  /**
   * Charges what `kept` costs (at most the hold) with its records, the final log line and the
   * idempotency answer, in one commit. A hold that is no longer open (expired by the sweeper: a
   * call slower than HOLD_TIMEOUT_SECONDS) still gets its result recorded, free. Resolves when the
   * delivery may be answered: "charged", or "free"; throws when that cannot be known.
   */
  async settle(
    kept: Kept,
    delivered: Pick<Delivered<unknown>, "channel" | "upstreamMs" | "failedOver">,
  ): Promise<"charged" | "free"> {
    const cost = kept.cost > this.amount ? this.amount : kept.cost;
    if (kept.cost > this.amount) {
      console.warn(
        `[${this.ctx.requestId}] cost ${kept.cost} above the hold ${this.amount}: charged the hold`,
      );
    }
    const settleId = newId();
    const seen = {
      channelId: delivered.channel.id,
      upstreamLatencyMs: delivered.upstreamMs,
      failover: delivered.failedOver,
    };
    const records = (charged: boolean): CallRecords => ({
      ...kept.records?.(charged),
      log: this.entry("ok", 200, charged ? null : "hold_expired", {
        ...seen,
        ...kept.logFields,
        unitPrice: kept.unitPrice ?? null,
        cost: charged ? cost : 0n,
        chargeId: charged && cost > 0n ? settleId : null,
      }),
      idempotency: this.ctx.idempotencyKey === null || kept.partial ? undefined : {
        userId: this.ctx.caller.userId,
        key: this.ctx.idempotencyKey,
        requestId: this.ctx.requestId,
        httpStatus: 200,
        response: kept.answer ?? null,
      },
    });
    // From here the settle, or the release that decides its fate, resolves the hold: no other
    // release may run (it could overwrite a committed settle's log line).
    this.resolved = true;
    try {
      const { resolution } = await this.s.commits.write({
        resolution: cost > 0n
          ? { id: settleId, holdId: this.holdId, kind: "settle", amount: cost }
          : this.releaseOf("free"),
        records: records(true),
        otherwise: records(false),
      });
      if (kept.partial) await freeIdempotencyKey(this.s, this.ctx);
      if (resolution !== "not_open") return cost > 0n ? "charged" : "free";
      console.warn(
        `[${this.ctx.requestId}] hold ${this.holdId} expired before the upstream delivered; delivered free`,
      );
      return "free";
    } catch (error) {
      // Not sent (no connection): the hold is as it was, for the release on the way out.
      if (error instanceof NotSent) {
        this.resolved = false;
        throw error;
      }
      // The settle's answer was lost (its connection failed, or its group had no answer in time),
      // so it may have committed. Releasing the hold decides: the release claims the hold only if
      // the settle did not, waiting for the settle's transaction should that still be running.
      // With the database away (restarting) the decision waits for it, up to the hold's deadline:
      // nothing is delivered that the settle did not charge, and nothing it charged is answered
      // with an error.
      const { resolution } = await untilAnswered(this.holdDeadline, () =>
        this.s.commits.write({
          resolution: this.releaseOf("settle_unanswered"),
          records: { log: this.entry("failed", ...failureOf(error), seen) },
          // Not open: the settle committed (its records are in), or the sweeper expired the hold.
        }));
      // Delivered when the settle's records are in (its log line says ok): charged, or free.
      const settled = resolution === "not_open"
        ? await untilAnswered(this.holdDeadline, () => this.settled())
        : null;
      if (settled) return settled;
      throw error;
    }
  }

  /** How this call's settle ended, from its final log line (written only with the settle). */
  private async settled(): Promise<"charged" | "free" | null> {
    const [row] = await this.s.sql<{ status: string; cost: bigint }[]>`
      select status, cost from request_log where request_id = ${this.ctx.requestId}`;
    if (row?.status !== "ok") return null;
    return row.cost > 0n ? "charged" : "free";
  }
}

/** How a call that failed with `error` is logged: the status and code it is answered with. */
function failureOf(error: unknown): [httpStatus: number, errorCode: string] {
  return isDatabaseUnavailable(error) ? [503, "database_unavailable"] : [500, "internal_error"];
}

/** The model a rejected body named, for its log row (only when it is a plain string). */
function modelNamedIn(text: string): string | null {
  try {
    const model = (JSON.parse(text) as { model?: unknown })?.model;
    return typeof model === "string" ? clipText(storableText(model), 100) : null;
  } catch {
    return null;
  }
}
