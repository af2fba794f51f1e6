// Logging out: the session ends in the database, and its cookie is cleared.
import { deleteCookie, getCookie } from "hono/cookie";
import type { Handlers } from "../../framework/context.ts";
import { endSession, SESSION_COOKIE } from "../../services/accounts/sessions.ts";

export const handler: Handlers = {
  async POST(c) {
    await endSession(c.var.services.sql, getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  },
};
