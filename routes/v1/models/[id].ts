// GET /v1/models/{model} — one model, or OpenAI's 404.
import type { Handlers } from "../../../framework/context.ts";
import { catalog } from "../../../services/billing/pricing.ts";
import { modelObject, servableModels } from "../../../services/catalog/models.ts";
import { ApiError } from "../../../services/platform/errors.ts";

export const handler: Handlers = {
  async GET(c) {
    const id = c.req.param("id");
    const model = servableModels(await catalog(c.var.services.sql)).find((m) => m.id === id);
    if (!model) {
      throw new ApiError(
        404,
        `The model '${id}' does not exist`,
        "invalid_request_error",
        "model_not_found",
        "model",
      );
    }
    return c.json(modelObject(model));
  },
};
