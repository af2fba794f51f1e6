// The parts of the request log page (routes/(dashboard)/logs.tsx): the filters (a GET form, so
// they live in the URL and work without JavaScript), the request-id lookup, the table (cards on
// a phone), the pager, and what a row and its detail view share (status, key, usage, latency).
import type { ComponentChildren } from "preact";
import type { AppContext } from "../framework/context.ts";
import type { ApiKey } from "../services/accounts/api_keys.ts";
import type { Model } from "../services/billing/pricing.ts";
import { displayUsd } from "../services/billing/money.ts";
import {
  LOG_KINDS,
  LOG_STATUSES,
  type LogPage,
  type LogQueryParams,
  type LogRow,
} from "../services/metering/log_queries.ts";
import type { RequestStatus } from "../services/metering/request_log.ts";
import { type Locale, type MessageKey, tFor } from "../services/i18n/index.ts";
import { dayAndClock } from "../services/i18n/time.ts";
import { FieldError } from "./FieldError.tsx";
import {
  ChevronLeftIcon,
  ChevronRightIcon,
  DownloadIcon,
  SearchIcon,
  ShieldIcon,
} from "./icons.tsx";

type T = ReturnType<typeof tFor>;
/** The page's query string as typed (kept in the form even when it could not be read). */
export type LogForm = { [K in keyof LogQueryParams]?: string };
export type LogProblems = Partial<Record<keyof LogQueryParams, MessageKey>>;

export function StatusBadge({ t, status }: { t: T; status: RequestStatus }) {
  return (
    <span class={`badge status status-${status}`}>
      {status === "blocked" && <ShieldIcon />}
      {t(`logs.status.${status}`)}
    </span>
  );
}

/** The key a call was made with: its name and prefix (an unnamed one: its prefix), or
 *  "Dashboard" for the pages. */
export function keyLabel(
  t: T,
  keys: Map<bigint, ApiKey>,
  apiKeyId: bigint | null,
): { name: string; prefix: string | null; revoked: boolean } {
  if (apiKeyId === null) return { name: t("logs.key.dashboard"), prefix: null, revoked: false };
  const key = keys.get(apiKeyId);
  if (!key) {
    return { name: t("logs.key.unknown", { id: String(apiKeyId) }), prefix: null, revoked: false };
  }
  // An unnamed key goes by its prefix.
  return key.name
    ? { name: key.name, prefix: key.prefix, revoked: key.revokedAt !== null }
    : { name: `${key.prefix}…`, prefix: null, revoked: key.revokedAt !== null };
}

