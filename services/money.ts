// Money is bigint micro-dollars everywhere: 1 USD = 1_000_000n. Never a float.

export type Micros = bigint;

export const MICROS_PER_USD = 1_000_000n;

/** "12.5" → 12_500_000n. Refuses anything but a plain non-negative decimal with ≤ 6 places. */
export function parseUsd(text: string): Micros {
  const match = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a USD amount: ${JSON.stringify(text)} (use e.g. 12.50)`);
  return BigInt(match[1]) * MICROS_PER_USD + BigInt((match[2] ?? "").padEnd(6, "0"));
}

/** 12_500_000n → "12.500000" (always six places, so it reads to the micro-dollar). */
export function formatUsd(amount: Micros): string {
  const sign = amount < 0n ? "-" : "";
  const abs = amount < 0n ? -amount : amount;
  return `${sign}${abs / MICROS_PER_USD}.${(abs % MICROS_PER_USD).toString().padStart(6, "0")}`;
}

/** 63_600n → "$0.0636", 25_000_000n → "$25.00": exact, with at least two decimals. For the pages;
 *  the islands import it too (this module imports nothing). */
export function displayUsd(amount: Micros | string): string {
  const [whole, fraction] = formatUsd(BigInt(amount)).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  return `${sign}$${whole.replace("-", "")}.${fraction.replace(/0+$/, "").padEnd(2, "0")}`;
}
