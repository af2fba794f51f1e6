// Logging in with email and password: a session in an HttpOnly, SameSite=Lax cookie, replacing
// any session the browser had. Attempts are limited per client and per email (./_form.tsx).
import { z } from "zod";
import { getCookie, setCookie } from "hono/cookie";
import type { AppContext, Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { Layout } from "../../components/Layout.tsx";
import { verifyLogin } from "../../services/accounts.ts";
import { LOGIN_ATTEMPTS } from "../../services/attempt_limits.ts";
import {
  endSession,
  SESSION_COOKIE,
  SESSION_LIFETIME_SECONDS,
  startSession,
} from "../../services/sessions.ts";
import { handleAccountForm } from "./_form.tsx";

const loginForm = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(1024),
});

export const handler: Handlers = {
  POST: (c) =>
    handleAccountForm(c, {
      schema: loginForm,
      rules: LOGIN_ATTEMPTS,
      page: (error) => <LoginPage email="" error={error} />,
      async work(form) {
        const { sql, publicUrl } = c.var.services;
        const user = form ? await verifyLogin(sql, form.email, form.password) : null;
        if (!user) {
          return renderPage(
            c,
            () => (
              <LoginPage
                email={form?.email ?? ""}
                error="That email and password do not match an account."
              />
            ),
            401,
          );
        }
        // Whoever the browser was logged in as before, that session ends here.
        await endSession(sql, getCookie(c, SESSION_COOKIE));
        setCookie(c, SESSION_COOKIE, await startSession(sql, user.id), {
          path: "/",
          httpOnly: true,
          sameSite: "Lax",
          secure: publicUrl.startsWith("https:"),
          maxAge: SESSION_LIFETIME_SECONDS,
        });
        return c.redirect("/", 303);
      },
    }),
};

export default function Login(_: { c: AppContext }) {
  return <LoginPage email="" />;
}

function LoginPage({ email, error }: { email: string; error?: string }) {
  return (
    <Layout title="Log in">
      <h1>Log in</h1>
      {error && <p class="error" role="alert">{error}</p>}
      <form method="post" action="/account/login" class="stacked">
        <label>
          Email <input type="email" name="email" value={email} required autocomplete="username" />
        </label>
        <label>
          Password{" "}
          <input type="password" name="password" required autocomplete="current-password" />
        </label>
        <button type="submit">Log in</button>
      </form>
    </Layout>
  );
}
