// Spend per day over the last 30 days as a server-rendered SVG: bars stacked by kind, a legend, and
// the same numbers as tables (per day, and per model) for screen readers and for anyone who wants
// the figures. Colours come from classes in styles.css (no style attributes: the CSP).
import type { Locale } from "../services/i18n/index.ts";
import { tFor } from "../services/i18n/index.ts";
import { shortDay } from "../services/i18n/time.ts";
import { displayUsd, type Micros } from "../services/billing/money.ts";
import { SPEND_KINDS, type UsageSummary } from "../services/billing/usage.ts";
import { Money } from "./InvoiceDocument.tsx";

const WIDTH = 720;
const HEIGHT = 220;
const PLOT = { left: 64, right: 24, top: 12, bottom: 28 };
const TICKS = 4;

export function UsageChart({ usage, locale }: { usage: UsageSummary; locale: Locale }) {
  const t = tFor(locale);
  const { days } = usage;
  const top = niceTop(days.reduce((max, d) => (d.total > max ? d.total : max), 0n));
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const slot = plotWidth / days.length;
  const y = (amount: Micros) => PLOT.top + plotHeight - plotHeight * Number(amount) / Number(top);
  const kindName = (kind: typeof SPEND_KINDS[number]) => t(`usage.kind.${kind}`);
  return (
    <figure class="usage-chart">
      <div class="chart-scroll">
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-labelledby="usage-chart-title usage-chart-desc"
          focusable="false"
        >
          <title id="usage-chart-title">{t("usage.chart.title")}</title>
          <desc id="usage-chart-desc">
            {t("usage.chart.desc", {
              from: shortDay(locale, days[0].day),
              to: shortDay(locale, days.at(-1)!.day),
              total: displayUsd(usage.total),
            })}
          </desc>
          {Array.from({ length: TICKS + 1 }, (_, i) => {
            const amount = top * BigInt(i) / BigInt(TICKS);
            return (
              <g class="chart-grid">
                <line x1={PLOT.left} x2={WIDTH - PLOT.right} y1={y(amount)} y2={y(amount)} />
                <text x={PLOT.left - 8} y={y(amount) + 4} text-anchor="end">
                  {displayUsd(amount)}
                </text>
              </g>
            );
          })}
          {days.map((day, i) => {
            let base = 0n;
            const x = PLOT.left + i * slot + slot * 0.15;
            return (
              <g class="chart-day">
                <title>
                  {`${shortDay(locale, day.day)}: ${displayUsd(day.total)}`}
                </title>
                {SPEND_KINDS.map((kind) => {
                  const amount = day.byKind[kind];
                  if (amount === 0n) return null;
                  const from = base;
                  base += amount;
                  return (
                    <rect
                      class={`bar bar-${kind}`}
                      x={x.toFixed(1)}
                      width={(slot * 0.7).toFixed(1)}
                      y={y(base).toFixed(1)}
                      height={Math.max(1, y(from) - y(base)).toFixed(1)}
                    />
                  );
                })}
                {(i % 5 === 4 || i === 0) && (
                  <text
                    class="chart-day-label"
                    x={x + slot * 0.35}
                    y={HEIGHT - 8}
                    text-anchor="middle"
                  >
                    {shortDay(locale, day.day)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption>
        <ul class="chart-legend" aria-label={t("usage.chart.legend")}>
          {SPEND_KINDS.map((kind) => (
            <li>
              <span class={`swatch bar-${kind}`} aria-hidden="true" />
              {kindName(kind)}
            </li>
          ))}
        </ul>
      </figcaption>
      <details class="chart-data">
        <summary>{t("usage.asTable")}</summary>
        <div class="table-scroll">
          <table class="usage-days">
            <thead>
              <tr>
                <th scope="col">{t("usage.col.day")}</th>
                {SPEND_KINDS.map((kind) => (
                  <th key={kind} scope="col" class="num">{kindName(kind)}</th>
                ))}
                <th scope="col" class="num">{t("usage.col.total")}</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr>
                  <th scope="row">{day.day}</th>
                  {SPEND_KINDS.map((kind) => (
                    <td class="num">
                      <Money amount={day.byKind[kind]} />
                    </td>
                  ))}
                  <td class="num">
                    <Money amount={day.total} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Spend per model over the 30 days, dearest first. */
export function UsageByModel({ usage, locale }: { usage: UsageSummary; locale: Locale }) {
  const t = tFor(locale);
  return (
    <table class="usage-models">
      <caption>{t("usage.byModel")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("usage.col.model")}</th>
          <th scope="col">{t("usage.col.kind")}</th>
          <th scope="col" class="num">{t("usage.col.amount")}</th>
        </tr>
      </thead>
      <tbody>
        {usage.byModel.map((m) => (
          <tr>
            <th scope="row">
              <code>{m.model ?? "—"}</code>
            </th>
            <td class="kind">
              <span class={`swatch bar-${m.kind}`} aria-hidden="true" />
              {t(`usage.kind.${m.kind}`)}
            </td>
            <td class="num">
              <Money amount={m.amount} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A round top for the axis, at or above `max`: 1, 2, 2.5 or 5 times a power of ten micro-dollars
 *  (at least a cent, so an empty chart still has an axis). */
function niceTop(max: Micros): Micros {
  if (max <= 10_000n) return 10_000n;
  let power = 1n;
  while (power * 10n < max) power *= 10n;
  for (const step of [10n, 20n, 25n, 50n, 100n]) {
    const candidate = power * step / 10n;
    if (candidate >= max) return candidate;
  }
  return power * 10n;
}
