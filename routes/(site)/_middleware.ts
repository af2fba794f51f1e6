// Public pages (home, pricing) look different to someone signed in: their frame is the
// dashboard's. Who that is, if anyone; nothing is required.
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../../framework/context.ts";
import { SESSION_COOKIE, sessionAccount } from "../../services/accounts/sessions.ts";

export const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("visitor", await sessionAccount(c.var.services.sql, getCookie(c, SESSION_COOKIE)));
  await next();
};
