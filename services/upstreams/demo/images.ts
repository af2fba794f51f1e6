// The built-in offline upstream: paints a real image locally (the requested size and format, n
// distinct images, the same ones for the same prompt) after a short, realistic delay, and
// refuses prompts on its small word list exactly as OpenAI does. No keys, no network.
import { paint } from "./painter.ts";
import { demoPolicyViolation } from "./policy.ts";
import {
  type ImageUpstream,
  UpstreamError,
  type UpstreamImageRequest,
  type UpstreamImageResult,
} from "../types.ts";

export class DemoImageUpstream implements ImageUpstream {
  constructor(private readonly delayMs: number) {}

  async generate(request: UpstreamImageRequest, signal: AbortSignal): Promise<UpstreamImageResult> {
    await sleep(this.delayMs, signal);
    const categories = demoPolicyViolation(request.prompt);
    if (categories) {
      const flagged = `demo policy check flagged the prompt (${categories.join(", ")})`;
      throw new UpstreamError("refused", flagged, 400, {
        message:
          "Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID.",
        type: "image_generation_user_error",
        param: null,
        code: "moderation_blocked",
      });
    }
    const size = request.size === "auto" ? autoSize(request.prompt) : request.size;
    const [width, height] = size.split("x").map(Number);
    const background = request.background === "transparent" ? "transparent" : "opaque";
    const images = await paint({
      prompt: request.prompt,
      width,
      height,
      format: request.outputFormat,
      background,
      compression: request.outputCompression,
      n: request.n,
    });
    return {
      images: images.map((bytes) => ({ bytes })),
      size,
      quality: request.quality === "auto" ? "medium" : request.quality,
      background,
      outputFormat: request.outputFormat,
    };
  }
}

/** What "auto" picks, as a real model would from the description. */
function autoSize(prompt: string): string {
  if (/\b(portrait|poster|tall|vertical|phone wallpaper)\b/i.test(prompt)) return "1024x1536";
  if (/\b(landscape|panorama|panoramic|wide|banner|horizon)\b/i.test(prompt)) return "1536x1024";
  return "1024x1024";
}

/** Waits, or fails as an aborted call (499) when the caller gives up first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    return Promise.reject(new UpstreamError("unavailable", "demo call aborted", 499));
  }
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new UpstreamError("unavailable", "demo call aborted", 499));
    }, { once: true });
  });
}
