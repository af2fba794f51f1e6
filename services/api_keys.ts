// API keys: "pk_live_" + 40 random base62 characters. Only a SHA-256 of the key is stored; the
// key itself is shown once, when it is made. The first 16 characters stay visible as its prefix.
import type { Db } from "./database.ts";
import { ApiError } from "./errors.ts";
import type { Micros } from "./money.ts";
import { sha256 } from "./sha256.ts";

const KEY_PREFIX = "pk_live_";
const RANDOM_LENGTH = 40;
const VISIBLE_LENGTH = KEY_PREFIX.length + 8;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_SHAPE = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH}}$`);

export interface ApiKey {
  id: bigint;
  userId: bigint;
  prefix: string;
  name: string;
  spendLimit: Micros | null;
  spent: Micros;
  held: Micros;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Who a request is from, once its key checks out. */
export interface Caller {
  apiKeyId: bigint;
  userId: bigint;
  accountId: bigint;
  /** Calls on this key count against its spend limit. */
  keyHasSpendLimit: boolean;
}

export async function createApiKey(
  db: Db,
  input: { userId: bigint; name?: string; spendLimit?: Micros | null },
): Promise<{ key: string; apiKey: ApiKey }> {
  const key = KEY_PREFIX + randomBase62(RANDOM_LENGTH);
  const [apiKey] = await db<ApiKey[]>`
    insert into api_keys (user_id, prefix, key_hash, name, spend_limit)
    values (${input.userId}, ${key.slice(0, VISIBLE_LENGTH)}, ${sha256(key)},
            ${input.name ?? ""}, ${input.spendLimit ?? null})
    returning ${columns(db)}`;
  return { key, apiKey };
}

export async function listApiKeys(db: Db, userId: bigint): Promise<ApiKey[]> {
  return await db<ApiKey[]>`select ${
    columns(db)
  } from api_keys where user_id = ${userId} order by id`;
}

/** Keys whose full key or visible prefix matches; a full key matches one key at most. */
export async function findApiKeys(db: Db, keyOrPrefix: string): Promise<ApiKey[]> {
  if (KEY_SHAPE.test(keyOrPrefix)) {
    return await db<ApiKey[]>`select ${columns(db)} from api_keys where key_hash = ${
      sha256(
        keyOrPrefix,
      )
    }`;
  }
  return await db<ApiKey[]>`select ${
    columns(db)
  } from api_keys where prefix = ${keyOrPrefix} order by id`;
}

/** Revokes a key; true when this call revoked it, false when it was revoked already. */
export async function revokeApiKey(db: Db, id: bigint): Promise<boolean> {
  const rows =
    await db`update api_keys set revoked_at = now() where id = ${id} and revoked_at is null returning id`;
  return rows.length > 0;
}

/** Checks an Authorization header the way OpenAI does; throws ApiError 401 otherwise. */
export async function authenticate(db: Db, authorization: string | undefined): Promise<Caller> {
  if (!authorization || !authorization.trim()) {
    throw ApiError.invalidApiKey(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match) {
    throw ApiError.invalidApiKey(
      "The Authorization header must read 'Bearer YOUR_KEY'.",
    );
  }
  const key = match[1];
  const incorrect = () => ApiError.invalidApiKey(`Incorrect API key provided: ${redact(key)}.`);
  if (!KEY_SHAPE.test(key)) throw incorrect();
  const [row] = await db<(Caller & { revoked: boolean })[]>`
    select k.id as "apiKeyId", k.user_id as "userId", a.id as "accountId",
      k.spend_limit is not null as "keyHasSpendLimit", k.revoked_at is not null as revoked
    from api_keys k join ledger_accounts a on a.user_id = k.user_id
    where k.key_hash = ${sha256(key)}`;
  if (!row) throw incorrect();
  if (row.revoked) throw ApiError.invalidApiKey(`This API key has been revoked: ${redact(key)}.`);
  await touchLastUsed(db, row.apiKeyId);
  return {
    apiKeyId: row.apiKeyId,
    userId: row.userId,
    accountId: row.accountId,
    keyHasSpendLimit: row.keyHasSpendLimit,
  };
}

// Last-used is for people, not accounting: one write a minute per key and process at most.
const lastTouched = new Map<bigint, number>();
async function touchLastUsed(db: Db, apiKeyId: bigint) {
  const now = Date.now();
  if (now - (lastTouched.get(apiKeyId) ?? 0) < 60_000) return;
  lastTouched.set(apiKeyId, now);
  if (lastTouched.size > 100_000) lastTouched.clear();
  await db`update api_keys set last_used_at = now()
           where id = ${apiKeyId} and (last_used_at is null or last_used_at < now() - interval '1 minute')`;
}

function redact(key: string): string {
  const clean = key.replace(/[^\x20-\x7e]/g, "?");
  return clean.length <= 12
    ? "*".repeat(clean.length)
    : `${clean.slice(0, 8)}${"*".repeat(8)}${clean.slice(-4)}`;
}

function randomBase62(length: number): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function columns(db: Db) {
  return db.unsafe(`id, user_id as "userId", prefix, name, spend_limit as "spendLimit", spent, held,
    created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"`);
}
