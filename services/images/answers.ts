// The answer to an image call, in OpenAI's ImagesResponse shape: signed URLs to our stored copy,
// or the bytes inline. What is kept for an idempotent replay is the same answer with image ids in
// place of URLs or bytes, rendered afresh each time (so a replayed URL is signed anew).
import { Buffer } from "node:buffer";
import type { ImageStore } from "./store.ts";
import type { UrlSigner } from "./signed_urls.ts";

/** OpenAI's ImagesResponse. */
export interface ImagesResponseBody {
  created: number;
  data: { url?: string; b64_json?: string; revised_prompt?: string }[];
  background?: string;
  output_format?: string;
  quality?: string;
  size?: string;
  usage?: Record<string, unknown>;
}

/** What is kept for an idempotent replay: the answer with image ids in place of bytes or URLs. */
export interface StoredAnswer {
  created: number;
  responseFormat: "url" | "b64_json";
  images: { id: string; storageKey: string; revisedPrompt?: string }[];
  fields: Omit<ImagesResponseBody, "created" | "data">;
}

/** Builds the ImagesResponse: signed URLs, or the bytes inline. */
export async function renderAnswer(
  s: { signer: UrlSigner; store: ImageStore; publicUrl: string },
  answer: StoredAnswer,
  inMemory?: { id: string; bytes: Uint8Array }[],
): Promise<ImagesResponseBody> {
  const data = await Promise.all(answer.images.map(async (image) => {
    const item: ImagesResponseBody["data"][number] = {};
    if (answer.responseFormat === "url") {
      item.url = s.signer.sign(s.publicUrl, imagePath(image.id, answer.fields.output_format));
    } else {
      const bytes = inMemory?.find((m) => m.id === image.id)?.bytes ??
        await s.store.get(image.storageKey);
      if (!bytes) throw new Error(`stored image ${image.id} is missing`);
      item.b64_json = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
        "base64",
      );
    }
    if (image.revisedPrompt) item.revised_prompt = image.revisedPrompt;
    return item;
  }));
  return { created: answer.created, data, ...answer.fields };
}

/** The public path of a stored image: /images/<id>.<format>. */
export function imagePath(id: string, format = "png"): string {
  return `/images/${id}.${format}`;
}
