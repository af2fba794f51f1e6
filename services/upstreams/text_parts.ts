// Pieces of an OpenAI chat request that every translating adapter reads the same way.
import { invalidValue } from "./text_errors.ts";

/** A `data:<type>;base64,<data>` image URL, split. Throws a refusal naming `param` otherwise. */
export function parseDataUrl(url: string, param: string): { mediaType: string; data: string } {
  const match = /^data:([\w.+-]+\/[\w.+-]+)(?:;[\w-]+=[^;,]*)*;base64,(.*)$/s.exec(url);
  if (!match || match[2].length === 0) {
    throw invalidValue(
      param,
      `Invalid image URL: expected an http(s) URL or a base64 data URL ('data:image/png;base64,…').`,
    );
  }
  return { mediaType: match[1].toLowerCase(), data: match[2] };
}

/** Tool-call arguments as the object providers want; "" means no arguments. */
export function toolArguments(args: string, param: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalidValue(param, `Invalid '${param}': expected a JSON object, but it is not JSON.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidValue(param, `Invalid '${param}': expected a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}

/** Text a provider sent, as JSON for a tool call's `arguments`. */
export function argumentsJson(input: unknown): string {
  return JSON.stringify(input ?? {});
}
