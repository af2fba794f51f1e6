// Text PostgreSQL can store. Its text type holds no NUL character, and its JSON refuses a lone
// UTF-16 surrogate (a "\ud800" escape that JSON.parse lets through); either fails the whole
// statement, and with it every call sharing the group commit. Customers' text is refused before
// any work (services/platform/json_body.ts); text from upstreams and from our own cuts is mended here.

/** Why `text` cannot be stored, or null when it can. */
export function unstorableReason(text: string): string | null {
  if (text.includes("\u0000")) return "a NUL character (\\u0000)";
  if (!text.isWellFormed()) return "a lone UTF-16 surrogate (such as \\ud800), which is not text";
  return null;
}

/** `text` made storable: a lone surrogate becomes U+FFFD, NUL characters are dropped. */
export function storableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", "") : wellFormed;
}

/** At most the first `max` characters of `text`, counted as code points: a cut never splits a
 *  surrogate pair (an emoji), which would leave a lone surrogate behind. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  let count = 0;
  for (const char of text) {
    if (count++ === max) break;
    end += char.length;
  }
  return text.slice(0, end);
}
