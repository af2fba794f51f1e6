// Image generation, end to end: one call to POST /v1/images/generations.
//
//   validate → hold the most it can cost → try channels by priority → check and store what came
//   back → settle the actual price (images delivered × the price of what was produced) → answer
//
// The money and the request log move together: the hold and the "pending" log row commit in one
// transaction; the settle (or release), the images' records, the final log row and the
// idempotency record commit in another. Both go through the group commit, which shares each
// transaction (and each statement) with other calls' writes. Any failure before the settle
// releases everything: nothing is charged that was not delivered.
import type { Config } from "./config.ts";
import { isDatabaseUnavailable, type Sql, untilAnswered } from "./database.ts";
import type { Caller } from "./api_keys.ts";
import { ApiError } from "./errors.ts";
import type { HoldRefusal, Resolution } from "./ledger.ts";
import { type CallRecords, type GroupCommit, type LedgerOutcome, NotSent } from "./group_commit.ts";
import { type Catalog, catalog, imagePrice, maxImagePrice, QUALITIES } from "./pricing.ts";
import { type ImageRequest, parseImageRequest } from "./image_request.ts";
import { channelsFor } from "./channels.ts";
import type { ImageUpstreamFor } from "./upstreams/index.ts";
import { isPolicyBlock } from "./upstreams/types.ts";
import { callChannels, type Delivery, UpstreamFailure } from "./upstreams/failover.ts";
import { type ImagesResponseBody, renderAnswer, type StoredAnswer } from "./image_answers.ts";
import type { ImageStore } from "./image_store.ts";
import { imageRecorded } from "./image_files.ts";
import type { UrlSigner } from "./signed_urls.ts";
import { type RequestLogEntry, writeRequestLog } from "./request_log.ts";
import { claimIdempotencyKey, releaseIdempotencyKey } from "./idempotency.ts";
import type { Micros } from "./money.ts";
import { sha256Hex } from "./sha256.ts";
import { newId, newPrefixedId } from "./ids.ts";

export const ENDPOINT = "/v1/images/generations";

export interface ImageServices {
  sql: Sql;
  /** Where calls' money and records are written (services/group_commit.ts). */
  commits: GroupCommit;
  config: Config;
  store: ImageStore;
  signer: UrlSigner;
  upstreamFor: ImageUpstreamFor;
  /** Absolute base of the URLs we hand out (PUBLIC_URL). */
  publicUrl: string;
}

export interface GenerationCall {
  caller: Caller;
  requestId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  bodyText: string;
  idempotencyKey: string | null;
}

export interface GenerationResult {
  body: ImagesResponseBody;
  /** The request id that produced it (the original one on a replay). */
  requestId: string;
  replayed: boolean;
}

type LogBase = Pick<
  RequestLogEntry,
  "requestId" | "userId" | "apiKeyId" | "endpoint" | "kind" | "idempotencyKey" | "modelId"
>;

function logBaseOf(call: Pick<GenerationCall, "caller" | "requestId" | "idempotencyKey">): LogBase {
  return {
    requestId: call.requestId,
    userId: call.caller.userId,
    apiKeyId: call.caller.apiKeyId,
    endpoint: ENDPOINT,
    kind: "image",
    modelId: null,
    // Checked only later; the log keeps at most what a valid key can be.
    idempotencyKey: call.idempotencyKey?.slice(0, 255) ?? null,
  };
}

/** Logs a call that ended with `error` before any money moved. */
async function logWithoutMoney(
  s: ImageServices,
  entry: LogBase & Partial<RequestLogEntry>,
  error: ApiError,
  status: RequestLogEntry["status"],
  startedAt: number,
): Promise<void> {
  await writeRequestLog(s.sql, {
    ...entry,
    status,
    httpStatus: error.status,
    errorCode: error.code,
    latencyMs: Math.round(performance.now() - startedAt),
  });
}

