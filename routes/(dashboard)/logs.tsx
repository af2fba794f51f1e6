// GET /logs: the account's request log, newest first, 50 calls a page. The filters (kind, model,
// key, status, UTC days) and the cursor are the URL's (?kind=…&before=…); ?request_id=… finds one
// call whatever the filters. A filter that cannot be read answers 400 with the form saying why.
import type { AppContext, Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { type ApiKey, listApiKeys } from "../../services/accounts/api_keys.ts";
import { catalog, type Model } from "../../services/billing/pricing.ts";
import {
  filterParams,
  type LogPage,
  logPage,
  type LogQuery,
  logQueryParams,
  parseLogQuery,
} from "../../services/metering/log_queries.ts";
import { tFor } from "../../services/i18n/index.ts";
import {
  exportHref,
  ExportLink,
  LogFilters,
  type LogForm,
  type LogProblems,
  LogTable,
  Pager,
} from "../../components/request_log.tsx";

export const handler: Handlers = {
  async GET(c) {
    const { sql } = c.var.services;
    const userId = c.var.user.id;
    const form = formOf(c.req.query());
    const parsed = parseLogQuery(form);
    const [keys, { models }] = await Promise.all([listApiKeys(sql, userId), catalog(sql)]);
    const shared = { form, keys, models: [...models.values()].sort(byKindThenName) };
    if ("problems" in parsed) {
      return renderPage(c, ({ c }) => LogsPage({ c, ...shared, problems: parsed.problems }), 400);
    }
    const page = await logPage(sql, userId, parsed.query);
    return renderPage(c, ({ c }) => LogsPage({ c, ...shared, query: parsed.query, page }));
  },
};

/** The query string's own parameters, as typed. */
function formOf(query: Record<string, string>): LogForm {
  const form: LogForm = {};
  for (const name of logQueryParams.keyof().options) {
    if (query[name] !== undefined) form[name] = query[name];
  }
  return form;
}

const byKindThenName = (a: Model, b: Model) =>
  a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id);

function LogsPage({ c, form, keys, models, problems, query, page }: {
  c: AppContext;
  form: LogForm;
  keys: ApiKey[];
  models: Model[];
  problems?: Record<string, string>;
  query?: LogQuery;
  page?: LogPage;
}) {
  const t = tFor(c.var.locale);
  c.set("title", t("logs.title"));
  const params = query ? filterParams(query.filters) : new URLSearchParams();
  const filtered = params.size > 0;
  return (
    <div class="logs-page">
      <header class="page-head page-head-actions">
        <div>
          <h1>{t("logs.title")}</h1>
          <p class="lead">{t("logs.lead")}</p>
        </div>
        {query && <ExportLink c={c} href={exportHref({ requestId: query.requestId, params })} />}
      </header>
      <LogFilters
        c={c}
        form={query?.requestId ? { request_id: query.requestId } : form}
        keys={keys}
        models={models}
        problems={(problems ?? {}) as LogProblems}
      />
      {problems && <p class="alert alert-error" role="alert">{t("logs.problem.title")}</p>}
      {query?.requestId && (
        <p class="alert alert-info lookup-note" role="status">
          <span>{t("logs.lookup.showing", { id: query.requestId })}</span>
          <a href="/logs">{t("logs.lookup.back")}</a>
        </p>
      )}
      {page && (page.rows.length
        ? <LogTable c={c} rows={page.rows} keys={new Map(keys.map((k) => [k.id, k]))} />
        : (
          <p class="card empty log-empty">
            {query?.requestId ? t("logs.lookup.none", { id: query.requestId }) : t(
              filtered || query?.before || query?.after ? "logs.empty.filtered" : "logs.empty.none",
            )}
          </p>
        ))}
      <div class="log-foot">
        <p class="muted small">{t("logs.utc")}</p>
        {page && <Pager c={c} page={page} params={params} />}
      </div>
    </div>
  );
}
