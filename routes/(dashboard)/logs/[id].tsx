// GET /logs/<request id>: one of the account's calls in full. Another account's request, or one
// that does not exist, is 404 alike.
import type { Handlers } from "../../../framework/context.ts";
import { renderPage } from "../../../framework/render.tsx";
import { listApiKeys } from "../../../services/accounts/api_keys.ts";
import { logDetail } from "../../../services/metering/log_queries.ts";
import { LogDetailView, LogNotFound } from "../../../components/request_log_detail.tsx";

export const handler: Handlers = {
  async GET(c) {
    const { sql } = c.var.services;
    const userId = c.var.user.id;
    const [call, keys] = await Promise.all([
      logDetail(sql, userId, c.req.param("id") ?? ""),
      listApiKeys(sql, userId),
    ]);
    if (!call) return renderPage(c, LogNotFound, 404);
    const byId = new Map(keys.map((key) => [key.id, key]));
    return renderPage(c, ({ c }) => LogDetailView({ c, call, keys: byId }));
  },
};
