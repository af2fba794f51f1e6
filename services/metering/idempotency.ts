// Idempotency-Key, as Stripe does it: the first request with a key runs; a retry with the same key
// and the same body gets the first answer again and is charged once; the same key with another
// body, or while the first is still running, is a 409. Only successful answers are kept: a call
// that failed can be retried under the same key.
import { type Db, jsonRows, type Sql } from "../platform/database.ts";
import { ApiError } from "../platform/errors.ts";

export type IdempotencyOutcome =
  | { kind: "first" }
  | { kind: "replay"; requestId: string; httpStatus: number; response: unknown };

const MAX_KEY_LENGTH = 255;

export async function claimIdempotencyKey(
  sql: Sql,
  input: {
    userId: bigint;
    key: string;
    requestHash: string;
    requestId: string;
    /** The longest a call may run (its hold's timeout): a claim older than this was abandoned. */
    staleAfterSeconds: number;
  },
): Promise<IdempotencyOutcome> {
  if (input.key.length === 0 || input.key.length > MAX_KEY_LENGTH) {
    throw new ApiError(
      400,
      `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`,
      "invalid_request_error",
      "invalid_value",
      "Idempotency-Key",
    );
  }
  // Keys live 24 hours; one left "in progress" by a crashed process frees itself once no call
  // could still be running under it.
  await sql`delete from idempotency_keys where user_id = ${input.userId} and key = ${input.key}
            and (created_at < now() - interval '24 hours'
                 or (state = 'in_progress'
                     and created_at < now() - ${
    input.staleAfterSeconds + 60
  }::float8 * interval '1 second'))`;
  const inserted = await sql`
    insert into idempotency_keys (user_id, key, request_hash, request_id, state)
    values (${input.userId}, ${input.key}, ${input.requestHash}, ${input.requestId}, 'in_progress')
    on conflict (user_id, key) do nothing returning key`;
  if (inserted.length) return { kind: "first" };
  const [existing] = await sql<
    {
      requestHash: string;
      requestId: string;
      state: string;
      httpStatus: number | null;
      response: unknown;
    }[]
  >`
    select request_hash as "requestHash", request_id as "requestId", state, http_status as "httpStatus", response
    from idempotency_keys where user_id = ${input.userId} and key = ${input.key}`;
  if (!existing) return await claimIdempotencyKey(sql, input); // released meanwhile: try again
  if (existing.requestHash !== input.requestHash) {
    throw new ApiError(
      409,
      "This Idempotency-Key was already used with a different request body. Use a new key for a new request.",
      "conflict_error",
      "idempotency_key_reused",
      null,
      {},
      { "x-should-retry": "false" },
    );
  }
  if (existing.state === "in_progress") {
    throw new ApiError(
      409,
      "A request with this Idempotency-Key is still in progress. Retry after it finishes.",
      "conflict_error",
      "idempotency_key_in_progress",
    );
  }
  return {
    kind: "replay",
    requestId: existing.requestId,
    httpStatus: existing.httpStatus!,
    response: existing.response,
  };
}

export interface IdempotencyCompletion {
  userId: bigint;
  key: string;
  requestId: string;
  httpStatus: number;
  response: unknown;
}

/** Keeps the answers for replays, in one statement; call in the transaction that settles the
 *  calls. Fails (SQLSTATE TS006) unless every call still holds its key's claim, so that
 *  transaction cannot commit. */
export function completeIdempotencyKeys(db: Db, completions: IdempotencyCompletion[]) {
  const rows = completions.map((c) => ({
    user_id: c.userId,
    key: c.key,
    request_id: c.requestId,
    http_status: c.httpStatus,
    response: c.response,
  }));
  return db`
    with done as (
      update idempotency_keys k set state = 'done', http_status = x.http_status, response = x.response
      from jsonb_to_recordset(${jsonRows(rows)}::text::jsonb)
        as x(user_id bigint, key text, request_id text, http_status integer, response jsonb)
      where k.user_id = x.user_id and k.key = x.key and k.request_id = x.request_id
        and k.state = 'in_progress'
      returning k.key
    )
    select idempotency_claims_kept((select count(*) from done) = ${rows.length})`;
}

/** Frees the key after a failed call, so a retry runs again. */
export async function releaseIdempotencyKey(
  db: Db,
  input: { userId: bigint; key: string; requestId: string },
): Promise<void> {
  await db`delete from idempotency_keys where user_id = ${input.userId} and key = ${input.key}
           and request_id = ${input.requestId} and state = 'in_progress'`;
}

/** Deletes keys past their 24 hours; run now and then (main.ts does, hourly). */
export async function purgeExpiredIdempotencyKeys(sql: Sql): Promise<number> {
  const purged =
    await sql`delete from idempotency_keys where created_at < now() - interval '24 hours'
                           returning key`;
  return purged.length;
}
