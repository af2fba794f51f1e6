// CSV as RFC 4180 has it (comma-separated, CRLF line ends, a field quoted when it holds a comma, a
// quote or a line break), written by csv-stringify, and safe to open in a spreadsheet: a text
// cell that starts like a formula (=, +, -, @, a tab or a carriage return) gets a leading
// apostrophe, so Excel and LibreOffice show it instead of running it. Plain numbers (-0.000001)
// stay numbers.
import { stringify } from "csv-stringify/sync";

export type CsvCell = string | number | bigint | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** A cell as it is written: a formula-like text defused, a number as it is. */
export function safeCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** The rows as one CSV text, the first row being the header. */
export function csvText(rows: CsvCell[][]): string {
  return stringify(rows, {
    record_delimiter: "\r\n",
    cast: { string: safeCell, bigint: (value) => String(value) },
  });
}
