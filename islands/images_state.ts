// What the Images page's two islands share. framework/islands.ts bundles islands with code
// splitting, so this module is one chunk that both import: one instance in the browser. The
// composer adds what it sends; the results island shows it. Written only in event handlers, never
// while rendering: on the server this module is one instance for every request.
import { signal } from "@preact/signals";
import type { Generation } from "../services/images/history.ts";
import { displayBalance, formatUsd } from "../services/billing/money.ts";

/** A generation sent from this page: running until its answer, then its result. */
export interface Sent {
  key: string;
  prompt: string;
  n: number;
  /** The size asked for ("auto" included), for the placeholders' shape. */
  size: string;
  /** The most it can cost, in micro-dollars: what is held while it runs. */
  held: string;
  /** performance.now() when it was sent. */
  startedAt: number;
  result: Generation | null;
}

/** Newest first. */
export const sent = signal<Sent[]>([]);

/** Shows the balance after a generation in the dashboard layout's element (id="balance"), as
 *  the layout does: cents rounded down. */
export function showBalance(micros: string) {
  const element = document.getElementById("balance") as HTMLDataElement | null;
  if (!element) return;
  element.textContent = displayBalance(BigInt(micros));
  element.value = formatUsd(BigInt(micros));
}

/** A random key, also where crypto.randomUUID is missing (plain http on another host). */
export function randomKey(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
