// An invoice as CSV (services/platform/csv.ts: RFC 4180, safe in a spreadsheet): one row per
// line, and rows for the balances and totals, each amount in USD exact to the micro-dollar
// (six places), so a program can re-add it. Column names and kinds are the same in every language.
import { csvText } from "../platform/csv.ts";
import { formatUsd } from "./money.ts";
import type { Invoice } from "./invoices.ts";

const HEADER = [
  "invoice",
  "month",
  "status",
  "kind",
  "model",
  "size",
  "quality",
  "token_kind",
  "quantity",
  "unit",
  "unit_price_usd",
  "amount_usd",
  "date",
  "reference",
  "note",
];

export function invoiceCsv(invoice: Invoice): string {
  const { totals } = invoice;
  const row = (
    kind: string,
    amount: bigint,
    fields: Partial<Record<(typeof HEADER)[number], string | bigint | null>> = {},
  ) =>
    HEADER.map((column) =>
      column === "invoice"
        ? invoice.number ?? ""
        : column === "month"
        ? invoice.month
        : column === "status"
        ? invoice.status
        : column === "kind"
        ? kind
        : column === "amount_usd"
        ? formatUsd(amount)
        : fields[column] ?? ""
    );
  return csvText([
    HEADER,
    row("opening_balance", totals.openingBalance, {
      date: invoice.period.startsAt.toISOString(),
    }),
    ...invoice.credits.map((credit) =>
      row(credit.kind, credit.amount, {
        quantity: "1",
        date: credit.at.toISOString(),
        reference: credit.requestId ?? credit.transferId,
        note: credit.note,
      })
    ),
    ...invoice.lines.map((line) =>
      row(line.kind, line.amount, {
        model: line.model,
        size: line.size,
        quality: line.quality,
        token_kind: line.tokenKind,
        quantity: line.quantity,
        unit: line.kind === "image" ? "image" : line.kind === "text" ? "1M tokens" : "call",
        unit_price_usd: line.unitPrice === null ? null : formatUsd(line.unitPrice),
      })
    ),
    row("top_ups", totals.topUps),
    row("refunds", totals.refunds),
    row("charges", totals.charges),
    row("closing_balance", totals.closingBalance, { date: invoice.period.endsAt.toISOString() }),
  ]);
}
