// Logging in with email and password: a session in an HttpOnly, SameSite=Lax cookie, replacing
// any session the browser had. Attempts are limited per client and per email (./_form.tsx). With
// the demo on, the page says how to log in as the demo.
import { z } from "zod";
import type { AppContext, Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { localPath } from "../../framework/local_path.ts";
import { type Alert, AuthCard } from "../../components/AuthCard.tsx";
import { verifyLogin } from "../../services/accounts/users.ts";
import { tFor } from "../../services/i18n/index.ts";
import { demoEnabled } from "../../services/platform/config.ts";
import { DEMO_EMAIL, DEMO_PASSWORD } from "../../services/accounts/demo_login.ts";
import { LOGIN_ATTEMPTS } from "../../services/accounts/attempt_limits.ts";
import { handleAccountForm } from "./_form.tsx";
import { logIn } from "./_session_cookie.ts";

const loginForm = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(1024),
  /** Where to go once logged in: a path on this site (framework/local_path.ts). */
  next: z.string().optional(),
});

export const handler: Handlers = {
  POST: (c) =>
    handleAccountForm(c, {
      schema: loginForm,
      rules: LOGIN_ATTEMPTS,
      page: (error) => <LoginPage c={c} email="" alert={{ tone: "notice", text: error }} />,
      async work(form) {
        const user = form ? await verifyLogin(c.var.services.sql, form.email, form.password) : null;
        if (!user) {
          const failed: Alert = { tone: "error", text: tFor(c.var.locale)("account.login.failed") };
          return renderPage(
            c,
            ({ c }) => (
              <LoginPage c={c} email={form?.email ?? ""} next={form?.next} alert={failed} />
            ),
            401,
          );
        }
        await logIn(c, user.id);
        return c.redirect(localPath(form?.next), 303);
      },
    }),
};

export default function Login({ c }: { c: AppContext }) {
  return <LoginPage c={c} email="" next={c.req.query("next")} />;
}

function LoginPage(
  { c, email, next, alert }: { c: AppContext; email: string; next?: string; alert?: Alert },
) {
  const t = tFor(c.var.locale);
  c.set("title", t("account.login.title"));
  const back = localPath(next, "");
  return (
    <AuthCard
      title={t("account.login.title")}
      lead={t("account.login.lead")}
      alert={alert}
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