/** Logs a call refused before its body could be read (e.g. too large). */
export async function logUnreadableCall(
  s: ImageServices,
  call: Pick<GenerationCall, "caller" | "requestId" | "startedAt">,
  error: ApiError,
): Promise<void> {
  await logWithoutMoney(
    s,
    logBaseOf({ ...call, idempotencyKey: null }),
    error,
    "invalid",
    call.startedAt,
  );
}

export async function generateImages(
  s: ImageServices,
  call: GenerationCall,
): Promise<GenerationResult> {
  const { caller } = call;
  const logBase = logBaseOf(call);
  const elapsed = () => Math.round(performance.now() - call.startedAt);

  const cat = await catalog(s.sql);
  let request: ImageRequest;
  try {
    request = parseImageRequest(parseJson(call.bodyText), cat);
  } catch (error) {
    if (error instanceof ApiError) {
      const entry = { ...logBase, modelId: modelNamedIn(call.bodyText) };
      await logWithoutMoney(s, entry, error, "invalid", call.startedAt);
    }
    throw error;
  }

  if (call.idempotencyKey !== null) {
    let outcome;
    try {
      outcome = await claimIdempotencyKey(s.sql, {
        userId: caller.userId,
        key: call.idempotencyKey,
        requestHash: sha256Hex(call.bodyText),
        requestId: call.requestId,
        staleAfterSeconds: s.config.HOLD_TIMEOUT_SECONDS,
      });
    } catch (error) {
      if (error instanceof ApiError) {
        const status = error.status === 409 ? "refused" : "invalid";
        await logWithoutMoney(
          s,
          { ...logBase, modelId: request.model },
          error,
          status,
          call.startedAt,
        );
      }
      throw error;
    }
    if (outcome.kind === "replay") {
      // Logged, and free: the first call paid.
      await writeRequestLog(s.sql, {
        ...logBase,
        modelId: request.model,
        status: "ok",
        httpStatus: outcome.httpStatus,
        errorCode: "idempotent_replay",
        latencyMs: elapsed(),
      });
      return {
        body: await renderAnswer(s, outcome.response as StoredAnswer),
        requestId: outcome.requestId,
        replayed: true,
      };
    }
  }

  try {
    return await generateOnce(
      s,
      call,
      request,
      cat,
      { ...logBase, modelId: request.model },
      elapsed,
    );
  } catch (error) {
    if (call.idempotencyKey !== null) {
      await releaseIdempotencyKey(s.sql, {
        userId: caller.userId,
        key: call.idempotencyKey,
        requestId: call.requestId,
      });
    }
    throw error;
  }
}

