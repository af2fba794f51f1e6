// A generation's images as one ZIP, streamed: the images are read from the store one at a time
// and written into the archive as the browser takes it, so a large batch never sits whole in the
// server's memory (at most one image and zip.js's buffers).
import { Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import type { Db } from "../platform/database.ts";
import type { ImageStore } from "./store.ts";

export interface GenerationZip {
  fileName: string;
  body: ReadableStream<Uint8Array>;
}

/** The ZIP of one of the account's generations, or null when it has none (or is not theirs). */
export async function generationZip(
  db: Db,
  store: ImageStore,
  userId: bigint,
  requestId: string,
): Promise<GenerationZip | null> {
  const images = await db<
    { id: string; position: number; format: string; storageKey: string; createdAt: Date }[]
  >`
    select id, position, output_format as format, storage_key as "storageKey",
      created_at as "createdAt"
    from images where request_id = ${requestId} and user_id = ${userId} order by position`;
  if (images.length === 0) return null;

  const output = new TransformStream<Uint8Array, Uint8Array>();
  const out = output.writable.getWriter();
  // zip.js writes here; each write waits until the browser has taken the previous chunk.
  const sink = new WritableStream<Uint8Array>({
    write: (chunk) => out.write(chunk),
    close: () => out.close(),
  });
  // Already compressed images gain nothing from deflate: stored as they are.
  const zip = new ZipWriter(sink, { level: 0, useWebWorkers: false });
  (async () => {
    for (const image of images) {
      const bytes = await store.get(image.storageKey);
      if (!bytes) throw new Error(`stored image ${image.id} is missing`);
      await zip.add(`image-${image.position + 1}.${image.format}`, new Uint8ArrayReader(bytes), {
        lastModDate: image.createdAt,
      });
    }
    await zip.close();
  })().catch(async (error) => {
    // The browser went away (its stream was cancelled), or an image could not be read: end the
    // download as failed rather than hand out a ZIP missing a file.
    console.warn(`zip of ${requestId} ended: ${error?.message ?? error}`);
    await out.abort(error).catch(() => {});
  });
  return { fileName: `tokensmart-${requestId}.zip`, body: output.readable };
}
