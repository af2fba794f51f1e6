// What an image channel's answer is worth: only complete images of the size asked for count, and
// of the rest of the answer only what is sane and storable (upstreams are untrusted).
import { checkImage, type ImageInfo } from "./bytes.ts";
import { MAX_PROMPT_CHARS, sizeAllowed } from "./request.ts";
import { QUALITIES, type Quality } from "../billing/pricing.ts";
import { clipText, storableText } from "../platform/storable_text.ts";
import type { Channel } from "../catalog/channels.ts";
import type { ImageUpstreamFor } from "../upstreams/registry.ts";
import {
  UpstreamError,
  type UpstreamImageRequest,
  type UpstreamImageResult,
} from "../upstreams/types.ts";

/** What an image channel delivered: only the images that are what was asked for, with what they
 *  are, and the answer's other fields where they are sane and storable. */
export interface ImageDelivery {
  images: { bytes: Uint8Array; revisedPrompt?: string; info: ImageInfo }[];
  /** The size produced: the one requested, or for "auto" the images' own (never a claim). */
  size: string;
  /** The one requested, or for "auto" what the upstream says it made, if it is one we price. */
  quality?: Quality;
  background?: "transparent" | "opaque";
  /** Numbers only (token counts). */
  usage?: Record<string, unknown>;
}

/** One image channel's attempt, for the failover: only a usable delivery counts. */
export function imageAttempt(upstreamFor: ImageUpstreamFor, request: UpstreamImageRequest) {
  return async (channel: Channel, signal: AbortSignal): Promise<ImageDelivery> => {
    const delivery = deliveryOf(await upstreamFor(channel).generate(request, signal), request);
    if (typeof delivery === "string") {
      // Nothing usable was delivered, so nothing can be charged: a failure like any other.
      throw new UpstreamError("unavailable", `channel ${channel.name} answered ${delivery}`, 502);
    }
    return delivery;
  };
}

/**
 * The part of an upstream's answer that can be paid for, or why none can.
 *
 * An image counts only when it is complete (checked whole) and of the size requested. One of
 * another size is the upstream's fault, as a broken one is: it is dropped, and with none left the
 * call moves on to the next channel, free. Charging it at the requested price would bill the
 * customer for a picture they did not ask for; at its own size's (a 16x16 costs next to nothing)
 * it would let an upstream set our prices. For "auto", the first image's own size decides, and it
 * must be one the model makes; the others must share it (the answer names one size).
 */
function deliveryOf(
  answer: UpstreamImageResult,
  request: UpstreamImageRequest,
): ImageDelivery | string {
  let size = request.size === "auto" ? null : request.size;
  const images: ImageDelivery["images"] = [];
  const problems = new Set<string>();
  for (const { bytes, revisedPrompt } of answer.images.slice(0, request.n)) {
    const info = checkImage(bytes);
    if (info === null) {
      problems.add("an incomplete image, or not an image");
      continue;
    }
    const produced = `${info.width}x${info.height}`;
    if (size === null && sizeAllowed(request.model, produced)) size = produced;
    if (produced !== size) {
      problems.add(`a ${produced} image for size ${request.size}`);
      continue;
    }
    images.push({
      bytes,
      info,
      revisedPrompt: typeof revisedPrompt === "string"
        ? clipText(storableText(revisedPrompt), MAX_PROMPT_CHARS)
        : undefined,
    });
  }
  if (size === null || images.length === 0) {
    return `without a usable image (${[...problems].join("; ") || "none"})`;
  }
  const claimed = answer.quality as Quality;
  return {
    images,
    size,
    quality: request.quality !== "auto"
      ? request.quality as Quality
      : QUALITIES.includes(claimed)
      ? claimed
      : undefined,
    background: answer.background === "transparent" || answer.background === "opaque"
      ? answer.background
      : undefined,
    usage: numbersIn(answer.usage),
  };
}

/** The numbers in an upstream's usage (nested two levels, as OpenAI's details are), under plain
 *  names: none of its text reaches our records or the customer. */
function numbersIn(value: unknown, depth = 0): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const kept: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, 32)) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(key)) continue;
    if (typeof item === "number" && Number.isFinite(item)) kept[key] = item;
    else if (depth < 2) {
      const nested = numbersIn(item, depth + 1);
      if (nested) kept[key] = nested;
    }
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}
