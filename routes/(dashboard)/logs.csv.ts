// GET /logs.csv?…the page's filters…: every call of the account those filters keep, as a CSV
// download (services/metering/log_csv.ts), streamed. A filter that cannot be read is a 400 in
// the API's error envelope; cursors do not apply (the export is the whole filtered set).
import type { Handlers } from "../../framework/context.ts";
import { listApiKeys } from "../../services/accounts/api_keys.ts";
import { parseLogQuery } from "../../services/metering/log_queries.ts";
import { logCsv, logCsvFileName } from "../../services/metering/log_csv.ts";
import { ApiError } from "../../services/platform/errors.ts";
import { type MessageKey, t } from "../../services/i18n/index.ts";

export const handler: Handlers = {
  async GET(c) {
    const { sql } = c.var.services;
    const userId = c.var.user.id;
    const parsed = parseLogQuery(c.req.query());
    if ("problems" in parsed) {
      const [param, problem] = Object.entries(parsed.problems)[0];
      throw ApiError.invalidValue(param, t("en", problem as MessageKey));
    }
    const { filters, requestId } = parsed.query;
    const keys = await listApiKeys(sql, userId);
    return c.body(logCsv(sql, userId, { filters, requestId }, keys), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${logCsvFileName()}"`,
      "cache-control": "private, no-store",
    });
  },
};
