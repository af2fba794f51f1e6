// What the Images page offers: the image models on sale today, each with the choices it allows
// and what every choice costs, and whether only the demo painter draws for it.
import type { Db } from "../platform/database.ts";
import { catalog, imagePriceRange, NAMED_SIZES, QUALITIES } from "../billing/pricing.ts";
import { servableModels } from "../catalog/models.ts";
import { imageModelOptions } from "./request.ts";
import { servedOnlyByDemo } from "../catalog/channels.ts";

/** A model in the composer's dropdown (JSON: it travels to the island as props). */
export interface ComposerModel {
  id: string;
  sizes: string[];
  qualities: string[];
  backgrounds: string[];
  maxN: number;
  /** Per image, in micro-dollars, by `${size}|${quality}` ("auto" included): the least and the
   *  most it can cost; the most is what a call holds. */
  quotes: Record<string, [min: string, max: string]>;
  /** Only the built-in demo painter serves it. */
  demoOnly: boolean;
  isDefault: boolean;
}

export async function composerModels(
  db: Db,
  routing: { demo: boolean },
  today = new Date(),
): Promise<ComposerModel[]> {
  const cat = await catalog(db);
  const live = servableModels(cat, today).filter((model) => model.kind === "image");
  return await Promise.all(live.map(async (model) => {
    const options = imageModelOptions(model.id);
    const quotes: ComposerModel["quotes"] = {};
    for (const size of ["auto", ...NAMED_SIZES]) {
      for (const quality of ["auto", ...QUALITIES]) {
        const range = imagePriceRange(cat, model.id, size, quality);
        if (range) quotes[`${size}|${quality}`] = [String(range.min), String(range.max)];
      }
    }
    return {
      id: model.id,
      sizes: [...options.sizes],
      qualities: [...options.qualities],
      backgrounds: [...options.backgrounds],
      maxN: options.maxN,
      quotes,
      demoOnly: await servedOnlyByDemo(db, model.id, routing),
      isDefault: model.isDefault,
    };
  }));
}