async function generateOnce(
  s: ImageServices,
  call: GenerationCall,
  request: ImageRequest,
  cat: Catalog,
  logBase: LogBase,
  elapsed: () => number,
): Promise<GenerationResult> {
  const { caller } = call;
  const requested = { size: request.size, quality: request.quality };
  const failWithoutMoney = async (error: ApiError, status: RequestLogEntry["status"]) => {
    await logWithoutMoney(s, { ...logBase, ...requested }, error, status, call.startedAt);
    return error;
  };

  const unitMax = maxImagePrice(cat, request.model, request.size, request.quality);
  if (unitMax === null) {
    throw await failWithoutMoney(
      new ApiError(
        503,
        `No price is set for ${request.model} at size ${request.size}, quality ${request.quality}.`,
        "server_error",
        "price_not_configured",
      ),
      "failed",
    );
  }
  const channels = await channelsFor(s.sql, request.model);
  if (channels.length === 0) {
    throw await failWithoutMoney(
      new ApiError(
        503,
        `No upstream channel serves ${request.model} right now.`,
        "server_error",
        "no_channel",
      ),
      "failed",
    );
  }

  // Hold the most this call can cost, and record the call as pending, or as refused.
  const holdId = newId();
  const holdSeconds = s.config.HOLD_TIMEOUT_SECONDS;
  // The log row goes with the hold: pending, or refused (then without the hold it would name).
  const pending: RequestLogEntry = {
    ...logBase,
    ...requested,
    status: "pending",
    httpStatus: 0,
    latencyMs: 0,
    holdId,
  };
  const refusalOf = (hold: LedgerOutcome["hold"]) =>
    hold && hold !== "held" ? ApiError.insufficientQuota(QUOTA_MESSAGES[hold]) : null;
  const endedEntry = (
    status: RequestLogEntry["status"],
    httpStatus: number,
    errorCode: string | null,
    extra: Partial<RequestLogEntry> = {},
  ): RequestLogEntry => ({
    ...logBase,
    ...requested,
    status,
    httpStatus,
    errorCode,
    latencyMs: elapsed(),
    holdId,
    ...extra,
  });
  const releaseOf = (note: string): Resolution => ({
    id: newId(),
    holdId,
    kind: "release",
    amount: null,
    note,
  });
  // By then the sweeper may release the hold: no wait for the database goes past it.
  const holdDeadline = Date.now() + holdSeconds * 1000;
  let hold: LedgerOutcome["hold"];
  try {
    ({ hold } = await s.commits.write({
      hold: {
        id: holdId,
        accountId: caller.accountId,
        amount: unitMax * BigInt(request.n),
        timeoutSeconds: holdSeconds,
        requestId: call.requestId,
        apiKeyId: caller.apiKeyId,
        keyHasSpendLimit: caller.keyHasSpendLimit,
      },
      records: { log: pending },
      otherwise: {
        log: {
          ...pending,
          status: "refused",
          httpStatus: QUOTA_REFUSAL.status,
          errorCode: QUOTA_REFUSAL.code,
          latencyMs: elapsed(),
          holdId: null,
        },
      },
    }));
  } catch (error) {
    // Not sent (no connection): there is no hold, and no log line can be written either.
    if (error instanceof NotSent) throw error;
    // The hold's answer was lost, so it may be in: release it now rather than at its deadline.
    // Not open: it never was, and neither was its log line, which is written here instead. (With
    // the database away this fails too: the sweeper releases the hold at its deadline.)
    const failed = endedEntry("failed", ...failureOf(error));
    await s.commits.write({
      resolution: releaseOf("hold_unanswered"),
      records: { log: failed },
      otherwise: { log: { ...failed, holdId: null } },
    }).catch(() => {});
    throw error;
  }
  const refused = refusalOf(hold);
  if (refused) throw refused;

  // Once money is held, every way out resolves the hold: settled, or released here (an
  // unexpected error included), or (a crash) expired by the sweeper.
  let resolved = false;
  // Bytes stored for this call whose records are not committed (yet): given up if it fails.
  let uncommittedKeys: string[] = [];
  const releaseWith = async (
    status: RequestLogEntry["status"],
    httpStatus: number,
    errorCode: string | null,
    extra: Partial<RequestLogEntry> = {},
  ) => {
    const entry = endedEntry(status, httpStatus, errorCode, extra);
    // Written even when the hold is no longer open (expired by the sweeper, for a call that
    // outlived it): the money is free, and the log line still says how the call ended.
    await s.commits.write({
      resolution: releaseOf(errorCode ?? status),
      records: { log: entry },
      otherwise: { log: entry },
    });
    resolved = true;
  };

  try {
    // Leave the hold's deadline a margin, so the sweeper never frees money a live call still uses.
    const deadline = AbortSignal.timeout(Math.max(1_000, (holdSeconds - 10) * 1000));
    const signal = AbortSignal.any([call.signal, deadline]);

    let outcome: Delivery;
    try {
      outcome = await callChannels(s.upstreamFor, channels, {
        model: request.model,
        prompt: request.prompt,
        n: request.n,
        size: request.size,
        quality: request.quality,
        background: request.background,
        outputFormat: request.outputFormat,
        outputCompression: request.outputCompression,
        moderation: request.moderation,
        user: request.user,
      }, signal);
    } catch (error) {
      if (call.signal.aborted) {
        await releaseWith("cancelled", 499, "client_closed_request");
        throw clientClosed();
      }
      if (!(error instanceof UpstreamFailure)) {
        await releaseWith("failed", 500, "internal_error");
        throw error;
      }
      const apiError = error.toApiError(request.model);
      const blocked = isPolicyBlock(error.last.body);
      await releaseWith(blocked ? "blocked" : "failed", apiError.status, apiError.code, {
        channelId: error.channel?.id ?? null,
        upstreamLatencyMs: error.upstreamMs,
      });
      throw apiError;
    }

    const upstreamSeen = { channelId: outcome.channel.id, upstreamLatencyMs: outcome.upstreamMs };
    // Only real images are paid for (failover dropped anything else, and at least one is left).
    const checked = outcome.result.images;
    const first = checked[0].info;
    const size = outcome.result.size && /^\d+x\d+$/.test(outcome.result.size)
      ? outcome.result.size
      : `${first.width}x${first.height}`;
    const quality = (QUALITIES as readonly string[]).includes(outcome.result.quality ?? "")
      ? outcome.result.quality!
      : request.quality !== "auto"
      ? request.quality
      : null;
    // What was produced sets the price; an unknown quality, or a price above the hold, charges the hold's rate.
    const produced = quality === null ? null : imagePrice(cat, request.model, size, quality);
    const unitPrice: Micros = produced === null || produced > unitMax ? unitMax : produced;
    const cost = unitPrice * BigInt(checked.length);
    const background = outcome.result.background ??
      (request.background === "auto" ? "opaque" : request.background);

    const created = Math.floor(Date.now() / 1000);
    const stored:
      (typeof checked[number] & { id: string; position: number; storageKey: string })[] = [];
    for (const [position, image] of checked.entries()) {
      const id = newPrefixedId("img_");
      const storageKey = await s.store.put(`${id}.${image.info.format}`, image.bytes);
      uncommittedKeys.push(storageKey);
      stored.push({ ...image, id, position, storageKey });
    }

    if (call.signal.aborted) {
      await releaseWith("cancelled", 499, "client_closed_request", upstreamSeen);
      throw clientClosed();
    }

    const answer: StoredAnswer = {
      created,
      responseFormat: request.responseFormat,
      images: stored.map((image) => ({
        id: image.id,
        storageKey: image.storageKey,
        revisedPrompt: image.revisedPrompt,
      })),
      fields: {
        background,
        output_format: first.format,
        quality: quality ?? undefined,
        size,
        ...(outcome.result.usage ? { usage: outcome.result.usage } : {}),
      },
    };
    const usage = outcome.result.usage ?? {};
    // Token counts from a compatible upstream are taken only when they are sane integers.
    const tokens = (value: unknown) =>
      Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) < 2 ** 31
        ? value as number
        : null;

    // The settle commits with the images' records, the final log line and the idempotency
    // answer. A hold that is no longer open (expired by the sweeper: a call slower than
    // HOLD_TIMEOUT_SECONDS) still gets its result delivered and recorded, free.
    const settleId = newId();
    const records = (charged: boolean): CallRecords => ({
      images: stored.map((image) => ({
        id: image.id,
        userId: caller.userId,
        requestId: call.requestId,
        position: image.position,
        prompt: request.prompt,
        revisedPrompt: image.revisedPrompt ?? null,
        modelId: request.model,
        size: `${image.info.width}x${image.info.height}`,
        quality: quality ?? "unknown",
        background,
        outputFormat: image.info.format,
        bytes: image.bytes.length,
        storageKey: image.storageKey,
        cost: charged ? unitPrice : 0n,
      })),
      log: {
        ...logBase,
        status: "ok",
        httpStatus: 200,
        errorCode: charged ? null : "hold_expired",
        latencyMs: elapsed(),
        upstreamLatencyMs: outcome.upstreamMs,
        channelId: outcome.channel.id,
        images: stored.length,
        size,
        quality,
        inputTokens: tokens(usage.input_tokens),
        outputTokens: tokens(usage.output_tokens),
        unitPrice,
        cost: charged ? cost : 0n,
        holdId,
        chargeId: charged && cost > 0n ? settleId : null,
      },
      idempotency: call.idempotencyKey === null ? undefined : {
        userId: caller.userId,
        key: call.idempotencyKey,
        requestId: call.requestId,
        httpStatus: 200,
        response: answer,
      },
    });
    // From here the settle, or the release that decides its fate, resolves the hold: no other
    // release may run (it could overwrite a committed settle's log line), and the bytes stay (the
    // settle may have recorded them).
    resolved = true;
    uncommittedKeys = [];
    try {
      const { resolution } = await s.commits.write({
        resolution: cost > 0n
          ? { id: settleId, holdId, kind: "settle", amount: cost }
          : releaseOf("free"),
        records: records(true),
        otherwise: records(false),
      });
      if (resolution === "not_open") {
        console.warn(
          `[${call.requestId}] hold ${holdId} expired before the upstream delivered; delivered free`,
        );
      }
    } catch (error) {
      // Not sent (no connection): the hold is as it was, for the release on the way out.
      if (error instanceof NotSent) {
        resolved = false;
        throw error;
      }
      // The settle's answer was lost (its connection failed, or its group had no answer in time),
      // so it may have committed. Releasing the hold decides: the release claims the hold only if
      // the settle did not, waiting for the settle's transaction should that still be running.
      // With the database away (restarting) the decision waits for it, up to the hold's
      // deadline: nothing is delivered that the settle did not charge, and nothing it charged is
      // answered with an error.
      const { resolution } = await untilAnswered(holdDeadline, () =>
        s.commits.write({
          resolution: releaseOf("settle_unanswered"),
          records: { log: endedEntry("failed", ...failureOf(error), upstreamSeen) },
          // Not open: the settle committed (its records are in), or the sweeper expired the hold.
        }));
      // Delivered when the settle's records are in: charged, or free (a release, or a hold that
      // had expired).
      const recorded = resolution === "not_open" &&
        await untilAnswered(holdDeadline, () => imageRecorded(s.sql, stored[0].id));
      if (!recorded) throw error;
    }

    return {
      body: await renderAnswer(s, answer, stored),
      requestId: call.requestId,
      replayed: false,
    };
  } catch (error) {
    if (!resolved) await releaseWith("failed", ...failureOf(error)).catch(() => {});
    await Promise.all(uncommittedKeys.map((key) => s.store.delete(key).catch(() => {})));
    throw error;
  }
}

