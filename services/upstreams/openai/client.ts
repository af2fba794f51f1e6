// The openai SDK client for one channel, as both OpenAI adapters (images, chat) make it. Retries
// are the failover's (the next channel), never the SDK's: one call never costs an upstream twice
// unseen.
import OpenAI from "openai";

export function openaiClient(
  channel: { apiKey: string | null; baseUrl: string | null },
  timeoutMs: number,
): OpenAI {
  return new OpenAI({
    apiKey: channel.apiKey ?? "",
    baseURL: channel.baseUrl ?? undefined,
    timeout: timeoutMs,
    maxRetries: 0,
    fetch: fetchWithPlainHeaders,
  });
}

/**
 * The SDK hands fetch its headers as a Headers object, which Deno's fetch converts through the
 * generic iterable path (each pair a nested sequence, the list sorted and lower-cased again): 25 µs
 * of CPU of the ~205 µs an SDK call costs (scripts/bench/openai_sdk_call.ts), and +7.5% on the
 * bench's image calls (docs/bench-2026-11-30.md). A plain record of the same headers goes the short
 * way.
 */
const fetchWithPlainHeaders: typeof fetch = (input, init) => {
  if (init?.headers instanceof Headers) {
    const headers: Record<string, string> = {};
    init.headers.forEach((value, name) => (headers[name] = value));
    init = { ...init, headers };
  }
  return fetch(input, init);
};
