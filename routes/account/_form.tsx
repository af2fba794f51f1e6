// What every account form (log in, sign up) does around its own work: the body is read with a
// small cap (413, so a 50 MB post is never read whole), its fields checked with zod, and the
// attempt counted against the client's address and the form's email (429 with Retry-After)
// before any password is hashed. A refusal is shown on the form's own page, in its language;
// a password hasher with too many waiting (services/accounts/password_hashing.ts) answers 503.
import type { ComponentChild } from "preact";
import type { z } from "zod";
import type { AppContext } from "../../framework/context.ts";
import { readForm } from "../../framework/body.ts";
import { clientIp } from "../../framework/client_ip.ts";
import { renderPage } from "../../framework/render.tsx";
import { ApiError } from "../../services/platform/errors.ts";
import { type AttemptRules, countAttempt } from "../../services/accounts/attempt_limits.ts";
import { HashingBusy } from "../../services/accounts/password_hashing.ts";
import { t } from "../../services/i18n/index.ts";

/** An account form is a few short fields: 8 KB is plenty, and cheap to read. */
export const ACCOUNT_FORM_MAX_BYTES = 8 * 1024;

/** How long a client is asked to wait when the password hasher is full. */
const BUSY_RETRY_SECONDS = 5;

class FormRefusal extends Error {
  constructor(readonly status: 413 | 429 | 503, message: string, readonly retryAfter?: number) {
    super(message);
  }
}

export async function handleAccountForm<T extends { email?: string }>(
  c: AppContext,
  form: {
    schema: z.ZodType<T>;
    rules: AttemptRules;
    /** The form's work, with its fields (null when they do not pass the schema). */
    work(fields: T | null): Promise<Response>;
    /** The form's page showing `error`. */
    page(error: string): ComponentChild;
  },
): Promise<Response> {
  try {
    const fields = form.schema.safeParse(await readFields(c));
    const email = fields.success ? fields.data.email : undefined;
    const decision = await countAttempt(c.var.services.sql, form.rules, { ip: clientIp(c), email });
    if (!decision.allowed) throw tooMany(c, decision.retryAfterSeconds);
    return await form.work(fields.success ? fields.data : null);
  } catch (error) {
    const refusal = error instanceof HashingBusy
      ? new FormRefusal(503, t(c.var.locale, "form.busy"), BUSY_RETRY_SECONDS)
      : error;
    if (!(refusal instanceof FormRefusal)) throw error;
    if (refusal.retryAfter) c.header("retry-after", String(refusal.retryAfter));
    return renderPage(c, () => form.page(refusal.message), refusal.status);
  }
}

async function readFields(c: AppContext): Promise<Record<string, unknown>> {
  try {
    return await readForm(c.req.raw, ACCOUNT_FORM_MAX_BYTES);
  } catch (error) {
    if (error instanceof ApiError && error.status === 413) {
      throw new FormRefusal(413, t(c.var.locale, "form.tooLarge"));
    }
    throw error;
  }
}

function tooMany(c: AppContext, seconds: number): FormRefusal {
  const message = seconds < 90
    ? t(c.var.locale, "form.tooManySeconds", { n: seconds })
    : t(c.var.locale, "form.tooManyMinutes", { n: Math.ceil(seconds / 60) });
  return new FormRefusal(429, message, seconds);
}
