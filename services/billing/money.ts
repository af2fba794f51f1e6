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

/**
 * A price or a cost for people: exact to the micro-dollar, at least the cents, no trailing zeros
 * beyond them, so a cost under a cent never reads as $0.00.
 * 40_000n → "$0.04", 7_200n → "$0.0072", 1_500_000n → "$1.50", 1_234_560_000n → "$1,234.56".
 * Islands may call it too (this module imports nothing), with micro-dollars as a string.
 */
export function displayUsd(amount: Micros | string): string {
  const [whole, fraction] = splitUsd(BigInt(amount));
  return `${whole}.${fraction.replace(/0{1,4}$/, "")}`;
}

/**
 * A balance for people: whole cents, rounded down, so it never shows money that is not there;
 * below a cent (but not nothing) exact, so it does not read as empty.
 * 24_957_000n → "$24.95", 4_000n → "$0.004", 0n → "$0.00".
 */
export function displayBalance(amount: Micros): string {
  const abs = amount < 0n ? -amount : amount;
  if (abs > 0n && abs < 10_000n) return displayUsd(amount);
  const [whole, fraction] = splitUsd(amount);
  return `${whole}.${fraction.slice(0, 2)}`;
}

/** 1_234_560_000n → ["$1,234", "560000"]. */
function splitUsd(amount: Micros): [string, string] {
  const sign = amount < 0n ? "-" : "";
  const abs = amount < 0n ? -amount : amount;
  const dollars = (abs / MICROS_PER_USD).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return [`${sign}$${dollars}`, (abs % MICROS_PER_USD).toString().padStart(6, "0")];
}
