import assert from "node:assert/strict";
import { csvText } from "./csv.ts";

Deno.test("CSV: RFC 4180 quoting and CRLF; formula-like text defused, numbers kept", () => {
  const text = csvText([
    ["note", "amount"],
    ['say "hi", then\nleave', -1n],
    ['=HYPERLINK("http://evil")', "-0.000001"],
    ["+1 555", "@SUM(A1)"],
    [null, 12.5],
  ]);
  assert.equal(
    text,
    'note,amount\r\n"say ""hi"", then\nleave",-1\r\n"\'=HYPERLINK(""http://evil"")",-0.000001\r\n' +
      "'+1 555,'@SUM(A1)\r\n,12.5\r\n",
  );
});
