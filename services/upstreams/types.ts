// What every image upstream adapter takes and gives back, whatever the provider speaks.
import type { ImageFormat } from "../image_request.ts";

export interface UpstreamImageRequest {
  model: string;
  prompt: string;
  n: number;
  size: string;
  quality: string;
  background: string;
  outputFormat: ImageFormat;
  outputCompression: number;
  moderation: string;
  user: string | null;
}

export interface UpstreamImageResult {
  images: { bytes: Uint8Array; revisedPrompt?: string }[];
  /** What the upstream says it produced ("auto" resolved); absent when it does not say. */
  size?: string;
  quality?: string;
  background?: string;
  outputFormat?: string;
  usage?: Record<string, unknown>;
}

export interface ImageUpstream {
  generate(request: UpstreamImageRequest, signal: AbortSignal): Promise<UpstreamImageResult>;
}

/** The upstream's own error body, in OpenAI's shape, passed through to the client when it refused. */
export interface UpstreamErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
  [extra: string]: unknown;
}

/**
 * An upstream call that did not deliver.
 * - "refused": the upstream judged the request itself (a policy block, a bad value). Another
 *   channel would say the same, so it is passed through to the client as is.
 * - "unavailable": the channel failed (connection, timeout, 5xx, 429, a bad upstream key, a
 *   malformed answer). Safe to try the next channel: nothing was delivered.
 */
export class UpstreamError extends Error {
  constructor(
    readonly kind: "refused" | "unavailable",
    message: string,
    readonly status: number,
    readonly body: UpstreamErrorBody | null = null,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/** Does this error body say the prompt was blocked by the upstream's policy check? */
export function isPolicyBlock(body: UpstreamErrorBody | null): boolean {
  return body?.code === "moderation_blocked" || body?.code === "content_policy_violation";
}
