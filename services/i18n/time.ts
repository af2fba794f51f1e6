// Dates and waits in the page's language. The server does not know the reader's time zone, so
// times are shown in UTC and say so.
import type { Locale } from "./define.ts";

const dateTimeFormats = new Map<Locale, Intl.DateTimeFormat>();
const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

/** "Nov 26, 2026, 14:03 UTC" / "2026年11月26日 14:03 UTC". */
export function dateTime(locale: Locale, at: Date): string {
  const format = dateTimeFormats.get(locale) ?? new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    hourCycle: "h23",
    timeZone: "UTC",
  });
  dateTimeFormats.set(locale, format);
  return `${format.format(at)} UTC`;
}

const clockFormats = new Map<Locale, Intl.DateTimeFormat>();

/** A moment to the second, for a log: its UTC day ("Jul 2, 2026" / "2026年7月2日") and time of day
 *  ("14:03:12"), apart, so a table can set them on two lines. */
export function dayAndClock(locale: Locale, at: Date): { day: string; clock: string } {
  const day = dateFormats.get(locale) ??
    new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  dateFormats.set(locale, day);
  const clock = clockFormats.get(locale) ?? new Intl.DateTimeFormat(locale, {
    timeStyle: "medium",
    hourCycle: "h23",
    timeZone: "UTC",
  });
  clockFormats.set(locale, clock);
  return { day: day.format(at), clock: clock.format(at) };
}

/** A calendar day, e.g. a model's shutdown date "2026-12-01": "Dec 1, 2026" / "2026年12月1日". */
export function calendarDay(locale: Locale, day: string): string {
  const format = dateFormats.get(locale) ??
    new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  dateFormats.set(locale, format);
  return format.format(new Date(`${day}T00:00:00Z`));
}

/** How long until a retry, as a phrase: "in 42 minutes" / "42分钟后", "in 30 seconds" / "30秒钟后". */
export function retryIn(locale: Locale, seconds: number): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "always" });
  return seconds < 60
    ? format.format(Math.max(1, Math.ceil(seconds)), "second")
    : format.format(Math.ceil(seconds / 60), "minute");
}

/** A month, "2026-11": "November 2026" / "2026年11月". */
export function monthName(locale: Locale, month: string): string {
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", timeZone: "UTC" })
    .format(new Date(`${month}-01T00:00:00Z`));
}

/** A day in a chart, "2026-11-03": "Nov 3" / "11月3日". */
export function shortDay(locale: Locale, day: string): string {
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" })
    .format(new Date(`${day}T00:00:00Z`));
}

/** A count with the language's digit grouping: 12345 → "12,345". */
export function count(locale: Locale, n: bigint | number): string {
  return new Intl.NumberFormat(locale).format(n);
}