/** "840 ms", "1.24 s". */
export function latency(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const count = (locale: Locale, n: number) => n.toLocaleString(locale);

/** What a call used, in parts: its images' size and quality, or its tokens (in, cached, out). */
export function usageParts(t: T, locale: Locale, row: LogRow): string[] {
  if (row.kind === "image") {
    const size = row.size === "auto" ? t("logs.size.auto") : row.size?.replace("x", "×");
    const quality = row.quality && qualityLabel(t, row.quality);
    const made = row.images > 0 && size ? `${row.images} × ${size}` : size;
    return [made, quality].filter((part): part is string => Boolean(part));
  }
  const parts: string[] = [];
  if (row.inputTokens !== null) {
    parts.push(t("logs.tokens.in", { n: count(locale, row.inputTokens) }));
  }
  if (row.cachedTokens) parts.push(t("logs.tokens.cached", { n: count(locale, row.cachedTokens) }));
  if (row.outputTokens !== null) {
    parts.push(t("logs.tokens.out", { n: count(locale, row.outputTokens) }));
  }
  return parts;
}

const QUALITIES = new Set(["low", "medium", "high", "auto"]);

/** An image quality in the page's language (one it does not know, as the log has it). */
export function qualityLabel(t: T, quality: string): string {
  return QUALITIES.has(quality) ? t(`logs.quality.${quality as "low"}`) : quality;
}

/** An error code that may wrap after its underscores (never inside a word). */
function breakable(code: string) {
  return code.split("_").flatMap((word, i) => i ? ["_", <wbr key={i} />, word] : [word]);
}

export function LogFilters(
  { c, form, keys, models, problems }: {
    c: AppContext;
    form: LogForm;
    keys: ApiKey[];
    models: Model[];
    problems: LogProblems;
  },
) {
  const t = tFor(c.var.locale);
  const field = { t, problems };
  const byKind = (kind: Model["kind"]) => models.filter((m) => m.kind === kind);
  const knownModel = !form.model || models.some((m) => m.id === form.model);
  return (
    <section class="card log-filters" aria-labelledby="log-filters-title">
      <h2 id="log-filters-title" class="sr-only">{t("logs.filters")}</h2>
      <form method="get" action="/logs" class="filter-form">
        <FilterSelect {...field} name="kind" any={t("logs.filter.kindAny")}>
          {LOG_KINDS.map((kind) => (
            <option value={kind} selected={form.kind === kind}>{t(`logs.kind.${kind}`)}</option>
          ))}
        </FilterSelect>
        <FilterSelect {...field} name="model" any={t("logs.filter.modelAny")}>
          {(["image", "text"] as const).map((kind) => (
            <optgroup
              label={t(kind === "image" ? "logs.filter.imageModels" : "logs.filter.textModels")}
            >
              {byKind(kind).map((m) => (
                <option value={m.id} selected={form.model === m.id}>{m.id}</option>
              ))}
            </optgroup>
          ))}
          {!knownModel && (
            <optgroup label={t("logs.filter.otherModels")}>
              <option value={form.model} selected>{form.model}</option>
            </optgroup>
          )}
        </FilterSelect>
        <FilterSelect {...field} name="key" any={t("logs.filter.keyAny")}>
          <option value="dashboard" selected={form.key === "dashboard"}>
            {t("logs.key.dashboard")}
          </option>
          {keys.map((key) => (
            <option value={String(key.id)} selected={form.key === String(key.id)}>
              {`${key.name || t("logs.key.unnamed")} · ${key.prefix}…${
                key.revokedAt ? ` (${t("logs.key.revoked")})` : ""
              }`}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect {...field} name="status" any={t("logs.filter.statusAny")}>
          {LOG_STATUSES.map((status) => (
            <option value={status} selected={form.status === status}>
              {t(`logs.status.${status}`)}
            </option>
          ))}
        </FilterSelect>
        {(["from", "to"] as const).map((name) => (
          <Filter {...field} name={name}>
            {(attributes) => <input {...attributes} type="date" value={form[name] ?? ""} />}
          </Filter>
        ))}
        <div class="filter-actions">
          <button type="submit" class="primary">{t("logs.filter.apply")}</button>
          <a href="/logs" class="button ghost">{t("logs.filter.clear")}</a>
        </div>
      </form>
      <RequestIdLookup t={t} value={form.request_id} problem={problems.request_id} />
    </section>
  );
}

type FilterName = "kind" | "model" | "key" | "status" | "from" | "to";
interface ControlAttributes {
  id: string;
  name: string;
  "aria-invalid"?: "true";
  "aria-describedby"?: string;
}

/** A labelled filter and what was wrong with it; `children` makes its control. */
function Filter({ t, problems, name, children }: {
  t: T;
  problems: LogProblems;
  name: FilterName;
  children: (attributes: ControlAttributes) => ComponentChildren;
}) {
  const problem = problems[name];
  const id = `log-${name}`;
  return (
    <div class="field">
      <label for={id}>{t(`logs.filter.${name}`)}</label>
      {children({
        id,
        name,
        "aria-invalid": problem ? "true" : undefined,
        "aria-describedby": problem ? `${id}-problem` : undefined,
      })}
      <FieldError id={`${id}-problem`} text={problem && t(problem)} />
    </div>
  );
}

/** A filter chosen from a list whose first entry, `any`, is no filter. */
function FilterSelect(
  { any, children, ...filter }: {
    t: T;
    problems: LogProblems;
    name: FilterName;
    any: string;
    children: ComponentChildren;
  },
) {
  return (
    <Filter {...filter}>
      {(attributes) => (
        <select {...attributes}>
          <option value="">{any}</option>
          {children}
        </select>
      )}
    </Filter>
  );
}

/** Finds one call by its id, whatever the filters (its own form). */
function RequestIdLookup(
  { t, value, problem }: { t: T; value?: string; problem?: MessageKey },
) {
  return (
    <form method="get" action="/logs" class="lookup-form" role="search">
      <label for="log-request-id">{t("logs.lookup")}</label>
      <div class="lookup-row">
        <input
          id="log-request-id"
          name="request_id"
          value={value ?? ""}
          placeholder="req_…"
          autocomplete="off"
          spellcheck={false}
          aria-invalid={problem ? "true" : undefined}
          aria-describedby={problem ? "log-request-id-problem" : "log-request-id-hint"}
        />
        <button type="submit">
          <SearchIcon />
          <span>{t("logs.lookup.submit")}</span>
        </button>
      </div>
      {problem
        ? <FieldError id="log-request-id-problem" text={t(problem)} />
        : <p id="log-request-id-hint" class="hint">{t("logs.lookup.hint")}</p>}
    </form>
  );
}

/** The CSV export of what the page shows (every page of it). */
export function exportHref(form: { requestId?: string; params: URLSearchParams }): string {
  const params = form.requestId ? new URLSearchParams({ request_id: form.requestId }) : form.params;
  const query = params.toString();
  return `/logs.csv${query ? `?${query}` : ""}`;
}

export function ExportLink({ c, href }: { c: AppContext; href: string }) {
  const t = tFor(c.var.locale);
  return (
    <a href={href} class="button" download title={t("logs.exportHint")}>
      <DownloadIcon />
      <span>{t("logs.export")}</span>
    </a>
  );
}

export function LogTable(
  { c, rows, keys }: { c: AppContext; rows: LogRow[]; keys: Map<bigint, ApiKey> },
) {
  const locale = c.var.locale;
  const t = tFor(locale);
  return (
    <div class="card table-card log-table-card">
      <table class="log">
        <thead>
          <tr>
            <th scope="col">{t("logs.col.time")}</th>
            <th scope="col">{t("logs.col.key")}</th>
            <th scope="col">{t("logs.col.kind")}</th>
            <th scope="col">{t("logs.col.model")}</th>
            <th scope="col">{t("logs.col.status")}</th>
            <th scope="col">{t("logs.col.usage")}</th>
            <th scope="col" class="num">{t("logs.col.latency")}</th>
            <th scope="col" class="num">{t("logs.col.cost")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <LogTableRow key={row.requestId} t={t} locale={locale} row={row} keys={keys} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LogTableRow(
  { t, locale, row, keys }: { t: T; locale: Locale; row: LogRow; keys: Map<bigint, ApiKey> },
) {
  const { day, clock } = dayAndClock(locale, row.createdAt);
  const key = keyLabel(t, keys, row.apiKeyId);
  const usage = usageParts(t, locale, row);
  return (
    <tr class={`log-row status-${row.status}`} data-request-id={row.requestId}>
      <td class="c-time">
        <a
          href={`/logs/${row.requestId}`}
          class="row-link"
          aria-label={t("logs.details", { id: row.requestId })}
        >
          <time datetime={row.createdAt.toISOString()}>
            <span class="day">{day}</span> <span class="clock">{clock}</span>
          </time>
        </a>
      </td>
      <td class="c-key">
        <span
          class={key.revoked ? "key-name revoked" : "key-name"}
          title={key.prefix ? `${key.prefix}…` : undefined}
        >
          {key.name}
        </span>
      </td>
      <td class="c-kind">
        <span class={`kind-tag kind-${row.kind}`}>{t(`logs.kind.${row.kind}`)}</span>
      </td>
      <td class="c-model">
        <span class="model">{row.modelId ?? "—"}</span>
        <span class="endpoint">{row.endpoint}</span>
      </td>
      <td class="c-status">
        <StatusBadge t={t} status={row.status} />
        {row.errorCode && <code class="error-code">{breakable(row.errorCode)}</code>}
      </td>
      <td class="c-usage">
        {usage.length
          ? usage.map((part, i) => (
            // The dot stays with the part before it, so a wrapped line never starts with one.
            <>
              <span class="part">{i < usage.length - 1 ? `${part} ·` : part}</span>
              {" "}
            </>
          ))
          : <span class="muted">—</span>}
        {row.stream && <span class="stream-tag">{t("logs.stream")}</span>}
      </td>
      <td class="c-latency num">{latency(row.latencyMs)}</td>
      <td class={row.cost === 0n ? "c-cost num zero" : "c-cost num"}>
        <data value={String(row.cost)}>{displayUsd(row.cost)}</data>
      </td>
    </tr>
  );
}

export function Pager(
  { c, page, params }: { c: AppContext; page: LogPage; params: URLSearchParams },
) {
  const t = tFor(c.var.locale);
  if (!page.newer && !page.older) return null;
  const href = (cursor: Record<string, string>) => {
    const query = new URLSearchParams([...params, ...Object.entries(cursor)]).toString();
    return `/logs${query ? `?${query}` : ""}`;
  };
  return (
    <nav class="pager" aria-label={t("logs.pages")}>
      {page.newer
        ? (
          <>
            <a href={href({})} class="button ghost">{t("logs.newest")}</a>
            <a href={href({ after: page.newer })} class="button" rel="prev">
              <ChevronLeftIcon />
              <span>{t("logs.newer")}</span>
            </a>
          </>
        )
        : (
          <span class="button" aria-disabled="true">
            <ChevronLeftIcon />
            <span>{t("logs.newer")}</span>
          </span>
        )}
      {page.older
        ? (
          <a href={href({ before: page.older })} class="button" rel="next">
            <span>{t("logs.older")}</span>
            <ChevronRightIcon />
          </a>
        )
        : (
          <span class="button" aria-disabled="true">
            <span>{t("logs.older")}</span>
            <ChevronRightIcon />
          </span>
        )}
    </nav>
  );
}
