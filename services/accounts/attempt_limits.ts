// Attempt limits of the account forms (log in, sign up): every attempt
// counts against the client's address and, when the form names one, the email it is for
// (services/accounts/rate_limits.ts keeps the counts). They are counted before any password is hashed,
// so they also bound the hashing a single client can make us do.
import type { Db } from "../platform/database.ts";
import { hitAll, type RateDecision, type RateLimit } from "./rate_limits.ts";

export interface AttemptRules {
  perIp: RateLimit;
  /** Absent for forms where the email is not worth a count of its own. */
  perEmail?: RateLimit;
}

export const LOGIN_ATTEMPTS: AttemptRules = {
  // Lenient: an office or a mobile carrier puts many people behind one address, and people log
  // in rarely (a session lasts 14 days). 30 a minute is still under a second of hashing a minute.
  perIp: { bucket: "login:ip", limit: 30, windowSeconds: 60 },
  // Strict: this is what stops guessing one account's password (at most 40 guesses an hour),
  // while its owner can mistype ten times. A stranger can make the owner wait 15 minutes at most.
  perEmail: { bucket: "login:email", limit: 10, windowSeconds: 15 * 60 },
};

export const SIGNUP_ATTEMPTS: AttemptRules = {
  // A household or an office signs up a few people an hour, not more; refusals count too, so a
  // burst can neither make accounts in bulk nor probe which emails exist.
  perIp: { bucket: "signup:ip", limit: 10, windowSeconds: 3600 },
  perEmail: { bucket: "signup:email", limit: 5, windowSeconds: 3600 },
};

/** Counts one attempt from `ip` (for `email`, if given) and says whether it may go on. */
export async function countAttempt(
  db: Db,
  rules: AttemptRules,
  who: { ip: string; email?: string },
): Promise<RateDecision> {
  const checks = [{ rule: rules.perIp, subject: who.ip }];
  const email = who.email?.trim().toLowerCase();
  if (rules.perEmail && email) checks.push({ rule: rules.perEmail, subject: email });
  return await hitAll(db, checks);
}
