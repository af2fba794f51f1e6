// The model list as OpenAI's /v1/models shows it.
import { type Catalog, isShutDown, type Model } from "../billing/pricing.ts";
import { ApiError } from "../platform/errors.ts";

/** Models that can be called today: priced and not shut down. */
export function servableModels(catalog: Catalog, today = new Date()): Model[] {
  return [...catalog.models.values()].filter((m) =>
    !isShutDown(m, today) &&
    (m.kind === "image" ? catalog.imagePrices.has(m.id) : catalog.textPrices.has(m.id))
  );
}

/**
 * A model of the catalogue that can be called today for `kind`, or OpenAI's 404 model_not_found:
 * unknown, retired (saying when, and what to use instead), or of the other kind.
 */
export function liveModel(
  catalog: Catalog,
  id: string,
  kind: Model["kind"],
  today = new Date(),
): Model {
  const model = catalog.models.get(id);
  const notFound = (message: string) =>
    new ApiError(404, message, "invalid_request_error", "model_not_found", "model");
  if (!model) throw notFound(`The model '${id}' does not exist or you do not have access to it.`);
  if (isShutDown(model, today)) {
    const instead = [...catalog.models.values()].find((m) => m.kind === kind && m.isDefault);
    throw notFound(
      `The model '${id}' was shut down on ${model.shutdownDate}${
        instead ? `; use ${instead.id}` : ""
      }.`,
    );
  }
  if (model.kind !== kind) {
    throw notFound(
      kind === "text"
        ? `The model '${id}' is not a chat model and thus not supported in the v1/chat/completions endpoint.`
        : `The model '${id}' does not exist or you do not have access to it.`,
    );
  }
  return model;
}

export function modelObject(model: Model) {
  return {
    id: model.id,
    object: "model" as const,
    created: Math.floor(model.createdAt.getTime() / 1000),
    owned_by: model.ownedBy,
    ...(model.shutdownDate ? { shutdown_date: model.shutdownDate } : {}),
  };
}
