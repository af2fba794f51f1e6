// Starting a session for the browser: the token in an HttpOnly, SameSite=Lax cookie (Secure when
// PUBLIC_URL is https); a session the browser had before ends. Logging in and signing up both
// come here.
import { getCookie, setCookie } from "hono/cookie";
import type { AppContext } from "../../framework/context.ts";
import {
  endSession,
  SESSION_COOKIE,
  SESSION_LIFETIME_SECONDS,
  startSession,
} from "../../services/accounts/sessions.ts";

export async function logIn(c: AppContext, userId: bigint): Promise<void> {
  await endSession(c.var.services.sql, getCookie(c, SESSION_COOKIE));
  setCookie(c, SESSION_COOKIE, await startSession(c.var.services.sql, userId), {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: c.var.services.publicUrl.startsWith("https:"),
    maxAge: SESSION_LIFETIME_SECONDS,
  });
}
