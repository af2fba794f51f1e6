// The shape of the message catalogue: every key carries its text in every language, side by
// side, so a missing translation is a type error rather than an English string on a Chinese page.
export const LOCALES = ["en", "zh-CN"] as const;
export type Locale = typeof LOCALES[number];

export type Messages = Record<string, Record<Locale, string>>;

export function defineMessages<const M extends Messages>(messages: M): M {
  return messages;
}
