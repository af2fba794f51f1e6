// One invoice as a document: who, which period, the summary that reconciles the balances, the
// charges line by line and the top-ups and refunds. On screen inside the dashboard; printed (or
// saved as a PDF from the print dialog) alone on an A4 page, the frame hidden by styles.css.
import type { Locale } from "../services/i18n/index.ts";
import { tFor } from "../services/i18n/index.ts";
import { count, dateTime, monthName } from "../services/i18n/time.ts";
import { displayUsd, formatUsd, type Micros } from "../services/billing/money.ts";
import { type Invoice, monthStart, nextMonth } from "../services/billing/invoices.ts";
import type { ChargeLine } from "../services/billing/invoice_items.ts";
import { LogoMark } from "./icons.tsx";

export function InvoiceDocument(
  { invoice, locale, email }: { invoice: Invoice; locale: Locale; email: string },
) {
  const t = tFor(locale);
  const { totals, period } = invoice;
  return (
    <article class="invoice" aria-labelledby="invoice-title">
      <header class="invoice-head">
        <div class="invoice-brand">
          <LogoMark />
          <span>{t("site.name")}</span>
        </div>
        <div>
          <h1 id="invoice-title">
            {t("invoice.title", { month: monthName(locale, invoice.month) })}
          </h1>
          {invoice.status === "draft" && (
            <span class="badge accent">{t("invoices.status.draft")}</span>
          )}
        </div>
        <dl class="invoice-facts">
          <dt>{t("invoice.number")}</dt>
          <dd class="invoice-number">{invoice.number ?? t("invoice.unnumbered")}</dd>
          <dt>{t("invoice.period")}</dt>
          <dd>{periodText(locale, invoice)}</dd>
          {period.closedAt && (
            <>
              <dt>{t("invoice.closedAt")}</dt>
              <dd>{dateTime(locale, period.closedAt)}</dd>
            </>
          )}
          <dt>{t("invoice.billedTo")}</dt>
          <dd>{email}</dd>
        </dl>
      </header>
      {invoice.status === "draft" && <p class="invoice-note">{t("invoice.draftNote")}</p>}

      <section aria-labelledby="invoice-summary">
        <h2 id="invoice-summary">{t("invoice.summary")}</h2>
        <table class="invoice-table invoice-summary">
          <tbody>
            <Row label={t("invoice.opening")} amount={totals.openingBalance} />
            <Row label={t("invoice.topUps")} amount={totals.topUps} sign="+" />
            <Row label={t("invoice.refunds")} amount={totals.refunds} sign="+" />
            <Row label={t("invoice.charges")} amount={totals.charges} sign="−" />
            <Row label={t("invoice.closing")} amount={totals.closingBalance} strong />
          </tbody>
        </table>
      </section>

      <section aria-labelledby="invoice-lines">
        <h2 id="invoice-lines">{t("invoice.lines")}</h2>
        {invoice.lines.length === 0
          ? <p class="muted">{t("invoice.noCharges")}</p>
          : (
            <table class="invoice-table invoice-lines">
              <thead>
                <tr>
                  <th scope="col">{t("invoice.col.item")}</th>
                  <th scope="col" class="num">{t("invoice.col.quantity")}</th>
                  <th scope="col" class="num">{t("invoice.col.unitPrice")}</th>
                  <th scope="col" class="num">{t("invoice.col.amount")}</th>
                </tr>
              </thead>
              <tbody>
                {invoice.lines.map((line, i) => <LineRow key={i} line={line} locale={locale} />)}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={3}>{t("invoice.total")}</th>
                  <td class="num">
                    <Money amount={totals.charges} />
                  </td>
                </tr>
              </tfoot>
            </table>
          )}
      </section>

      <section aria-labelledby="invoice-credits">
        <h2 id="invoice-credits">{t("invoice.credits")}</h2>
        {invoice.credits.length === 0
          ? <p class="muted">{t("invoice.noCredits")}</p>
          : (
            <table class="invoice-table invoice-credits">
              <thead>
                <tr>
                  <th scope="col">{t("invoice.col.date")}</th>
                  <th scope="col">{t("invoice.col.description")}</th>
                  <th scope="col" class="num">{t("invoice.col.amount")}</th>
                </tr>
              </thead>
              <tbody>
                {invoice.credits.map((credit) => (
                  <tr>
                    <td>{dateTime(locale, credit.at)}</td>
                    <td>
                      {t(credit.kind === "topup" ? "invoice.topup" : "invoice.refund")}
                      {credit.requestId && <code class="request-id">{credit.requestId}</code>}
                      {credit.note && <span class="muted">· {credit.note}</span>}
                    </td>
                    <td class="num">
                      <Money amount={credit.amount} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      <p class="invoice-note muted small">{t("invoice.reconcile")}</p>
    </article>
  );
}

function Row(
  { label, amount, sign, strong }: {
    label: string;
    amount: Micros;
    sign?: string;
    strong?: boolean;
  },
) {
  return (
    <tr class={strong ? "total" : undefined}>
      <th scope="row">{label}</th>
      <td class="num">
        {sign && <span class="sign" aria-hidden="true">{sign}</span>}
        <Money amount={amount} />
      </td>
    </tr>
  );
}

/** An amount exact to the micro-dollar, its machine value beside it. */
export function Money({ amount }: { amount: Micros }) {
  return <data value={formatUsd(amount)}>{displayUsd(amount)}</data>;
}

function LineRow({ line, locale }: { line: ChargeLine; locale: Locale }) {
  const t = tFor(locale);
  const [item, unit] = line.kind === "image"
    ? [
      t("invoice.image", {
        size: line.size ?? "",
        quality: line.quality && ["low", "medium", "high"].includes(line.quality)
          ? t(`invoice.quality.${line.quality as "low" | "medium" | "high"}`)
          : line.quality ?? "",
      }),
      line.unitPrice === null ? "" : t("invoice.per.image", { price: displayUsd(line.unitPrice) }),
    ]
    : line.kind === "text"
    ? [
      t(`invoice.token.${line.tokenKind!}`),
      t("invoice.per.mtok", { price: displayUsd(line.unitPrice!) }),
    ]
    : [t(`invoice.${line.kind as "rounding" | "capped" | "other"}`), ""];
  return (
    <tr>
      <td>
        <span class="line-item">
          {line.model && <code class="model">{line.model}</code>}
          <span>{item}</span>
        </span>
      </td>
      <td class="num">{count(locale, line.quantity)}</td>
      <td class="num">{unit}</td>
      <td class="num">
        <Money amount={line.amount} />
      </td>
    </tr>
  );
}

/** "November 2026 (UTC)", or the exact bounds of a period a close cut short. */
function periodText(locale: Locale, invoice: Invoice): string {
  const { startsAt, endsAt } = invoice.period;
  const whole = startsAt.getTime() === monthStart(invoice.month).getTime() &&
    endsAt.getTime() === monthStart(nextMonth(invoice.month)).getTime();
  return whole
    ? `${monthName(locale, invoice.month)} (UTC)`
    : `${dateTime(locale, startsAt)} – ${dateTime(locale, endsAt)}`;
}
