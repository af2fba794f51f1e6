// Browser sessions: who is logged in on the pages. A session is a random token in an HttpOnly,
// SameSite=Lax cookie; the database keeps only its SHA-256 and its expiry. Forms that change a
// session are also checked for their origin (routes/account/_middleware.ts).
import type { Db } from "../platform/database.ts";
import type { Caller } from "./api_keys.ts";
import { sha256 } from "../platform/sha256.ts";

export const SESSION_COOKIE = "tokensmart_session";
export const SESSION_LIFETIME_SECONDS = 14 * 24 * 3600;

/** 32 random bytes, base64url: what a session cookie holds. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Starts a session for `userId`; returns the token for the cookie (never stored as such). */
export async function startSession(db: Db, userId: bigint): Promise<string> {
  const token = crypto.getRandomValues(new Uint8Array(32)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
  await db`insert into sessions (token_hash, user_id, expires_at)
           values (${sha256(token)}, ${userId},
                   now() + ${SESSION_LIFETIME_SECONDS} * interval '1 second')`;
  return token;
}

/** The user whose live session `token` is, or null. */
export async function sessionUser(db: Db, token: string | undefined): Promise<bigint | null> {
  if (!token || !TOKEN_SHAPE.test(token)) return null;
  const [row] = await db<{ userId: bigint }[]>`
    select user_id as "userId" from sessions
    where token_hash = ${sha256(token)} and expires_at > now()`;
  return row?.userId ?? null;
}

/** Who is logged in with `token`: the user and the ledger account their money lives in. */
export interface SessionUser {
  id: bigint;
  email: string;
  accountId: bigint;
}

/** The caller of a generation made on the dashboard: the account's own money, no key (so no
 *  key's spend limit), logged with no key. */
export function sessionCaller(user: SessionUser): Caller {
  return { userId: user.id, accountId: user.accountId, apiKeyId: null, keyHasSpendLimit: false };
}

/** The user whose live session `token` is, with their account, or null. */
export async function sessionAccount(
  db: Db,
  token: string | undefined,
): Promise<SessionUser | null> {
  if (!token || !TOKEN_SHAPE.test(token)) return null;
  const [row] = await db<SessionUser[]>`
    select u.id, u.email, a.id as "accountId"
    from sessions s join users u on u.id = s.user_id join ledger_accounts a on a.user_id = u.id
    where s.token_hash = ${sha256(token)} and s.expires_at > now()`;
  return row ?? null;
}

/** Ends the session of `token`, if any. */
export async function endSession(db: Db, token: string | undefined): Promise<void> {
  if (!token || !TOKEN_SHAPE.test(token)) return;
  await db`delete from sessions where token_hash = ${sha256(token)}`;
}

/** Deletes expired sessions (they open nothing already); main.ts runs it hourly. */
export async function purgeExpiredSessions(db: Db): Promise<void> {
  await db`delete from sessions where expires_at <= now()`;
}
