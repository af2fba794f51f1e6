// Failover across channels: try them best first; move on when a channel failed (nothing was
// delivered, so it is safe), stop at a refusal (another channel would refuse too).
import { ApiError } from "../errors.ts";
import { type ImageInfo, sniffImage } from "../image_bytes.ts";
import type { Channel } from "../channels.ts";
import type { ImageUpstreamFor } from "./index.ts";
import {
  isPolicyBlock,
  UpstreamError,
  type UpstreamImageRequest,
  type UpstreamImageResult,
} from "./types.ts";

/** Every channel failed; `last` is the final channel's error, which decides the answer. */
export class UpstreamFailure extends Error {
  constructor(
    readonly last: UpstreamError,
    readonly channel: Channel | null,
    readonly upstreamMs: number,
  ) {
    super(last.message);
  }

  toApiError(model: string): ApiError {
    const { last } = this;
    if (last.kind === "refused") {
      const { message, type, param, code, ...extra } = last.body ?? {
        message: "The upstream refused the request.",
        type: "invalid_request_error",
        param: null,
        code: null,
      };
      return new ApiError(
        last.status,
        message,
        type as never,
        code,
        param,
        extra,
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

/** What a channel delivered: only the images whose bytes read as images, with what they are. */
export interface Delivery {
  result: Omit<UpstreamImageResult, "images"> & {
    images: { bytes: Uint8Array; revisedPrompt?: string; info: ImageInfo }[];
  };
  channel: Channel;
  upstreamMs: number;
}

/** Tries channels best first. Moves on only when the channel failed; a refusal is final. */
export async function callChannels(
  upstreamFor: ImageUpstreamFor,
  channels: Channel[],
  request: UpstreamImageRequest,
  signal: AbortSignal,
): Promise<Delivery> {
  let failure: UpstreamFailure | null = null;
  for (const channel of channels) {
    const started = performance.now();
    try {
      const result = await upstreamFor(channel).generate(request, signal);
      const images = result.images.slice(0, request.n)
        .map((image) => ({ ...image, info: sniffImage(image.bytes) }))
        .filter((image): image is typeof image & { info: ImageInfo } => image.info !== null);
      if (images.length === 0) {
        // Nothing usable was delivered, so nothing can be charged: a failure like any other.
        throw new UpstreamError(
          "unavailable",
          `channel ${channel.name} answered without a readable image`,
          502,
        );
      }
      return {
        result: { ...result, images },
        channel,
        upstreamMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      const upstreamError = error instanceof UpstreamError ? error : new UpstreamError(
        "unavailable",
        `channel ${channel.name} failed: ${(error as Error)?.message ?? error}`,
        502,
      );
      failure = new UpstreamFailure(
        upstreamError,
        channel,
        Math.round(performance.now() - started),
      );
      if (upstreamError.kind === "refused" || signal.aborted) break;
      console.warn(`[${channel.name}] ${upstreamError.message}; trying the next channel`);
    }
  }
  throw failure;
}
