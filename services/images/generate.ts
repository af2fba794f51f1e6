// Image generation, end to end: one call to POST /v1/images/generations (or the Images page), on
// the metered call every model kind shares (services/metering/metered_call.ts):
//
//   validate → hold n × the dearest price the request could resolve to → try channels by priority
//   (only complete images of the size asked for count: image_delivery.ts) → store the bytes →
//   settle images delivered × the price of what was produced, with the images' records → answer
//   (signed URLs, or the bytes inline)
import { demoEnabled } from "../platform/config.ts";
import type { Caller } from "../accounts/api_keys.ts";
import { ApiError } from "../platform/errors.ts";
import { type Catalog, catalog, imagePrice, maxImagePrice } from "../billing/pricing.ts";
import { type ImageRequest, MAX_BODY_BYTES, parseImageRequest } from "./request.ts";
import { readBodyText } from "../../framework/body.ts";
import { channelsFor } from "../catalog/channels.ts";
import type { ImageUpstreamFor } from "../upstreams/registry.ts";
import { imageAttempt, type ImageDelivery } from "./delivery.ts";
import { type ImagesResponseBody, renderAnswer, type StoredAnswer } from "./answers.ts";
import { type ImageStore, storeImage } from "./store.ts";
import type { UrlSigner } from "./signed_urls.ts";
import { IMAGE_RECORDS } from "./records.ts";
import { rowsOf } from "../billing/group_commit.ts";
import type { Micros } from "../billing/money.ts";
import { newPrefixedId } from "../platform/ids.ts";
import {
  admit,
  type CallContext,
  holdFor,
  type Kept,
  logWithoutMoney,
  type MeteredServices,
  withIdempotencyKey,
} from "../metering/metered_call.ts";

export const ENDPOINT = "/v1/images/generations";

