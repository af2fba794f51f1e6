// The model list as OpenAI's /v1/models shows it.
import { type Catalog, isShutDown, type Model } from "../billing/pricing.ts";

/** Models that can be called today: priced and not shut down. */
export function servableModels(catalog: Catalog, today = new Date()): Model[] {
  return [...catalog.models.values()].filter((m) =>
    !isShutDown(m, today) &&
    (m.kind === "image" ? catalog.imagePrices.has(m.id) : catalog.textPrices.has(m.id))
  );
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
