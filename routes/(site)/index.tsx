// The home page: what Tokensmart is and how to make the first call; signed in, where to start.
import type { AppContext } from "../../framework/context.ts";
import { Island } from "../../components/Island.tsx";
import CopyButton from "../../islands/CopyButton.tsx";
import { ImagesIcon, KeyIcon, PriceIcon } from "../../components/icons.tsx";
import { displayBalance } from "../../services/billing/money.ts";
import { type UsageSummary, usageSummary } from "../../services/billing/usage.ts";
import { pick, tFor } from "../../services/i18n/index.ts";
import { monthName } from "../../services/i18n/time.ts";
import { UsageByModel, UsageChart } from "../../components/UsageChart.tsx";
import { Money } from "../../components/InvoiceDocument.tsx";

export default async function Home({ c }: { c: AppContext }) {
  const t = tFor(c.var.locale);
  const base = `${c.var.services.publicUrl}/v1`;
  const curl = `curl ${base}/images/generations \\
  -H "Authorization: Bearer pk_live_..." \\
  -H "Content-Type: application/json" \\
  -d '{"model":"gpt-image-2","prompt":"A cozy cabin in a snowy forest at dusk","size":"1024x1024"}'`;
  const visitor = c.var.visitor;
  const usage = visitor && await usageSummary(c.var.services.sql, visitor.accountId);
  return (
    <>
      {usage ? <Welcome c={c} usage={usage} /> : <Hero c={c} />}
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

function Welcome({ c, usage }: { c: AppContext; usage: UsageSummary }) {
  const t = tFor(c.var.locale);
  const balance = usage.available;
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
      <Usage c={c} usage={usage} />
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

/** Usage at a glance: the balance, the running month's charges so far, the last 30 days. */
function Usage({ c, usage }: { c: AppContext; usage: UsageSummary }) {
  const t = tFor(c.var.locale);
  return (
    <section class="usage" aria-labelledby="usage-title">
      <h2 id="usage-title">{t("usage.title")}</h2>
      <dl class="usage-stats">
        <div class="card">
          <dt>{t("usage.balance")}</dt>
          <dd>{displayBalance(usage.available)}</dd>
        </div>
        <div class="card">
          <dt>
            {t("usage.monthToDate")}{" "}
            <span class="muted">({monthName(c.var.locale, usage.month)})</span>
          </dt>
          <dd>
            <Money amount={usage.monthToDate} />
          </dd>
          <dd class="small">
            <a href={`/invoices/${usage.month}`}>{t("usage.seeInvoice")}</a>
          </dd>
        </div>
        <div class="card">
          <dt>{t("usage.last30")}</dt>
          <dd>
            <Money amount={usage.total} />
          </dd>
        </div>
      </dl>
      <div class="card">
        <h3>{t("usage.chart.title")}</h3>
        {usage.total === 0n && <p class="muted">{t("usage.none")}</p>}
        <UsageChart usage={usage} locale={c.var.locale} />
        {usage.byModel.length > 0 && <UsageByModel usage={usage} locale={c.var.locale} />}
      </div>
    </section>
  );
}
