// What a text call is charged, and how its tokens are logged.
import { textCost, type TextPrice, type TokenUsage } from "../billing/pricing.ts";
import { formatUsd, type Micros } from "../billing/money.ts";
import type { RequestLogEntry } from "../metering/request_log.ts";
import type { ChatCompletion, FinishReason, TextUsage } from "./chat_response.ts";

/** What `usage` costs at `price`; never more than the hold, which bounds every call. */
export function chargeOf(price: TextPrice, usage: TextUsage, held: Micros): Micros {
  const cost = textCost(price, tokenUsageOf(usage));
  return cost > held ? held : cost;
}

function tokenUsageOf(usage: TextUsage): TokenUsage {
  return {
    input: usage.inputTokens,
    cachedInput: usage.cacheReadTokens,
    cacheWrite: usage.cacheWriteTokens,
    output: usage.outputTokens,
  };
}

/** The log line's fields of a text call: each kind of token apart, and how it ended. */
export function tokenFields(
  usage: TextUsage,
  finishReason: FinishReason | null,
): Partial<RequestLogEntry> {
  const count = (n: number) => Math.min(n, 2 ** 31 - 1);
  return {
    inputTokens: count(usage.inputTokens),
    cachedTokens: count(usage.cacheReadTokens),
    cacheWriteTokens: count(usage.cacheWriteTokens),
    outputTokens: count(usage.outputTokens),
    finishReason,
  };
}

/** The answer's usage with the call's cost in USD (exact, as a string). */
export function withCost(completion: ChatCompletion, cost: Micros): ChatCompletion {
  return { ...completion, usage: { ...completion.usage, cost: formatUsd(cost) } };
}
