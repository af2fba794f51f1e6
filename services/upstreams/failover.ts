// Failover across channels, for every kind of call: try them best first; move on when a channel
// failed (nothing was delivered, so it is safe), stop at a refusal (another channel would refuse
// too). What counts as delivered is the caller's: its attempt throws UpstreamError otherwise.
import { ApiError } from "../platform/errors.ts";
import type { Channel } from "../catalog/channels.ts";
import { isPolicyBlock, UpstreamError } from "./types.ts";
import { clipText, storableText } from "../platform/storable_text.ts";

/** A channel tried that did not deliver, as the request log keeps it (JSON: no bigints). */
export interface FailedAttempt {
  channelId: number;
  channel: string;
  kind: UpstreamError["kind"];
  status: number;
  /** Our words or the upstream's, for support; the customer's pages show kind and status. */
  error: string;
  ms: number;
}

/** Every channel failed; `last` is the final channel's error, which decides the answer. */
export class UpstreamFailure extends Error {
  constructor(
    readonly last: UpstreamError,
    readonly channel: Channel | null,
    readonly upstreamMs: number,
    /** Every channel tried, in order, the last one included. */
    readonly attempts: FailedAttempt[] = [],
  ) {
    super(last.message);
  }

  toApiError(model: string): ApiError {
    const { last } = this;
    if (last.kind === "refused") {
      // OpenAI's four fields, checked (types.ts upstreamErrorBody): nothing else the upstream sent.
      const { message, type, param, code } = last.body ?? {
        message: "",
        type: "invalid_request_error",
        param: null,
        code: null,
      };
      return new ApiError(
        last.status,
        message || "The upstream refused the request.",
        type,
        code,
        param,
        {},
        isPolicyBlock(last.body) ? { "x-should-retry": "false" } : {},
      );
    }
    if (last.status === 429) {
      return new ApiError(
        429,
        `The upstream for ${model} is rate limiting requests; retry shortly. Nothing was charged.`,
        "rate_limit_error",
        "rate_limit_exceeded",
      );
    }
    // 499: our own deadline (the hold's timeout) cut the call short.
    const timedOut = last.status === 504 || last.status === 499;
    const what = timedOut ? "timed out" : "failed";
    return new ApiError(
      502,
      `The upstream for ${model} ${what}; nothing was charged. Retry later.`,
      "server_error",
      timedOut ? "upstream_timeout" : "upstream_error",
    );
  }
}

/** What a channel delivered, and which one. */
export interface Delivered<T> {
  result: T;
  channel: Channel;
  upstreamMs: number;
  /** The channels tried before it, which failed. */
  failedOver: FailedAttempt[];
}

/** Tries channels best first with `attempt`. Moves on only when the channel failed; a refusal is
 *  final. An error that is not an UpstreamError counts as the channel's failure. */
export async function failover<T>(
  channels: Channel[],
  attempt: (channel: Channel, signal: AbortSignal) => Promise<T>,
  signal: AbortSignal,
): Promise<Delivered<T>> {
  let failure: UpstreamFailure | null = null;
  const failed: FailedAttempt[] = [];
  for (const channel of channels) {
    const started = performance.now();
    try {
      const result = await attempt(channel, signal);
      const upstreamMs = Math.round(performance.now() - started);
      return { result, channel, upstreamMs, failedOver: failed };
    } catch (error) {
      const upstreamError = error instanceof UpstreamError ? error : new UpstreamError(
        "unavailable",
        `channel ${channel.name} failed: ${(error as Error)?.message ?? error}`,
        502,
      );
      const ms = Math.round(performance.now() - started);
      failed.push({
        channelId: Number(channel.id),
        channel: channel.name,
        kind: upstreamError.kind,
        status: upstreamError.status,
        error: clipText(storableText(upstreamError.message), 300),
        ms,
      });
      failure = new UpstreamFailure(upstreamError, channel, ms, failed);
      if (upstreamError.kind === "refused" || signal.aborted) break;
      console.warn(`[${channel.name}] ${upstreamError.message}; trying the next channel`);
    }
  }
  throw failure;
}
