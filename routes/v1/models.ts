// GET /v1/models — the models a key can call, OpenAI-shaped.
import type { Handlers } from "../../framework/context.ts";
import { catalog } from "../../services/billing/pricing.ts";
import { modelObject, servableModels } from "../../services/catalog/models.ts";

export const handler: Handlers = {
  async GET(c) {
    const models = servableModels(await catalog(c.var.services.sql));
    return c.json({ object: "list", data: models.map(modelObject) });
  },
};
