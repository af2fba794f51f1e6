// Upstreams that speak OpenAI's Images API, called through the official openai SDK.
import OpenAI from "openai";
import { openaiClient } from "./client.ts";
import type { Channel } from "../../catalog/channels.ts";
import {
  type ImageUpstream,
  isPolicyBlock,
  UpstreamError,
  upstreamErrorBody,
  type UpstreamImageRequest,
  type UpstreamImageResult,
} from "../types.ts";
import { fetchImageUrl, MAX_IMAGE_BYTES, type ServerAddress } from "../image_urls.ts";

export class OpenAIImageUpstream implements ImageUpstream {
  private readonly client: OpenAI;

  constructor(private readonly channel: Channel, private readonly self: ServerAddress) {
    this.client = openaiClient(channel, channel.timeoutMs);
  }

  async generate(request: UpstreamImageRequest, signal: AbortSignal): Promise<UpstreamImageResult> {
    let response: OpenAI.ImagesResponse;
    try {
      response = await this.client.images.generate({
        model: request.model,
        prompt: request.prompt,
        n: request.n,
        size: request.size as OpenAI.ImageGenerateParams["size"],
        quality: request.quality as OpenAI.ImageGenerateParams["quality"],
        background: request.background as OpenAI.ImageGenerateParams["background"],
        output_format: request.outputFormat,
        // The upstream rejects compression for PNG, as we do.
        ...(request.outputFormat === "png"
          ? {}
          : { output_compression: request.outputCompression }),
        moderation: request.moderation as OpenAI.ImageGenerateParams["moderation"],
        ...(request.user ? { user: request.user } : {}),
      }, { signal });
    } catch (error) {
      throw toUpstreamError(error, this.channel);
    }
    if (!response || !Array.isArray(response.data)) {
      throw new UpstreamError(
        "unavailable",
        `channel ${this.channel.name} answered without image data`,
        502,
      );
    }
    const images = await Promise.all(response.data.map(async (item) => {
      if (typeof item.b64_json === "string" && item.b64_json.length > 0) {
        if (item.b64_json.length > (MAX_IMAGE_BYTES / 3) * 4 + 4) {
          throw new UpstreamError(
            "unavailable",
            `channel ${this.channel.name} sent an image over ${MAX_IMAGE_BYTES} bytes`,
            502,
          );
        }
        return {
          // A real image is megabytes: decoded natively (a per-character loop took ~180 ms for 1.5 MB).
          bytes: Uint8Array.fromBase64(item.b64_json),
          revisedPrompt: item.revised_prompt,
        };
      }
      if (typeof item.url === "string") {
        return {
          bytes: await fetchImageUrl(this.channel, this.self, item.url, signal),
          revisedPrompt: item.revised_prompt,
        };
      }
      throw new UpstreamError(
        "unavailable",
        `channel ${this.channel.name} sent an image with neither b64_json nor url`,
        502,
      );
    })).catch((error) => {
      throw error instanceof UpstreamError ? error : toUpstreamError(error, this.channel);
    });
    return {
      images,
      size: response.size,
      quality: response.quality,
      background: response.background,
      outputFormat: response.output_format,
      usage: response.usage as unknown as Record<string, unknown> | undefined,
    };
  }
}

const REQUEST_ERROR_CODES = new Set([
  "invalid_value",
  "invalid_type",
  "unknown_parameter",
  "missing_required_parameter",
  "string_above_max_length",
  "invalid_prompt",
]);

/** An error the openai SDK threw, as the failover reads it (refused, or the channel's failure). */
export function toUpstreamError(error: unknown, channel: Pick<Channel, "name">): UpstreamError {
  if (error instanceof OpenAI.APIError && typeof error.status === "number") {
    const body = upstreamErrorBody(error.error);
    const status = error.status;
    // Only an error about the request itself is the customer's: a policy block, or a field the
    // upstream names. Everything else is the channel's problem and moves on to the next one
    // (401/403/404 mean our channel is misconfigured; a 400 "billing_hard_limit_reached" is our
    // upstream account's): never show a customer that as theirs.
    const aboutTheRequest = isPolicyBlock(body) || body?.param != null ||
      REQUEST_ERROR_CODES.has(String(body?.code));
    const refused = (status === 400 || status === 422) && aboutTheRequest;
    return new UpstreamError(
      refused ? "refused" : "unavailable",
      `channel ${channel.name} answered ${status}: ${error.message}`,
      status,
      body,
    );
  }
  if (error instanceof OpenAI.APIUserAbortError) {
    return new UpstreamError("unavailable", `call to channel ${channel.name} was aborted`, 499);
  }
  const timedOut = error instanceof OpenAI.APIConnectionTimeoutError;
  return new UpstreamError(
    "unavailable",
    `channel ${channel.name} ${
      timedOut ? "timed out" : `failed: ${(error as Error)?.message ?? error}`
    }`,
    timedOut ? 504 : 502,
  );
}
