// The request body of POST /v1/images/generations, checked the way OpenAI checks it: the same
// fields, defaults and limits, and errors in its words (param names the field). zod checks the
// shape; the per-model rules below check the values.
import { z } from "zod";
import { ApiError } from "../platform/errors.ts";
import { invalidType, missingParameter, requireObjectBody } from "../platform/param_errors.ts";
import type { Catalog } from "../billing/pricing.ts";
import { liveModel } from "../catalog/models.ts";

export type ImageFormat = "png" | "jpeg" | "webp";

export interface ImageRequest {
  model: string;
  prompt: string;
  n: number;
  /** "auto", a named size, or (gpt-image-2) any allowed WxH. */
  size: string;
  quality: "low" | "medium" | "high" | "auto";
  background: "transparent" | "opaque" | "auto";
  outputFormat: ImageFormat;
  outputCompression: number;
  moderation: "low" | "auto";
  responseFormat: "url" | "b64_json";
  user: string | null;
}

export const MAX_PROMPT_CHARS = 32_000;
/** `user`'s limit, in UTF-16 units as OpenAI counts it. */
export const MAX_USER_CHARS = 512;
// The largest body the rules allow, written as long as JSON can write it: a prompt of
// MAX_PROMPT_CHARS characters (code points), each astral and escaped as a surrogate pair
// ("\ud83c\udfa8", 12 bytes); a `user` of MAX_USER_CHARS UTF-16 units, each "\uXXXX" (6 bytes);
// and 16 KiB for the other fields (short names and values, 6 bytes a character escaped: about
// 2 KiB) and whitespace.
export const MAX_BODY_BYTES = MAX_PROMPT_CHARS * 12 + MAX_USER_CHARS * 6 + 16_384;
const GPT_IMAGE_SIZES = ["1024x1024", "1536x1024", "1024x1536", "auto"];

/** What a model accepts, "auto" included: the Images page offers exactly these. */
export interface ImageModelOptions {
  /** Named sizes (gpt-image-2 also takes any allowed WxH, see customSizeProblem). */
  sizes: readonly string[];
  qualities: readonly ImageRequest["quality"][];
  backgrounds: readonly ImageRequest["background"][];
  maxN: number;
}

const GPT_IMAGE_OPTIONS: ImageModelOptions = {
  sizes: GPT_IMAGE_SIZES,
  qualities: ["low", "medium", "high", "auto"],
  backgrounds: ["transparent", "opaque", "auto"],
  maxN: 10,
};

const MODEL_OPTIONS: Record<string, ImageModelOptions> = {
  // OpenAI ended gpt-image-2's transparent backgrounds (a preview) on 2026-09-30; since then it
  // answers 400 "Transparent background is not supported for this model." before generating.
  "gpt-image-2": { ...GPT_IMAGE_OPTIONS, backgrounds: ["opaque", "auto"] },
};

export function imageModelOptions(model: string): ImageModelOptions {
  return MODEL_OPTIONS[model] ?? GPT_IMAGE_OPTIONS;
}

const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const bodySchema = z.object({
  prompt: z.string(),
  model: optional(z.string()),
  n: optional(z.int()),
  size: optional(z.string()),
  quality: optional(z.string()),
  background: optional(z.string()),
  output_format: optional(z.string()),
  output_compression: optional(z.int()),
  moderation: optional(z.string()),
  response_format: optional(z.string()),
  style: optional(z.string()),
  stream: optional(z.boolean()),
  partial_images: optional(z.int()),
  user: optional(z.string()),
}).strict();

