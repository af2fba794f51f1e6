// Every signed-in page and the page APIs its islands call: a live session is required. A page
// asked for without one sends the browser to log in (and back here afterwards); anything else
// gets 401 in OpenAI's envelope. Posts are taken from our own origin only (Hono's CSRF check).
import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { getCookie } from "hono/cookie";
import type { AppContext, AppEnv } from "../../framework/context.ts";
import { SESSION_COOKIE, sessionAccount } from "../../services/accounts/sessions.ts";
import { ApiError } from "../../services/platform/errors.ts";

const sameOrigin = csrf({
  origin: (origin, c) =>
    origin === new URL(c.req.url).origin ||
    origin === new URL((c as AppContext).var.services.publicUrl).origin,
});

export const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = await sessionAccount(c.var.services.sql, getCookie(c, SESSION_COOKIE));
  if (!user) {
    if (c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html")) {
      const back = new URL(c.req.url);
      return c.redirect(`/account/login?next=${encodeURIComponent(back.pathname + back.search)}`);
    }
    throw new ApiError(401, "Log in to use this page.", "authentication_error", "no_session");
  }
  c.set("user", user);
  return await sameOrigin(c, next);
};
