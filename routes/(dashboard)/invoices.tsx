// GET /invoices: the account's months, newest first: drafts (the running month, and any open one
// with money moved) and closed invoices, with their totals; each opens, or downloads as CSV.
import type { AppContext } from "../../framework/context.ts";
import { listInvoices } from "../../services/billing/invoices.ts";
import { tFor } from "../../services/i18n/index.ts";
import { monthName } from "../../services/i18n/time.ts";
import { Money } from "../../components/InvoiceDocument.tsx";

export default async function Invoices({ c }: { c: AppContext }) {
  const t = tFor(c.var.locale);
  c.set("title", t("invoices.title"));
  const invoices = await listInvoices(c.var.services.sql, c.var.user.accountId);
  return (
    <>
      <header class="page-head">
        <h1>{t("invoices.title")}</h1>
        <p class="lead">{t("invoices.lead")}</p>
      </header>
      <div class="card table-card invoices-card">
        <table class="invoices">
          <thead>
            <tr>
              <th scope="col">{t("invoices.col.month")}</th>
              <th scope="col" class="wide-only">{t("invoices.col.number")}</th>
              <th scope="col">{t("invoices.col.status")}</th>
              <th scope="col" class="num">{t("invoice.charges")}</th>
              <th scope="col" class="num wide-only">{t("invoice.closing")}</th>
              <th scope="col" class="wide-only">
                <span class="sr-only">{t("invoices.col.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invoices.map((invoice) => {
              const month = monthName(c.var.locale, invoice.month);
              return (
                <tr>
                  <th scope="row">
                    <a href={`/invoices/${invoice.month}`}>{month}</a>
                    {invoice.number && <span class="phone-only muted small">{invoice.number}</span>}
                  </th>
                  <td class="wide-only">{invoice.number ?? "—"}</td>
                  <td>
                    <span class={`badge ${invoice.status === "closed" ? "ok" : "accent"}`}>
                      {t(`invoices.status.${invoice.status}`)}
                    </span>
                  </td>
                  <td class="num">
                    <Money amount={invoice.totals.charges} />
                  </td>
                  <td class="num wide-only">
                    <Money amount={invoice.totals.closingBalance} />
                  </td>
                  <td class="row-actions wide-only">
                    <a
                      href={`/invoices/${invoice.month}`}
                      aria-label={t("invoices.viewMonth", { month })}
                    >
                      {t("invoices.view")}
                    </a>
                    <a
                      href={`/invoices/${invoice.month}.csv`}
                      download
                      aria-label={t("invoices.csvMonth", { month })}
                    >
                      CSV
                    </a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