/** Validates a parsed JSON body; throws ApiError (400, or 404 for an unknown model). */
export function parseImageRequest(
  body: unknown,
  catalog: Catalog,
  today = new Date(),
): ImageRequest {
  const fields = requireObjectBody(body);
  const parsed = bodySchema.safeParse(fields);
  if (!parsed.success) throw shapeError(parsed.error.issues[0], fields);
  const b = parsed.data;

  const model = b.model ?? defaultImageModel(catalog);
  liveModel(catalog, model, "image", today);

  if (b.prompt.trim().length === 0) {
    throw ApiError.invalidValue("prompt", "Invalid 'prompt': empty string.");
  }
  // Characters as people count them (code points), not UTF-16 units: an emoji is one.
  const promptLength = b.prompt.length > MAX_PROMPT_CHARS ? [...b.prompt].length : b.prompt.length;
  if (promptLength > MAX_PROMPT_CHARS) {
    throw ApiError.invalidValue(
      "prompt",
      `Invalid 'prompt': string too long. Expected a string with maximum length ${MAX_PROMPT_CHARS}, but got a string with length ${promptLength} instead.`,
    );
  }

  const options = imageModelOptions(model);
  const n = b.n ?? 1;
  if (n < 1 || n > options.maxN) {
    throw ApiError.invalidValue(
      "n",
      `Invalid 'n': integer ${n} is out of range; supported values are 1 to ${options.maxN}.`,
    );
  }

  const size = b.size ?? "auto";
  if (!options.sizes.includes(size)) {
    const customProblem = model === "gpt-image-2"
      ? customSizeProblem(size)
      : "not a supported size";
    if (customProblem) {
      const supported = options.sizes.map((s) => `'${s}'`).join(", ");
      const extra = model === "gpt-image-2"
        ? ` or WxH with both sides multiples of 16, the longer side at most 3840, aspect ratio at most 3:1 and 655,360 to 8,294,400 pixels (${customProblem})`
        : "";
      throw ApiError.invalidValue(
        "size",
        `Invalid value: '${size}'. Supported values are: ${supported}${extra}.`,
      );
    }
  }

  const quality = oneOf("quality", b.quality ?? "auto", options.qualities);
  const outputFormat = oneOf(
    "output_format",
    b.output_format ?? "png",
    ["png", "jpeg", "webp"] as const,
  );
  const background = oneOf(
    "background",
    b.background ?? "auto",
    ["transparent", "opaque", "auto"] as const,
  );
  if (!options.backgrounds.includes(background)) {
    throw ApiError.invalidValue(
      "background",
      `${upperFirst(background)} background is not supported for this model.`,
    );
  }
  if (background === "transparent" && outputFormat === "jpeg") {
    throw ApiError.invalidValue(
      "background",
      "Transparent background requires output_format 'png' or 'webp'; 'jpeg' has no alpha channel.",
    );
  }
  const outputCompression = b.output_compression ?? 100;
  if (outputCompression < 0 || outputCompression > 100) {
    throw ApiError.invalidValue(
      "output_compression",
      `Invalid 'output_compression': integer ${outputCompression} is out of range; supported values are 0 to 100.`,
    );
  }
  if (outputFormat === "png" && outputCompression !== 100) {
    throw ApiError.invalidValue(
      "output_compression",
      "output_compression is only supported for output_format 'jpeg' and 'webp'.",
    );
  }
  const moderation = oneOf("moderation", b.moderation ?? "auto", ["low", "auto"] as const);
  const responseFormat = oneOf(
    "response_format",
    b.response_format ?? "url",
    ["url", "b64_json"] as const,
  );
  if (b.style != null) {
    throw ApiError.invalidValue(
      "style",
      `The 'style' parameter is only supported for dall-e-3, not '${model}'.`,
    );
  }
  if (b.stream) {
    throw ApiError.invalidValue(
      "stream",
      "Streaming image generation is not available yet; omit 'stream' or set it to false.",
    );
  }
  if (b.partial_images != null && b.partial_images !== 0) {
    throw ApiError.invalidValue(
      "partial_images",
      "'partial_images' is only supported with 'stream', which is not available yet.",
    );
  }
  if (b.user != null && b.user.length > MAX_USER_CHARS) {
    throw ApiError.invalidValue(
      "user",
      `Invalid 'user': string too long. Expected a string with maximum length ${MAX_USER_CHARS}.`,
    );
  }

  return {
    model,
    prompt: b.prompt,
    n,
    size,
    quality,
    background,
    outputFormat,
    outputCompression,
    moderation,
    responseFormat,
    user: b.user ?? null,
  };
}

function defaultImageModel(catalog: Catalog): string {
  const model = [...catalog.models.values()].find((m) => m.kind === "image" && m.isDefault);
  if (!model) throw missingParameter("model");
  return model.id;
}

/** Whether `model` makes images of `size` (a WxH; "auto" is a request, not a size). */
export function sizeAllowed(model: string, size: string): boolean {
  return size !== "auto" &&
    (GPT_IMAGE_SIZES.includes(size) || (model === "gpt-image-2" && !customSizeProblem(size)));
}

/** Why a WxH is not a size gpt-image-2 can make, or null when it is one. */
export function customSizeProblem(size: string): string | null {
  const match = /^([1-9]\d{0,4})x([1-9]\d{0,4})$/.exec(size);
  if (!match) return "not of the form WxH";
  const [w, h] = [Number(match[1]), Number(match[2])];
  if (w % 16 || h % 16) return "sides must be multiples of 16";
  if (Math.max(w, h) > 3840) return "the longer side is over 3840";
  if (Math.max(w, h) / Math.min(w, h) > 3) return "the aspect ratio is over 3:1";
  const pixels = w * h;
  if (pixels < 655_360) return `${pixels.toLocaleString("en-US")} pixels is too few`;
  if (pixels > 8_294_400) return `${pixels.toLocaleString("en-US")} pixels is too many`;
  return null;
}

const upperFirst = (text: string) => text[0].toUpperCase() + text.slice(1);

function oneOf<const T extends readonly string[]>(
  param: string,
  value: string,
  allowed: T,
): T[number] {
  if (!allowed.includes(value)) {
    throw ApiError.invalidValue(
      param,
      `Invalid value: '${value}'. Supported values are: ${
        allowed.map((v) => `'${v}'`).join(", ")
      }.`,
    );
  }
  return value as T[number];
}

function shapeError(issue: z.core.$ZodIssue, body: Record<string, unknown>): ApiError {
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    return new ApiError(
      400,
      `Unknown parameter: '${key}'.`,
      "invalid_request_error",
      "unknown_parameter",
      key,
    );
  }
  const param = issue.path.map(String).join(".");
  if (issue.code === "invalid_type" && body[param] === undefined) return missingParameter(param);
  if (issue.code === "invalid_type") {
    const expected = issue.expected === "int" ? "an integer" : `a ${issue.expected}`;
    return invalidType(param, expected, body[param]);
  }
  return ApiError.invalidValue(param, `Invalid value for '${param}': ${issue.message}.`);
}
