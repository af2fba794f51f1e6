// Signing up: email and password; a new account starts empty and is logged in at once
// (services/accounts/signup.ts decides; this page says it in the visitor's language).
import type { AppContext, Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { z } from "zod";
import { localPath } from "../../framework/local_path.ts";
import { type Alert, AuthCard } from "../../components/AuthCard.tsx";
import { FieldError } from "../../components/FieldError.tsx";
import { signUp, type SignupAnswer } from "../../services/accounts/signup.ts";
import { type MessageKey, tFor } from "../../services/i18n/index.ts";
import { logIn } from "./_session_cookie.ts";
import { handleAccountForm } from "./_form.tsx";
import { SIGNUP_ATTEMPTS } from "../../services/accounts/attempt_limits.ts";

const PROBLEM_MESSAGES = {
  bad_email: "account.signup.badEmail",
  short_password: "account.signup.shortPassword",
  long_password: "account.signup.longPassword",
} as const satisfies Record<string, MessageKey>;

const signupForm = z.object({
  email: z.string().max(1024).default(""),
  password: z.string().max(4096).default(""),
  /** Where to go once signed up: a path on this site (framework/local_path.ts). */
  next: z.string().optional(),
});

export const handler: Handlers = {
  POST: (c) =>
    handleAccountForm(c, {
      schema: signupForm,
      rules: SIGNUP_ATTEMPTS,
      page: (error) => (
        <SignupPage c={c} email="" next="" alert={{ tone: "notice", text: error }} />
      ),
      async work(form) {
        const input = { email: form?.email ?? "", next: localPath(form?.next, "") };
        const answer = await signUp(c.var.services.sql, {
          email: input.email,
          password: form?.password ?? "",
        });
        if (answer.kind === "created") {
          await logIn(c, answer.user.id);
          return c.redirect(input.next || "/", 303);
        }
        return renderPage(c, ({ c }) => <SignupPage c={c} {...input} answer={answer} />, 400);
      },
    }),
};

export default function Signup({ c }: { c: AppContext }) {
  return <SignupPage c={c} email="" next={localPath(c.req.query("next"), "")} />;
}

function SignupPage(
  { c, email, next, answer, alert: refusal }: {
    c: AppContext;
    email: string;
    next: string;
    answer?: Exclude<SignupAnswer, { kind: "created" }>;
    /** The account forms' own refusal (too many attempts, too large, busy). */
    alert?: Alert;
  },
) {
  const t = tFor(c.var.locale);
  c.set("title", t("account.signup.title"));
  const problems = answer?.kind === "invalid" ? answer.problems : {};
  const alert: Alert | undefined = answer?.kind === "refused"
    ? { tone: "error", text: t("account.signup.refused") }
    : refusal;
  return (
    <AuthCard
      title={t("account.signup.title")}
      lead={t("account.signup.lead")}
      alert={alert}
      footer={
        <>
          {t("account.signup.haveAccount")}{" "}
          <a href={next ? `/account/login?next=${encodeURIComponent(next)}` : "/account/login"}>
            {t("account.signup.toLogin")}
          </a>
        </>
      }
    >
      <form method="post" action="/account/signup" class="stacked">
        {next && <input type="hidden" name="next" value={next} />}
        <label>
          {t("account.email")}
          <input
            type="email"
            name="email"
            value={email}
            required
            maxlength={254}
            autocomplete="email"
            aria-invalid={problems.email ? "true" : undefined}
            aria-describedby={problems.email ? "email-problem" : undefined}
          />
        </label>
        <FieldError
          id="email-problem"
          text={problems.email && t(PROBLEM_MESSAGES[problems.email])}
        />
        <label>
          {t("account.password")}
          <input
            type="password"
            name="password"
            required
            minlength={8}
            autocomplete="new-password"
            aria-invalid={problems.password ? "true" : undefined}
            aria-describedby={problems.password ? "password-problem" : "password-hint"}
          />
        </label>
        {problems.password
          ? (
            <FieldError
              id="password-problem"
              text={t(PROBLEM_MESSAGES[problems.password])}
            />
          )
          : <p id="password-hint" class="hint">{t("account.signup.passwordHint")}</p>}
        <button type="submit" class="primary">{t("account.signup.submit")}</button>
      </form>
    </AuthCard>
  );
}
