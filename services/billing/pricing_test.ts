import assert from "node:assert/strict";
import { maxTextCost, textCost, type TextPrice } from "./pricing.ts";

// claude-sonnet-4-5 at our launch rates: $3.60 / $0.36 / $4.50 / $18.00 per million tokens.
const sonnet: TextPrice = {
  inputPerMtok: 3_600_000n,
  cachedInputPerMtok: 360_000n,
  cacheWritePerMtok: 4_500_000n,
  outputPerMtok: 18_000_000n,
};

Deno.test("a text call costs each kind of token at its rate, rounded up once per call", () => {
  // 1,000 input × 3.6 µ$ + 2,000 cached × 0.36 + 100 written × 4.5 + 500 output × 18 = 13,770 µ$.
  assert.equal(
    textCost(sonnet, { input: 1_000, cachedInput: 2_000, cacheWrite: 100, output: 500 }),
    13_770n,
  );
  // One input token is 3.6 µ$: rounded up to 4, never down to a free call.
  assert.equal(textCost(sonnet, { input: 1, cachedInput: 0, cacheWrite: 0, output: 0 }), 4n);
  assert.equal(textCost(sonnet, { input: 0, cachedInput: 0, cacheWrite: 0, output: 0 }), 0n);
  // Without a cache-write rate, writes cost the input rate.
  const plain = { ...sonnet, cacheWritePerMtok: null };
  assert.equal(textCost(plain, { input: 0, cachedInput: 0, cacheWrite: 10, output: 0 }), 36n);
});

Deno.test("the hold bounds every way the same tokens could be billed", () => {
  const bound = maxTextCost(sonnet, 10_000, 1_000);
  // The prompt at the dearest input rate (cache writes, here) plus the output.
  assert.equal(bound, 10_000n * 4_500_000n / 1_000_000n + 18_000n);
  for (
    const usage of [
      { input: 10_000, cachedInput: 0, cacheWrite: 0, output: 1_000 },
      { input: 0, cachedInput: 10_000, cacheWrite: 0, output: 1_000 },
      { input: 2_000, cachedInput: 3_000, cacheWrite: 5_000, output: 1_000 },
    ]
  ) assert.ok(textCost(sonnet, usage) <= bound);
});
