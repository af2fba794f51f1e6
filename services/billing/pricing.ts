// Prices. Image models are priced per call: a price per image for each model × size × quality,
// times the images delivered. Text models are priced per token: micro-dollars per million input,
// cached input, cache-write and output tokens. Prices live in the database (image_prices,
// text_prices); a change adds a row, so every past charge's price stays on record.
//
// Rules:
// - Named sizes (1024x1024, 1536x1024, 1024x1536) use their row in the table.
// - gpt-image-2's custom sizes (any WxH it allows) cost the 1024x1024 price at that quality
//   scaled by pixel count, rounded up to the micro-dollar: ceil(square × W·H / 1024²).
// - "auto" size or quality holds the highest price it could resolve to; the charge uses what the
//   upstream actually produced, never more than was held.
// - A text call costs the sum of its tokens at their rates, rounded up to the micro-dollar once
//   per call (textCost); it holds the most it can cost (maxTextCost).
import type { Db } from "../platform/database.ts";
import { cachedPerDatabase } from "../platform/per_database_cache.ts";
import type { Micros } from "./money.ts";

export const NAMED_SIZES = ["1024x1024", "1536x1024", "1024x1536"] as const;
export const QUALITIES = ["low", "medium", "high"] as const;
export type NamedSize = typeof NAMED_SIZES[number];
export type Quality = typeof QUALITIES[number];
/** Models that also make custom WxH sizes, priced by pixel count (imagePrice). */
export const CUSTOM_SIZE_MODELS: ReadonlySet<string> = new Set(["gpt-image-2"]);

const SQUARE_PIXELS = 1024n * 1024n;

export interface Model {
  id: string;
  kind: "image" | "text";
  ownedBy: string;
  createdAt: Date;
  shutdownDate: string | null;
  isDefault: boolean;
  /** Text models: the most tokens one answer can have (the hold's bound without max_tokens). */
  maxOutputTokens: number | null;
}

/** A text model's rates, in micro-dollars per million tokens. */
export interface TextPrice {
  inputPerMtok: Micros;
  cachedInputPerMtok: Micros;
  /** Tokens written to the provider's prompt cache (Anthropic); null: the input rate. */
  cacheWritePerMtok: Micros | null;
  outputPerMtok: Micros;
}

/** What a text call used, as the upstream reported it. Fresh input excludes cached tokens. */
export interface TokenUsage {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
}

export interface Catalog {
  models: Map<string, Model>;
  /** Current per-image price by model, then `${size}|${quality}`. */
  imagePrices: Map<string, Map<string, Micros>>;
  /** Current per-token rates by text model. */
  textPrices: Map<string, CatalogTextPrice>;
}

/** A text price as the catalogue holds it: with the valid_from of its row, exactly (text), which
 *  a call's log line keeps so its invoice shows the rate it was charged at. */
export interface CatalogTextPrice extends TextPrice {
  priceFrom: string;
}

/** Whether the model's announced shutdown day has come (it is refused from that day on). */
export function isShutDown(model: Model, today = new Date()): boolean {
  return model.shutdownDate !== null && today.toISOString().slice(0, 10) >= model.shutdownDate;
}

const catalogCache = cachedPerDatabase(5_000, loadCatalog);

/** Models and current prices, cached for a few seconds: `price:set` takes effect within 5 s. */
export function catalog(db: Db): Promise<Catalog> {
  return catalogCache.get(db);
}

/** Drops the cached catalogue, for a change made outside this module (a test's SQL). */
export function forgetCatalog(db: Db): void {
  catalogCache.forget(db);
}

async function loadCatalog(db: Db): Promise<Catalog> {
  const models = await db<Model[]>`
    select id, kind, owned_by as "ownedBy", created_at as "createdAt",
      to_char(shutdown_date, 'YYYY-MM-DD') as "shutdownDate", is_default as "isDefault",
      max_output_tokens as "maxOutputTokens"
    from models order by id`;
  const prices = await db<{ modelId: string; size: string; quality: string; price: bigint }[]>`
    select distinct on (model_id, size, quality) model_id as "modelId", size, quality, price
    from image_prices where valid_from <= now()
    order by model_id, size, quality, valid_from desc`;
  const imagePrices = new Map<string, Map<string, Micros>>();
  for (const p of prices) {
    if (!imagePrices.has(p.modelId)) imagePrices.set(p.modelId, new Map());
    imagePrices.get(p.modelId)!.set(`${p.size}|${p.quality}`, p.price);
  }
  const textPrices = await db<({ modelId: string } & CatalogTextPrice)[]>`
    select distinct on (model_id) model_id as "modelId", input_per_mtok as "inputPerMtok",
      cached_input_per_mtok as "cachedInputPerMtok", cache_write_per_mtok as "cacheWritePerMtok",
      output_per_mtok as "outputPerMtok", to_json(valid_from) #>> '{}' as "priceFrom"
    from text_prices where valid_from <= now()
    order by model_id, valid_from desc`;
  return {
    models: new Map(models.map((m) => [m.id, m])),
    imagePrices,
    textPrices: new Map(textPrices.map(({ modelId, ...price }) => [modelId, price])),
  };
}

