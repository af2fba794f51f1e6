// Logging in with email and password: a session in an HttpOnly, SameSite=Lax cookie.
import { z } from "zod";
import { setCookie } from "hono/cookie";
import type { AppContext, Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { Layout } from "../../components/Layout.tsx";
import { verifyLogin } from "../../services/accounts.ts";
import { SESSION_COOKIE, SESSION_LIFETIME_SECONDS, startSession } from "../../services/sessions.ts";

const loginForm = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(1024),
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
        () => (
          <LoginPage
            email={form.success ? form.data.email : ""}
            error="That email and password do not match an account."
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
    return c.redirect("/", 303);
  },
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
