// POST /v1/images/generations — OpenAI's Images API; see services/images/generate.ts for what happens.
import type { Handlers } from "../../../framework/context.ts";
import { generateFromRequest } from "../../../services/images/generate.ts";

export const handler: Handlers = {
  async POST(c) {
    const result = await generateFromRequest(c.var.services, c.req.raw, c.var);
    if (result.replayed) {
      c.header("idempotent-replayed", "true");
      c.header("x-original-request-id", result.requestId);
    }
    return c.json(result.body);
  },
};
