// Logging in with email and password: a session in an HttpOnly, SameSite=Lax cookie. With the
// demo on, the page says how to log in as the demo.
import { z } from "zod";
import { setCookie } from "hono/cookie";
import type { AppContext, Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { localPath } from "../../framework/local_path.ts";
import { AuthCard } from "../../components/AuthCard.tsx";
import { verifyLogin } from "../../services/accounts.ts";
import { tFor } from "../../services/i18n/index.ts";
import { demoEnabled } from "../../services/config.ts";
import { DEMO_EMAIL, DEMO_PASSWORD } from "../../services/demo.ts";
import { SESSION_COOKIE, SESSION_LIFETIME_SECONDS, startSession } from "../../services/sessions.ts";

const loginForm = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(1024),
  /** Where to go once logged in: a path on this site (framework/local_path.ts). */
  next: z.string().optional(),
});

export const handler: Handlers = {
  async POST(c) {
    const form = loginForm.safeParse(await c.req.parseBody());
    const user = form.success
      ? await verifyLogin(c.var.services.sql, form.data.email, form.data.password)
      : null;
    if (!user) {
      return renderPage(
        c,
        ({ c }) => (
          <LoginPage
            c={c}
            email={form.success ? form.data.email : ""}
            next={form.success ? form.data.next : undefined}
            failed
          />
        ),
        401,
      );
    }
    setCookie(c, SESSION_COOKIE, await startSession(c.var.services.sql, user.id), {
      path: "/",
      httpOnly: true,
      sameSite: "Lax",
      secure: c.var.services.publicUrl.startsWith("https:"),
      maxAge: SESSION_LIFETIME_SECONDS,
    });
    return c.redirect(localPath(form.data?.next), 303);
  },
};

export default function Login({ c }: { c: AppContext }) {
  return <LoginPage c={c} email="" next={c.req.query("next")} />;
}

function LoginPage(
  { c, email, next, failed }: { c: AppContext; email: string; next?: string; failed?: boolean },
) {
  const t = tFor(c.var.locale);
  c.set("title", t("account.login.title"));
  const back = localPath(next, "");
  return (
    <AuthCard
      title={t("account.login.title")}
      lead={t("account.login.lead")}
      alert={failed ? { tone: "error", text: t("account.login.failed") } : undefined}
      footer={
        <>
          {t("account.login.noAccount")}{" "}
          <a href={back ? `/account/signup?next=${encodeURIComponent(back)}` : "/account/signup"}>
            {t("account.login.toSignup")}
          </a>
        </>
      }
    >
      <form method="post" action="/account/login" class="stacked">
        {back && <input type="hidden" name="next" value={back} />}
        <label>
          {t("account.email")}
          <input type="email" name="email" value={email} required autocomplete="username" />
        </label>
        <label>
          {t("account.password")}
          <input type="password" name="password" required autocomplete="current-password" />
        </label>
        <button type="submit" class="primary">{t("account.login.submit")}</button>
      </form>
      {demoEnabled(c.var.services.config) && (
        <p class="alert alert-info">
          {t("account.login.demo", { email: DEMO_EMAIL, password: DEMO_PASSWORD })}
        </p>
      )}
    </AuthCard>
  );
}
