// English and Simplified Chinese for every page and message. The catalogue is one file per area
// of the product (common.ts, …), each key with both languages beside each other; this module
// merges them, picks a request's language and looks messages up.
//
// The language: the `tokensmart_lang` cookie (set by the switch in the layout) if present, else
// the best match in Accept-Language, else English. Islands get their messages as props, already
// in the page's language (`pick`), and fill placeholders with format.ts.
import { type Locale, LOCALES } from "./define.ts";
import { format } from "./format.ts";
import { common } from "./common.ts";
import { account } from "./account.ts";
import { dashboard } from "./dashboard.ts";
import { home } from "./home.ts";
import { keys } from "./keys.ts";
import { pricing } from "./pricing.ts";
import { images } from "./images.ts";
import { accountForms } from "./account_forms.ts";
import { invoices } from "./invoices.ts";
import { usage } from "./usage.ts";
import { logs } from "./logs.ts";

export { format, type Locale, LOCALES };

export const catalogue = {
  ...common,
  ...account,
  ...dashboard,
  ...home,
  ...keys,
  ...pricing,
  ...images,
  ...accountForms,
  ...invoices,
  ...usage,
  ...logs,
};

export type MessageKey = keyof typeof catalogue;

export const LOCALE_COOKIE = "tokensmart_lang";

/** The message `key` in `locale`, its {placeholders} filled from `params`. */
export function t(
  locale: Locale,
  key: MessageKey,
  params?: Record<string, string | number>,
): string {
  return format(catalogue[key][locale], params);
}

/** `t` for one language: `const t = tFor(c.var.locale)`. */
export function tFor(locale: Locale) {
  return (key: MessageKey, params?: Record<string, string | number>) => t(locale, key, params);
}

/** The messages `keys` in `locale`, for an island's props. */
export function pick<K extends MessageKey>(locale: Locale, keys: readonly K[]): Record<K, string> {
  return Object.fromEntries(keys.map((key) => [key, catalogue[key][locale]])) as Record<K, string>;
}

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/** The language for a request: its cookie's choice, else Accept-Language, else English. */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  const wanted = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of wanted) {
    // Every Chinese tag reads Simplified Chinese for now (zh, zh-CN, zh-Hans, zh-SG, …).
    if (tag === "zh" || tag.startsWith("zh-")) return "zh-CN";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return "en";
}
