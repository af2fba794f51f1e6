// GET /invoices/2026-11: the account's invoice for a month, printable (print CSS: the invoice
// alone on A4); GET /invoices/2026-11.csv: the same as CSV. Only the session's own account is
// ever read: another account's month, or one without an invoice, is the same 404 as any unknown
// address.
import type { AppContext, Handlers } from "../../../framework/context.ts";
import { renderPage } from "../../../framework/render.tsx";
import { type Invoice, monthSchema, readInvoice } from "../../../services/billing/invoices.ts";
import { invoiceCsv } from "../../../services/billing/invoice_csv.ts";
import { tFor } from "../../../services/i18n/index.ts";
import { monthName } from "../../../services/i18n/time.ts";
import { InvoiceDocument } from "../../../components/InvoiceDocument.tsx";
import { Island } from "../../../components/Island.tsx";
import PrintButton from "../../../islands/PrintButton.tsx";

export const handler: Handlers = {
  async GET(c) {
    const [, month, csv] = /^(.*?)(\.csv)?$/.exec(c.req.param("month") ?? "")!;
    if (!monthSchema.safeParse(month).success) return c.notFound();
    const invoice = await readInvoice(c.var.services.sql, c.var.user.accountId, month);
    if (!invoice) return c.notFound();
    if (!csv) return renderPage(c, ({ c }) => InvoicePage({ c, invoice }));
    const name = `tokensmart-invoice-${invoice.number ?? `${month}-draft`}.csv`;
    return c.body(invoiceCsv(invoice), 200, {
      "content-type": "text/csv; charset=utf-8; header=present",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "private, no-store",
    });
  },
};

function InvoicePage({ c, invoice }: { c: AppContext; invoice: Invoice }) {
  const t = tFor(c.var.locale);
  c.set("title", t("invoice.title", { month: monthName(c.var.locale, invoice.month) }));
  return (
    <>
      <nav class="invoice-actions" aria-label={t("invoices.title")}>
        <a href="/invoices">← {t("invoices.back")}</a>
        <span class="invoice-buttons">
          <a class="button" href={`/invoices/${invoice.month}.csv`} download>
            {t("invoices.csv")}
          </a>
          <Island of={PrintButton} props={{ label: t("invoice.print") }} />
        </span>
        <span class="muted small">{t("invoice.printHint")}</span>
      </nav>
      <InvoiceDocument invoice={invoice} locale={c.var.locale} email={c.var.user.email} />
    </>
  );
}