export interface ImageServices extends MeteredServices {
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

function contextOf(call: Omit<GenerationCall, "bodyText">): CallContext {
  return { ...call, endpoint: ENDPOINT, kind: "image" };
}

/** One HTTP request's generation (its body read with a cap, its Idempotency-Key honoured): the
 *  API's and the dashboard's alike. */
export async function generateFromRequest(
  s: ImageServices,
  request: Request,
  call: Pick<GenerationCall, "caller" | "requestId" | "startedAt">,
): Promise<GenerationResult> {
  const signal = request.signal;
  const idempotencyKey = request.headers.get("idempotency-key");
  let bodyText: string;
  try {
    bodyText = await readBodyText(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof ApiError) {
      const ctx = contextOf({ ...call, signal, idempotencyKey: null });
      await logWithoutMoney(s, ctx, error, "invalid", { modelId: null });
    }
    throw error;
  }
  return await generateImages(s, { ...call, signal, bodyText, idempotencyKey });
}

export async function generateImages(
  s: ImageServices,
  call: GenerationCall,
): Promise<GenerationResult> {
  const ctx = contextOf(call);
  const cat = await catalog(s.sql);
  const admission = await admit(
    s,
    ctx,
    call.bodyText,
    (body) => parseImageRequest(body, cat),
    (request) => request.model,
  );
  if (admission.kind === "replay") {
    return {
      body: await renderAnswer(s, admission.answer as StoredAnswer),
      requestId: admission.requestId,
      replayed: true,
    };
  }
  const request = admission.request;
  return await withIdempotencyKey(s, ctx, () => generateOnce(s, ctx, request, cat));
}

type StoredImage = ImageDelivery["images"][number] & {
  id: string;
  position: number;
  storageKey: string;
};

async function generateOnce(
  s: ImageServices,
  ctx: CallContext,
  request: ImageRequest,
  cat: Catalog,
): Promise<GenerationResult> {
  const unitMax = maxImagePrice(cat, request.model, request.size, request.quality);
  const held = await holdFor(s, ctx, {
    model: request.model,
    logFields: { size: request.size, quality: request.quality },
    maxCost: unitMax === null ? null : unitMax * BigInt(request.n),
    channels: await channelsFor(s.sql, request.model, { demo: demoEnabled(s.config) }),
  });
  // Bytes stored for this call whose records are not committed (yet): given up if it fails.
  let uncommitted: StoredImage[] = [];
  try {
    const delivered = await held.call(imageAttempt(s.upstreamFor, {
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
    }));
    uncommitted = await storeImages(s.store, delivered.result.images);
    if (ctx.signal.aborted) {
      throw await held.cancelled({
        channelId: delivered.channel.id,
        upstreamLatencyMs: delivered.upstreamMs,
        failover: delivered.failedOver,
      });
    }
    const { kept, answer } = keptOf(cat, ctx, request, unitMax!, delivered.result, uncommitted);
    // From here the settle owns the bytes (it may record them, even when its answer is lost).
    const stored = uncommitted;
    uncommitted = [];
    await held.settle(kept, delivered);
    return {
      body: await renderAnswer(s, answer, stored),
      requestId: ctx.requestId,
      replayed: false,
    };
  } catch (error) {
    await held.fail(error);
    await Promise.all(uncommitted.map((image) => s.store.delete(image.storageKey).catch(() => {})));
    throw error;
  }
}

async function storeImages(
  store: ImageStore,
  images: ImageDelivery["images"],
): Promise<StoredImage[]> {
  const stored: StoredImage[] = [];
  try {
    for (const [position, image] of images.entries()) {
      const id = newPrefixedId("img_");
      const storageKey = await storeImage(store, `${id}.${image.info.format}`, image.bytes);
      stored.push({ ...image, id, position, storageKey });
    }
    return stored;
  } catch (error) {
    await Promise.all(stored.map((image) => store.delete(image.storageKey).catch(() => {})));
    throw error;
  }
}

/** What the delivered images cost, the records they keep, and the answer (kept for replays). */
function keptOf(
  cat: Catalog,
  ctx: CallContext,
  request: ImageRequest,
  unitMax: Micros,
  delivery: ImageDelivery,
  stored: StoredImage[],
): { kept: Kept; answer: StoredAnswer } {
  // The size requested, or the one "auto" produced, read from the images (image_delivery.ts).
  const { size } = delivery;
  const quality = delivery.quality ?? null;
  // What was produced sets the price; an unknown quality, or a price above the hold, charges the
  // hold's rate.
  const produced = quality === null ? null : imagePrice(cat, request.model, size, quality);
  const unitPrice: Micros = produced === null || produced > unitMax ? unitMax : produced;
  const background = delivery.background ??
    (request.background === "auto" ? "opaque" : request.background);
  const answer: StoredAnswer = {
    created: Math.floor(Date.now() / 1000),
    responseFormat: request.responseFormat,
    images: stored.map((image) => ({
      id: image.id,
      storageKey: image.storageKey,
      revisedPrompt: image.revisedPrompt,
    })),
    fields: {
      background,
      output_format: stored[0].info.format,
      quality: quality ?? undefined,
      size,
      ...(delivery.usage ? { usage: delivery.usage } : {}),
    },
  };
  const usage = delivery.usage ?? {};
  const kept: Kept = {
    cost: unitPrice * BigInt(stored.length),
    unitPrice,
    logFields: {
      images: stored.length,
      size,
      quality,
      inputTokens: tokens(usage.input_tokens),
      outputTokens: tokens(usage.output_tokens),
    },
    records: (charged) => ({
      rows: [rowsOf(
        IMAGE_RECORDS,
        stored.map((image) => ({
          id: image.id,
          userId: ctx.caller.userId,
          requestId: ctx.requestId,
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
      )],
    }),
    answer,
  };
  return { kept, answer };
}

/** Token counts from a compatible upstream are taken only when they are sane integers. */
function tokens(value: unknown): number | null {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) < 2 ** 31
    ? value as number
    : null;
}
