// The home page: what Tokensmart is and how to make the first call; signed in, where to start.
import type { AppContext } from "../../framework/context.ts";
import { Island } from "../../components/Island.tsx";
import CopyButton from "../../islands/CopyButton.tsx";
import { ImagesIcon, KeyIcon, PriceIcon } from "../../components/icons.tsx";
import { balanceOf } from "../../services/billing/ledger.ts";
import { displayBalance, type Micros } from "../../services/billing/money.ts";
import { pick, tFor } from "../../services/i18n/index.ts";

export default async function Home({ c }: { c: AppContext }) {
  const t = tFor(c.var.locale);
  const base = `${c.var.services.publicUrl}/v1`;
  const curl = `curl ${base}/images/generations \\
  -H "Authorization: Bearer pk_live_..." \\
  -H "Content-Type: application/json" \\
  -d '{"model":"gpt-image-2","prompt":"A cozy cabin in a snowy forest at dusk","size":"1024x1024"}'`;
  const visitor = c.var.visitor;
  const balance = visitor && (await balanceOf(c.var.services.sql, visitor.accountId)).available;
  return (
    <>
      {balance === null ? <Hero c={c} /> : <Welcome c={c} balance={balance} />}
      <section class="quickstart" aria-labelledby="quickstart">
        <h2 id="quickstart">{t("home.quickstart")}</h2>
        <p class="muted">
          {t("home.quickstart.lead")} <code>{base}</code>
        </p>
        <pre>
          <code>{curl}</code>
          <Island
            of={CopyButton}
            props={{ text: curl, labels: pick(c.var.locale, ["copy.copy", "copy.copied"]) }}
          />
        </pre>
      </section>
    </>
  );
}

function Hero({ c }: { c: AppContext }) {
  const t = tFor(c.var.locale);
  const points = [
    ["home.perCall.title", "home.perCall.body"],
    ["home.compatible.title", "home.compatible.body"],
    ["home.page.title", "home.page.body"],
  ] as const;
  return (
    <>
      <section class="hero">
        <h1>{t("home.title")}</h1>
        <p class="lead">{t("home.lead")}</p>
        <p class="actions">
          <a href="/account/signup" class="button primary large">{t("home.cta.signup")}</a>
          <a href="/pricing" class="button large">{t("home.cta.pricing")}</a>
        </p>
      </section>
      <ul class="points">
        {points.map(([title, body]) => (
          <li class="card">
            <h2>{t(title)}</h2>
            <p class="muted">{t(body)}</p>
          </li>
        ))}
      </ul>
    </>
  );
}

function Welcome({ c, balance }: { c: AppContext; balance: Micros }) {
  const t = tFor(c.var.locale);
  const next = [
    { href: "/images", title: "home.next.images", body: "home.next.images.body", Icon: ImagesIcon },
    { href: "/keys", title: "home.next.keys", body: "home.next.keys.body", Icon: KeyIcon },
    {
      href: "/pricing",
      title: "home.next.pricing",
      body: "home.next.pricing.body",
      Icon: PriceIcon,
    },
  ] as const;
  return (
    <>
      <header class="page-head">
        <h1>{t("home.welcome")}</h1>
        <p class="muted">
          {t("home.welcome.balance", { balance: displayBalance(balance) })}{" "}
          {balance === 0n && t("home.welcome.empty")}
        </p>
      </header>
      <ul class="next-steps">
        {next.map(({ href, title, body, Icon }) => (
          <li>
            <a href={href} class="card link-card">
              <Icon />
              <strong>{t(title)}</strong>
              <span class="muted">{t(body)}</span>
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}