const PER_MTOK = 1_000_000n;

/** A text call's charge: every kind of token at its rate, rounded up to the micro-dollar once. */
export function textCost(price: TextPrice, usage: TokenUsage): Micros {
  const millionths = BigInt(usage.input) * price.inputPerMtok +
    BigInt(usage.cachedInput) * price.cachedInputPerMtok +
    BigInt(usage.cacheWrite) * (price.cacheWritePerMtok ?? price.inputPerMtok) +
    BigInt(usage.output) * price.outputPerMtok;
  return (millionths + PER_MTOK - 1n) / PER_MTOK;
}

/**
 * The most a text call can cost: `promptBound` tokens at the dearest input rate (cache writes can
 * cost more than input) and `outputBound` at the output rate.
 */
export function maxTextCost(price: TextPrice, promptBound: number, outputBound: number): Micros {
  const cacheWrite = price.cacheWritePerMtok ?? price.inputPerMtok;
  const input = cacheWrite > price.inputPerMtok ? cacheWrite : price.inputPerMtok;
  const millionths = BigInt(promptBound) * input + BigInt(outputBound) * price.outputPerMtok;
  return (millionths + PER_MTOK - 1n) / PER_MTOK;
}

/** Adds a text model to the catalogue (an operator's price:set for a model we did not know). */
export async function addTextModel(
  db: Db,
  input: { id: string; ownedBy: string; maxOutputTokens: number },
): Promise<void> {
  await db`insert into models (id, kind, owned_by, max_output_tokens)
           values (${input.id}, 'text', ${input.ownedBy}, ${input.maxOutputTokens})`;
  catalogCache.forget(db);
}

export async function setTextPrice(db: Db, input: { model: string } & TextPrice): Promise<void> {
  await db`insert into text_prices
             (model_id, input_per_mtok, cached_input_per_mtok, cache_write_per_mtok, output_per_mtok)
           values (${input.model}, ${input.inputPerMtok}, ${input.cachedInputPerMtok},
                   ${input.cacheWritePerMtok}, ${input.outputPerMtok})`;
  catalogCache.forget(db);
}

export async function listTextPrices(
  db: Db,
): Promise<({ model: string; validFrom: Date } & TextPrice)[]> {
  return await db`
    select distinct on (model_id) model_id as model, input_per_mtok as "inputPerMtok",
      cached_input_per_mtok as "cachedInputPerMtok", cache_write_per_mtok as "cacheWritePerMtok",
      output_per_mtok as "outputPerMtok", valid_from as "validFrom"
    from text_prices where valid_from <= now()
    order by model_id, valid_from desc`;
}

/** Price of one image at a concrete size and quality; null when the table has no such price. */
export function imagePrice(
  catalog: Catalog,
  model: string,
  size: string,
  quality: string,
): Micros | null {
  const table = catalog.imagePrices.get(model);
  if (!table) return null;
  const named = table.get(`${size}|${quality}`);
  if (named !== undefined) return named;
  const square = table.get(`1024x1024|${quality}`);
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (square === undefined || !match) return null;
  const pixels = BigInt(match[1]) * BigInt(match[2]);
  return (square * pixels + SQUARE_PIXELS - 1n) / SQUARE_PIXELS;
}

/** The most one image can cost for a request's size and quality, "auto" included. */
export function maxImagePrice(
  catalog: Catalog,
  model: string,
  size: string,
  quality: string,
): Micros | null {
  return imagePriceRange(catalog, model, size, quality)?.max ?? null;
}

/** The least and the most one image can cost for a size and quality, "auto" included; null when
 *  a price it could resolve to is missing. */
export function imagePriceRange(
  catalog: Catalog,
  model: string,
  size: string,
  quality: string,
): { min: Micros; max: Micros } | null {
  const sizes = size === "auto" ? NAMED_SIZES : [size];
  const qualities = quality === "auto" ? QUALITIES : [quality];
  let range: { min: Micros; max: Micros } | null = null;
  for (const s of sizes) {
    for (const q of qualities) {
      const price = imagePrice(catalog, model, s, q);
      if (price === null) return null;
      if (range === null) range = { min: price, max: price };
      else if (price < range.min) range.min = price;
      else if (price > range.max) range.max = price;
    }
  }
  return range;
}

export async function setImagePrice(
  db: Db,
  input: { model: string; size: NamedSize; quality: Quality; price: Micros },
): Promise<void> {
  await db`insert into image_prices (model_id, size, quality, price)
           values (${input.model}, ${input.size}, ${input.quality}, ${input.price})`;
  catalogCache.forget(db);
}

export async function listImagePrices(
  db: Db,
): Promise<{ model: string; size: string; quality: string; price: Micros; validFrom: Date }[]> {
  return await db`
    select distinct on (model_id, size, quality) model_id as model, size, quality, price, valid_from as "validFrom"
    from image_prices where valid_from <= now()
    order by model_id, size, quality, valid_from desc`;
}