/** Every refusal answers with this status and code (the message says which limit it was). */
const QUOTA_REFUSAL = ApiError.insufficientQuota("");

const QUOTA_MESSAGES: Record<HoldRefusal, string> = {
  insufficient_funds:
    "You exceeded your current quota: your balance does not cover this request. Top up your balance and retry.",
  spend_limit_exceeded:
    "You exceeded your current quota: this API key has reached its spend limit.",
};

/** How a call that failed with `error` is logged: the status and code it is answered with. */
function failureOf(error: unknown): [httpStatus: number, errorCode: string] {
  return isDatabaseUnavailable(error) ? [503, "database_unavailable"] : [500, "internal_error"];
}

/** The client went away before the answer: its call is cancelled and costs nothing. */
function clientClosed(): ApiError {
  return new ApiError(
    499,
    "The client closed the request; nothing was charged.",
    "invalid_request_error",
    "client_closed_request",
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
      "invalid_request_error",
      "invalid_json",
    );
  }
}

/** The model a rejected body named, for its log row (only when it is a plain string). */
function modelNamedIn(text: string): string | null {
  try {
    const model = (JSON.parse(text) as { model?: unknown })?.model;
    return typeof model === "string" ? model.replaceAll("\u0000", "").slice(0, 100) : null;
  } catch {
    return null;
  }
}
