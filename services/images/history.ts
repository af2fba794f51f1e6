// An account's generations as the Images page shows them: every call that delivered images, made
// through /v1 or on the dashboard, newest first, a page at a time. Read from the request log (what
// the call cost, how long it took) and the images' records (what was made).
import type { Db } from "../platform/database.ts";
import { ApiError } from "../platform/errors.ts";
import { imagePath } from "./answers.ts";

/** One generation (one call), JSON-ready: money in micro-dollars as a decimal string. */
export interface Generation {
  /** The call's request id. */
  id: string;
  createdAt: string;
  prompt: string;
  model: string;
  /** What was produced (the request's "auto" resolved); null when the upstream did not say. */
  size: string | null;
  quality: string | null;
  background: string;
  /** What the call was charged, in micro-dollars. */
  cost: string;
  elapsedMs: number;
  /** Made with an API key (else on the dashboard). */
  viaApi: boolean;
  images: GenerationImage[];
}

export interface GenerationImage {
  id: string;
  /** Opens for its owner's session (routes/images/[file].ts); `?download` makes it a download. */
  url: string;
  width: number;
  height: number;
}

export const HISTORY_PAGE_SIZE = 20;

/** Another account's generation answers exactly like one that does not exist. */
export function noSuchGeneration(): ApiError {
  return new ApiError(404, "No such generation.", "not_found_error", "generation_not_found");
}

interface CallRow {
  id: string;
  createdAt: Date;
  model: string;
  size: string | null;
  quality: string | null;
  cost: bigint;
  elapsedMs: number;
  viaApi: boolean;
}

const delivered = (db: Db, userId: bigint) =>
  db`r.user_id = ${userId} and r.kind = 'image' and r.status = 'ok' and r.images > 0`;

/**
 * A page of the account's generations, newest first, starting after `before` (a request id from
 * the last page) or at the newest. Null when `before` is not one of the account's calls.
 */
export async function generationPage(
  db: Db,
  userId: bigint,
  before: string | null,
  limit = HISTORY_PAGE_SIZE,
): Promise<{ generations: Generation[]; next: string | null } | null> {
  if (before !== null) {
    const [known] = await db`
      select 1 from request_log where request_id = ${before} and user_id = ${userId}`;
    if (!known) return null;
  }
  const calls = await db<CallRow[]>`
    select ${callColumns(db)} from request_log r
    where ${delivered(db, userId)} ${
    before === null ? db`` : db`and (r.created_at, r.request_id) <
      (select created_at, request_id from request_log where request_id = ${before})`
  }
    order by r.created_at desc, r.request_id desc
    limit ${limit + 1}`;
  const page = calls.slice(0, limit);
  return {
    generations: await withImages(db, userId, page),
    next: calls.length > limit ? page[page.length - 1].id : null,
  };
}

/** One of the account's generations, or null (not theirs, not delivered, or no such call). */
export async function generationOf(
  db: Db,
  userId: bigint,
  requestId: string,
): Promise<Generation | null> {
  const calls = await db<CallRow[]>`
    select ${callColumns(db)} from request_log r
    where r.request_id = ${requestId} and ${delivered(db, userId)}`;
  return (await withImages(db, userId, calls))[0] ?? null;
}

const callColumns = (db: Db) =>
  db`r.request_id as id, r.created_at as "createdAt", r.model_id as model, r.size, r.quality,
     r.cost, r.latency_ms as "elapsedMs", r.api_key_id is not null as "viaApi"`;

async function withImages(db: Db, userId: bigint, calls: CallRow[]): Promise<Generation[]> {
  if (calls.length === 0) return [];
  const images = await db<
    {
      id: string;
      requestId: string;
      prompt: string;
      size: string;
      format: string;
      background: string;
    }[]
  >`
    select id, request_id as "requestId", prompt, size, output_format as format, background
    from images where user_id = ${userId} and request_id = any(${calls.map((c) => c.id)}::text[])
    order by request_id, position`;
  const byCall = Map.groupBy(images, (image) => image.requestId);
  return calls.flatMap((call) => {
    const made = byCall.get(call.id);
    if (!made) return [];
    return [{
      id: call.id,
      createdAt: call.createdAt.toISOString(),
      prompt: made[0].prompt,
      model: call.model,
      size: call.size,
      quality: call.quality,
      background: made[0].background,
      cost: String(call.cost),
      elapsedMs: call.elapsedMs,
      viaApi: call.viaApi,
      images: made.map((image) => {
        const [width, height] = image.size.split("x").map(Number);
        return { id: image.id, url: imagePath(image.id, image.format), width, height };
      }),
    }];
  });
}
