// Signing up: email and password; a new account starts empty and is logged in at once
// (services/accounts/signup.ts decides; this page says it in the visitor's language).
import type { AppContext, Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { readForm } from "../../framework/body.ts";
import { clientIp } from "../../framework/client_ip.ts";
import { localPath } from "../../framework/local_path.ts";
import { type Alert, AuthCard } from "../../components/AuthCard.tsx";
import { FieldError } from "../../components/FieldError.tsx";
import { signUp, type SignupAnswer } from "../../services/accounts/signup.ts";
import { type MessageKey, tFor } from "../../services/i18n/index.ts";
import { retryIn } from "../../services/i18n/time.ts";
import { logIn } from "./_session_cookie.ts";

const PROBLEM_MESSAGES = {
  bad_email: "account.signup.badEmail",
  short_password: "account.signup.shortPassword",
  long_password: "account.signup.longPassword",
} as const satisfies Record<string, MessageKey>;

export const handler: Handlers = {
  async POST(c) {
    const form = await readForm(c.req.raw, 4096);
    const input = { email: form.email ?? "", next: localPath(form.next, "") };
    const answer = await signUp(c.var.services.sql, {
      email: input.email,
      password: form.password ?? "",
      clientAddress: clientIp(c),
    });
    if (answer.kind === "created") {
      await logIn(c, answer.user.id);
      return c.redirect(input.next || "/", 303);
    }
    if (answer.kind === "limited") c.header("retry-after", String(answer.retryAfterSeconds));
    const status = answer.kind === "limited" ? 429 : 400;
    return renderPage(c, ({ c }) => <SignupPage c={c} {...input} answer={answer} />, status);
  },
};

export default function Signup({ c }: { c: AppContext }) {
  return <SignupPage c={c} email="" next={localPath(c.req.query("next"), "")} />;
}

function SignupPage(
  { c, email, next, answer }: {
    c: AppContext;
    email: string;
    next: string;
    answer?: Exclude<SignupAnswer, { kind: "created" }>;
  },
) {
  const t = tFor(c.var.locale);
  c.set("title", t("account.signup.title"));
  const problems = answer?.kind === "invalid" ? answer.problems : {};
  const alert: Alert | undefined = answer?.kind === "refused"
    ? { tone: "error", text: t("account.signup.refused") }
    : answer?.kind === "limited"
    ? {
      tone: "notice",
      text: t("account.signup.limited", { when: retryIn(c.var.locale, answer.retryAfterSeconds) }),
    }
    : undefined;
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
