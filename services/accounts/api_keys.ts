// API keys: "pk_live_" + 40 random base62 characters. Only a SHA-256 of the key is stored; the
// key itself is shown once, when it is made. The first 16 characters stay visible as its prefix.
import type { Db, Sql } from "../platform/database.ts";
import { ApiError } from "../platform/errors.ts";
import type { Micros } from "../billing/money.ts";
import { hex, sha256 } from "../platform/sha256.ts";

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

/** Who a call is from: an API key, once it checks out, or a person logged in on the pages. */
export interface Caller {
  /** Null for a call made on the dashboard with a session (services/accounts/sessions.ts sessionCaller). */
  apiKeyId: bigint | null;
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
    const keyHash = sha256(keyOrPrefix);
    return await db<ApiKey[]>`select ${columns(db)} from api_keys where key_hash = ${keyHash}`;
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

/**
 * Revokes key `id` if `userId` owns it: "revoked" now, "already" revoked before, or null when the
 * user has no such key (someone else's key is no different from none).
 */
export async function revokeOwnApiKey(
  db: Db,
  userId: bigint,
  id: bigint,
): Promise<"revoked" | "already" | null> {
  const [row] = await db<{ revokedNow: boolean }[]>`
    with revoked as (
      update api_keys set revoked_at = now()
      where id = ${id} and user_id = ${userId} and revoked_at is null
      returning id)
    select exists (select from revoked) as "revokedNow"
    from api_keys where id = ${id} and user_id = ${userId}`;
  return row ? row.revokedNow ? "revoked" : "already" : null;
}

/**
 * Checks an Authorization header the way OpenAI does; throws ApiError 401 otherwise. With a
 * KeyCache, a key seen lately is answered from memory.
 */
export async function authenticate(
  db: Db,
  authorization: string | undefined,
  cache?: KeyCache,
): Promise<Caller> {
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
  if (!KEY_SHAPE.test(key)) {
    throw ApiError.invalidApiKey(`Incorrect API key provided: ${redact(key)}.`);
  }
  const keyHash = sha256(key);
  let row = cache?.get(keyHash);
  if (!row) {
    const changesSeen = cache?.changes ?? 0;
    row = await findCaller(db, keyHash) ?? undefined;
    if (row && !row.revoked) cache?.keep(keyHash, row, changesSeen);
  }
  if (!row) throw ApiError.invalidApiKey(`Incorrect API key provided: ${redact(key)}.`);
  if (row.revoked) throw ApiError.invalidApiKey(`This API key has been revoked: ${redact(key)}.`);
  // For people, not for the call: a key the cache knows still works while the database is away.
  await touchLastUsed(db, row.apiKeyId).catch(() => {});
  return {
    apiKeyId: row.apiKeyId,
    userId: row.userId,
    accountId: row.accountId,
    keyHasSpendLimit: row.keyHasSpendLimit,
  };
}

type KeyRow = Caller & { apiKeyId: bigint; revoked: boolean };

async function findCaller(db: Db, keyHash: Uint8Array): Promise<KeyRow | null> {
  const [row] = await db<KeyRow[]>`
    select k.id as "apiKeyId", k.user_id as "userId", a.id as "accountId",
      k.spend_limit is not null as "keyHasSpendLimit", k.revoked_at is not null as revoked
    from api_keys k join ledger_accounts a on a.user_id = k.user_id
    where k.key_hash = ${keyHash}`;
  return row ?? null;
}

/**
 * The callers of keys used lately, so a call needs no query to know who it is from. Postgres
 * announces every change to a key (migrations/0005): the key is forgotten as soon as the change
 * commits, on every server. When the announcements' connection comes back after a drop, the
 * cache starts over; and no key is kept longer than a minute in any case.
 */
export class KeyCache {
  static readonly MAX_AGE_MS = 60_000;
  /** By key hash (hex). */
  readonly #entries = new Map<string, { row: KeyRow; at: number }>();
  /** Key id → key hash, to forget a key by the id Postgres announces. */
  readonly #hashById = new Map<string, string>();
  #listening = false;
  #unlisten: (() => Promise<void>) | null = null;
  #changes = 0;

  /** Starts listening on `sql`; resolves once announcements are flowing. */
  static async start(sql: Sql): Promise<KeyCache> {
    const cache = new KeyCache();
    const { unlisten } = await sql.listen("api_key_changed", (id) => cache.#forgetKey(id), () => {
      // (Re)connected: announcements made while we were away are lost, so start over.
      cache.#clear();
      cache.#listening = true;
    });
    cache.#unlisten = unlisten;
    return cache;
  }

  /** Counts announcements (and reconnects): a row read before one may be stale, so not kept. */
  get changes(): number {
    return this.#changes;
  }

  get(keyHash: Uint8Array): KeyRow | undefined {
    const hit = this.#entries.get(hex(keyHash));
    return hit && Date.now() - hit.at < KeyCache.MAX_AGE_MS ? hit.row : undefined;
  }

  /** Keeps a row read from the database, unless a change was announced since `changesSeen`. */
  keep(keyHash: Uint8Array, row: KeyRow, changesSeen: number) {
    if (!this.#listening || changesSeen !== this.#changes) return;
    if (this.#entries.size >= 100_000) this.#clear();
    const hash = hex(keyHash);
    this.#entries.set(hash, { row, at: Date.now() });
    this.#hashById.set(String(row.apiKeyId), hash);
  }

  /** Forgets key `id` here at once (a revocation made by this server; others hear the NOTIFY). */
  forget(id: bigint) {
    this.#forgetKey(String(id));
  }

  async stop() {
    this.#listening = false;
    this.#clear();
    await this.#unlisten?.();
  }

  #forgetKey(id: string) {
    this.#changes++;
    const hash = this.#hashById.get(id);
    if (hash) this.#entries.delete(hash);
    this.#hashById.delete(id);
  }

  #clear() {
    this.#changes++;
    this.#entries.clear();
    this.#hashById.clear();
  }
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
