// People who log in: an email, a password kept only as an Argon2id hash, and the customer
// ledger account their money lives in.
import { z } from "zod";
import type { Db, Sql } from "../platform/database.ts";
import { openCustomerAccount } from "../billing/ledger.ts";
import { hashPassword, verifyPassword } from "./password_hashing.ts";

export interface User {
  id: bigint;
  email: string;
  accountId: bigint;
  createdAt: Date;
}

export const emailSchema = z.email("not a valid email address").max(254).transform((e) =>
  e.toLowerCase()
);
export const passwordSchema = z.string().min(8, "at least 8 characters").max(1024);

export class AccountError extends Error {
  constructor(readonly code: "email_taken" | "invalid_input" | "unknown_user", message: string) {
    super(message);
  }
}

export async function createUser(
  sql: Sql,
  input: { email: string; password: string },
): Promise<User> {
  const email = parseOrThrow(emailSchema, input.email, "email");
  const password = parseOrThrow(passwordSchema, input.password, "password");
  const passwordHash = await hashPassword(password);
  try {
    return await sql.begin(async (tx) => {
      const [user] = await tx<{ id: bigint; email: string; createdAt: Date }[]>`
        insert into users (email, password_hash) values (${email}, ${passwordHash})
        returning id, email, created_at as "createdAt"`;
      const accountId = await openCustomerAccount(tx, user.id);
      return { ...user, accountId };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new AccountError("email_taken", `a user with email ${email} exists already`);
    }
    throw error;
  }
}

export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const [row] = await db<User[]>`
    select u.id, u.email, a.id as "accountId", u.created_at as "createdAt"
    from users u join ledger_accounts a on a.user_id = u.id
    where u.email = ${email.trim().toLowerCase()}`;
  return row ?? null;
}

export async function requireUserByEmail(db: Db, email: string): Promise<User> {
  const user = await findUserByEmail(db, email);
  if (!user) throw new AccountError("unknown_user", `no user with email ${email}`);
  return user;
}

/**
 * The user for these credentials, or null. Takes the same time for unknown emails (a dummy hash is
 * checked). Throws HashingBusy (services/accounts/password_hashing.ts) when too many checks are waiting.
 */
export async function verifyLogin(db: Db, email: string, password: string): Promise<User | null> {
  const [row] = await db<{ passwordHash: string }[]>`
    select password_hash as "passwordHash" from users where email = ${email.trim().toLowerCase()}`;
  const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
  return ok && row ? await findUserByEmail(db, email) : null;
}

const DUMMY_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AccountError("invalid_input", `${field}: ${parsed.error.issues[0].message}`);
  }
  return parsed.data;
}
