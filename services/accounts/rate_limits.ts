// Limits on attempts (log in, sign up): at most `limit` hits per subject (a client IP, an
// email) in each fixed window of `windowSeconds`. The count lives in PostgreSQL
// (migrations/0010_rate_limits.sql), so every thread and server shares it; one upsert per hit.
import type { Db } from "../platform/database.ts";

export interface RateLimit {
  /** What is limited, e.g. "login:ip". */
  bucket: string;
  limit: number;
  windowSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts one hit of `subject` and says whether it is within the limit. */
export async function hit(db: Db, rule: RateLimit, subject: string): Promise<RateDecision> {
  const [row] = await db<{ hits: number; retryAfter: number }[]>`
    insert into rate_limit_windows as w (bucket, subject, window_start, hits)
    values (${rule.bucket}, ${subject.slice(0, 320)},
            to_timestamp(floor(extract(epoch from now()) / ${rule.windowSeconds}) * ${rule.windowSeconds}),
            1)
    on conflict (bucket, subject, window_start) do update set hits = w.hits + 1
    returning hits,
      ceil(extract(epoch from w.window_start + ${rule.windowSeconds} * interval '1 second' - now()))::int
        as "retryAfter"`;
  return row.hits <= rule.limit
    ? { allowed: true }
    : { allowed: false, retryAfterSeconds: Math.max(1, row.retryAfter) };
}

/** The first refusal among several limits (each is counted), or allowed. */
export async function hitAll(
  db: Db,
  checks: { rule: RateLimit; subject: string }[],
): Promise<RateDecision> {
  const decisions = await Promise.all(checks.map(({ rule, subject }) => hit(db, rule, subject)));
  const refused = decisions.filter((d) => !d.allowed);
  if (refused.length === 0) return { allowed: true };
  return {
    allowed: false,
    retryAfterSeconds: Math.max(...refused.map((d) => d.retryAfterSeconds)),
  };
}

/** Forgets windows older than a day (no rule is longer); main.ts runs it hourly. */
export async function purgeOldRateLimitWindows(db: Db): Promise<void> {
  await db`delete from rate_limit_windows where window_start < now() - interval '1 day'`;
}
