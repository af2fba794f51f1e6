// GET /generations/<request id>.zip — one of the account's generations as a ZIP, streamed.
import type { Handlers } from "../../../framework/context.ts";
import { generationZip } from "../../../services/images/zip.ts";
import { noSuchGeneration } from "../../../services/images/history.ts";

export const handler: Handlers = {
  async GET(c) {
    const { sql, store } = c.var.services;
    const requestId = /^(req_[0-9a-f]{32})\.zip$/.exec(c.req.param("file") ?? "")?.[1];
    const zip = requestId ? await generationZip(sql, store, c.var.user.id, requestId) : null;
    // Another account's generation answers exactly like a missing one.
    if (!zip) throw noSuchGeneration();
    return c.body(zip.body, 200, {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${zip.fileName}"`,
      "cache-control": "private, no-store",
    });
  },
};
