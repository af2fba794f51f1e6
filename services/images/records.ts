// The records of stored images (owner, prompt, what was made, what it cost), and serving their
// bytes: by signed URL (anyone holding it, until it expires) or to their owner.
import { type Db, jsonRows } from "../platform/database.ts";
import type { RecordKind } from "../billing/group_commit.ts";
import type { ImageStore } from "./store.ts";
import { CONTENT_TYPES } from "./bytes.ts";
import type { ImageFormat } from "./request.ts";

export interface ImageFile {
  bytes: Uint8Array;
  contentType: string;
}

/** The image `id` (img_…) if it exists and, when `ownerId` is given, belongs to that user. */
export async function readImage(
  db: Db,
  store: ImageStore,
  id: string,
  ownerId?: bigint,
): Promise<ImageFile | null> {
  if (!/^img_[0-9a-f]{32}$/.test(id)) return null;
  const [row] = await db<{ storageKey: string; outputFormat: ImageFormat; userId: bigint }[]>`
    select storage_key as "storageKey", output_format as "outputFormat", user_id as "userId"
    from images where id = ${id}`;
  if (!row || (ownerId !== undefined && row.userId !== ownerId)) return null;
  const bytes = await store.get(row.storageKey);
  return bytes ? { bytes, contentType: CONTENT_TYPES[row.outputFormat] } : null;
}

export interface ImageRecord {
  id: string;
  userId: bigint;
  requestId: string;
  position: number;
  prompt: string;
  revisedPrompt: string | null;
  modelId: string;
  size: string;
  quality: string;
  background: string;
  outputFormat: string;
  bytes: number;
  storageKey: string;
  /** What this one image cost. */
  cost: bigint;
}

/** Inserts the images' records, in one statement. */
/** Images' records, as the group commit writes them with their call's settle. */
export const IMAGE_RECORDS: RecordKind<ImageRecord> = {
  name: "images",
  write: (tx, records) => recordImages(tx, records),
};

export function recordImages(db: Db, records: ImageRecord[]) {
  const rows = records.map((r) => ({
    id: r.id,
    user_id: r.userId,
    request_id: r.requestId,
    position: r.position,
    prompt: r.prompt,
    revised_prompt: r.revisedPrompt,
    model_id: r.modelId,
    size: r.size,
    quality: r.quality,
    background: r.background,
    output_format: r.outputFormat,
    bytes: r.bytes,
    storage_key: r.storageKey,
    cost: r.cost,
  }));
  return db`
    insert into images (id, user_id, request_id, position, prompt, revised_prompt, model_id, size,
      quality, background, output_format, bytes, storage_key, cost)
    select * from jsonb_to_recordset(${jsonRows(rows)}::text::jsonb) as x(id text, user_id bigint,
      request_id text, position integer, prompt text, revised_prompt text, model_id text, size text,
      quality text, background text, output_format text, bytes integer, storage_key text,
      cost bigint)`;
}
