// Pieces of an OpenAI chat request that every translating adapter reads the same way.
import type { AssistantMessage, TextPart } from "../text/chat_request.ts";
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

/** The non-empty texts of a system, developer or tool message (providers refuse empty text). */
export function nonEmptyTexts(content: string | TextPart[]): string[] {
  const all = typeof content === "string" ? [content] : content.map((p) => p.text);
  return all.filter((text) => text !== "");
}

/** What an assistant wrote, refusals included, without the empty "" beside its tool calls. */
export function assistantTexts(message: AssistantMessage): string[] {
  const content = message.content ?? "";
  const all = typeof content === "string"
    ? [content]
    : content.map((p) => p.type === "text" ? p.text : p.refusal);
  return all.filter((text) => text !== "");
}

export interface Turn<R, I> {
  role: R;
  items: I[];
}

/**
 * Providers want user and model turns alternating: neighbours of one role become one turn (N tool
 * results go back in one turn, QuantumNous/new-api #454), tool results first in it, and a turn
 * left empty is dropped.
 */
export function mergeTurns<R, I>(
  turns: Turn<R, I>[],
  isResult: (item: I) => boolean,
): Turn<R, I>[] {
  const merged: Turn<R, I>[] = [];
  for (const turn of turns) {
    if (turn.items.length === 0) continue;
    const last = merged.at(-1);
    if (last?.role === turn.role) last.items.push(...turn.items);
    else merged.push({ role: turn.role, items: [...turn.items] });
  }
  for (const turn of merged) {
    if (turn.items.some(isResult)) {
      turn.items = [...turn.items.filter(isResult), ...turn.items.filter((i) => !isResult(i))];
    }
  }
  return merged;
}
