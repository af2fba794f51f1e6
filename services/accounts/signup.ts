// Signing up on the pages: an email and a password make a user with an empty customer account.
//
// Attempts are limited before this runs (SIGNUP_ATTEMPTS, counted by the account forms:
// routes/account/_form.tsx). A taken email gets the same refusal as any other account that cannot
// be made, and takes as long (createUser hashes the password before it tries the insert), so the
// answer does not confirm that the address has an account.
import { AccountError, createUser, emailSchema, passwordSchema, type User } from "./users.ts";
import type { Sql } from "../platform/database.ts";

export type SignupProblem = "bad_email" | "short_password" | "long_password";

export type SignupAnswer =
  | { kind: "created"; user: User }
  | { kind: "invalid"; problems: Partial<Record<"email" | "password", SignupProblem>> }
  /** The account could not be made (the email is taken): said without saying why. */
  | { kind: "refused" };

export async function signUp(
  sql: Sql,
  input: { email: string; password: string },
): Promise<SignupAnswer> {
  const problems: Partial<Record<"email" | "password", SignupProblem>> = {};
  if (!emailSchema.safeParse(input.email.trim()).success) problems.email = "bad_email";
  const password = passwordSchema.safeParse(input.password);
  if (!password.success) {
    problems.password = password.error.issues[0].code === "too_big"
      ? "long_password"
      : "short_password";
  }
  if (problems.email || problems.password) return { kind: "invalid", problems };

  try {
    return {
      kind: "created",
      user: await createUser(sql, { email: input.email.trim(), password: input.password }),
    };
  } catch (error) {
    if (error instanceof AccountError && error.code === "email_taken") return { kind: "refused" };
    throw error;
  }
}
