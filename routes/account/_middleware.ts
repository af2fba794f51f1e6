// The account forms (log in, log out) take posts from our own pages only: a form another site
// posts is refused with 403 (Hono's CSRF check: Origin or Sec-Fetch-Site must say it is ours).
import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import type { AppContext, AppEnv } from "../../framework/context.ts";

export const middleware: MiddlewareHandler<AppEnv> = csrf({
  origin: (origin, c) =>
    origin === new URL(c.req.url).origin ||
    origin === new URL((c as AppContext).var.services.publicUrl).origin,
});
