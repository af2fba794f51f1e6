// POST /account/language (lang, back): the language switch. The choice is remembered in a cookie
// for a year; the browser goes back to the page it came from (a path on this site only).
import { setCookie } from "hono/cookie";
import type { Handlers } from "../../framework/context.ts";
import { readForm } from "../../framework/body.ts";
import { localPath } from "../../framework/local_path.ts";
import { isLocale, LOCALE_COOKIE } from "../../services/i18n/index.ts";

export const handler: Handlers = {
  async POST(c) {
    const form = await readForm(c.req.raw, 4096);
    if (isLocale(form.lang)) {
      setCookie(c, LOCALE_COOKIE, form.lang, {
        path: "/",
        sameSite: "Lax",
        httpOnly: true,
        secure: c.var.services.publicUrl.startsWith("https:"),
        maxAge: 365 * 24 * 3600,
      });
    }
    return c.redirect(localPath(form.back), 303);
  },
};
