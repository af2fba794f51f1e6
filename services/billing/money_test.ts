import assert from "node:assert/strict";
import { displayBalance, displayUsd, parseUsd } from "./money.ts";

Deno.test("prices and costs show exactly, to the micro-dollar, with at least the cents", () => {
  const cases: [bigint | string, string][] = [
    [0n, "$0.00"],
    [40_000n, "$0.04"],
    [7_200n, "$0.0072"],
    ["63600", "$0.0636"],
    [1n, "$0.000001"],
    [253_200n, "$0.2532"],
    [1_500_000n, "$1.50"],
    [1_234_560_000n, "$1,234.56"],
    [1_000_000_000_123n, "$1,000,000.000123"],
  ];
  for (const [micros, shown] of cases) assert.equal(displayUsd(micros), shown);
});

Deno.test("a balance shows whole cents rounded down, and never reads as empty when it is not", () => {
  assert.equal(displayBalance(24_957_000n), "$24.95");
  assert.equal(displayBalance(25_000_000n), "$25.00");
  assert.equal(displayBalance(0n), "$0.00");
  assert.equal(displayBalance(4_000n), "$0.004");
  assert.equal(displayBalance(10_001n), "$0.01");
  assert.equal(displayBalance(parseUsd("1234567.899")), "$1,234,567.89");
});
