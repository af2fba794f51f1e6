// What every image upstream adapter takes and gives back, whatever the provider speaks.
import type { ImageFormat } from "../images/request.ts";
import { ERROR_TYPES, type ErrorType } from "../platform/errors.ts";
import { clipText, storableText } from "../platform/storable_text.ts";

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

/** An upstream's error in OpenAI's envelope and nothing more: what a refusal passes on. */
export interface UpstreamErrorBody {
  message: string;
  type: ErrorType;
  param: string | null;
  code: string | null;
}

/**
 * An upstream's error body as OpenAI's four fields, each bounded and storable; anything else it
 * carried (an organisation id, a key hint) is left behind. Null when it has no message.
 */
export function upstreamErrorBody(raw: unknown): UpstreamErrorBody | null {
  if (typeof raw !== "object" || raw === null) return null;
  const { message, type, param, code } = raw as Record<string, unknown>;
  if (typeof message !== "string") return null;
  return {
    message: clipText(storableText(message), 1_000),
    type: (ERROR_TYPES as readonly unknown[]).includes(type)
      ? type as ErrorType
      : "invalid_request_error",
    param: typeof param === "string" && param ? clipText(storableText(param), 100) : null,
    // A code is a word the log keeps and clients match on, never free text.
    code: typeof code === "string" && /^[A-Za-z0-9_.:-]{1,100}$/.test(code) ? code : null,
  };
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
  return POLICY_BLOCK_CODES.has(String(body?.code));
}

/** How OpenAI says a prompt was flagged: images (moderation_blocked), chat (invalid_prompt), and
 *  the older content_policy_violation our translators use for Claude's and Gemini's blocks. */
const POLICY_BLOCK_CODES = new Set([
  "moderation_blocked",
  "invalid_prompt",
  "content_policy_violation",
]);
