// GET /pricing, public: every image model's price per generation for each size and quality, and
// text models' prices per million tokens, in USD exactly. Signed in, it shows inside the dashboard (routes/(site)/_layout.tsx).
import type { AppContext } from "../../framework/context.ts";
import {
  type Catalog,
  catalog,
  CUSTOM_SIZE_MODELS,
  imagePrice,
  type Model,
  NAMED_SIZES,
  QUALITIES,
} from "../../services/billing/pricing.ts";
import { servableModels } from "../../services/catalog/models.ts";
import { displayUsd, type Micros } from "../../services/billing/money.ts";
import { tFor } from "../../services/i18n/index.ts";
import { calendarDay } from "../../services/i18n/time.ts";

export default async function Pricing({ c }: { c: AppContext }) {
  const t = tFor(c.var.locale);
  c.set("title", t("pricing.title"));
  const prices = await catalog(c.var.services.sql);
  const servable = servableModels(prices)
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.id.localeCompare(b.id));
  const imageModels = servable.filter((m) => m.kind === "image");
  // Shown once text models are served (services/catalog/models.ts), as their prices are already kept.
  const textModels = servable.filter((m) => m.kind === "text" && prices.textPrices.has(m.id));
  return (
    <>
      <header class="page-head">
        <h1>{t("pricing.title")}</h1>
        <p class="lead">{t("pricing.lead")}</p>
      </header>
      <section aria-labelledby="image-models">
        <h2 id="image-models">{t("pricing.images")}</h2>
        <div class="card table-card">
          <table class="prices">
            <caption class="sr-only">{t("pricing.images.caption")}</caption>
            <thead>
              <tr>
                <th scope="col" rowSpan={2} class="label-col">{t("pricing.size")}</th>
                <th scope="colgroup" colSpan={QUALITIES.length} class="per-generation">
                  {t("pricing.perGeneration")}
                </th>
              </tr>
              <tr>
                {QUALITIES.map((q) => <th key={q} scope="col">{t(`pricing.quality.${q}`)}</th>)}
              </tr>
            </thead>
            {imageModels.map((model) => (
              <tbody>
                <tr class="model-row">
                  <th scope="rowgroup" colSpan={QUALITIES.length + 1}>
                    <code>{model.id}</code>
                    {model.isDefault && <span class="badge accent">{t("pricing.default")}</span>}
                    {model.shutdownDate && (
                      <span class="badge">
                        {t("pricing.retires", {
                          date: calendarDay(c.var.locale, model.shutdownDate),
                        })}
                      </span>
                    )}
                  </th>
                </tr>
                {NAMED_SIZES.map((size) => (
                  <tr>
                    <th scope="row">
                      <span class="size">{size.replace("x", "×")}</span>{" "}
                      <span class="muted small">{t(`pricing.size.${size}`)}</span>
                    </th>
                    {QUALITIES.map((q) => {
                      const price = imagePrice(prices, model.id, size, q);
                      return (
                        <td key={q} class="num">{price === null ? "–" : displayUsd(price)}</td>
                      );
                    })}
                  </tr>
                ))}
                {CUSTOM_SIZE_MODELS.has(model.id) && (
                  <tr class="note-row">
                    <td colSpan={QUALITIES.length + 1} class="small muted">
                      {t("pricing.custom")}
                    </td>
                  </tr>
                )}
              </tbody>
            ))}
          </table>
        </div>
        <ul class="notes">
          <li>{t("pricing.note.n")}</li>
          <li>{t("pricing.note.auto")}</li>
          <li>{t("pricing.note.blocked")}</li>
        </ul>
      </section>
      {textModels.length > 0 && <TextPrices c={c} models={textModels} prices={prices} />}
      {!c.var.visitor && (
        <p class="actions">
          <a href="/account/signup" class="button primary large">{t("home.cta.signup")}</a>
        </p>
      )}
    </>
  );
}

function TextPrices({ c, models, prices }: { c: AppContext; models: Model[]; prices: Catalog }) {
  const t = tFor(c.var.locale);
  const rate = (micros: Micros | null) => micros === null ? "–" : displayUsd(micros);
  return (
    <section aria-labelledby="text-models">
      <h2 id="text-models">{t("pricing.text")}</h2>
      <div class="card table-card">
        <table class="prices">
          <caption class="sr-only">{t("pricing.text.caption")}</caption>
          <thead>
            <tr>
              <th scope="col" rowSpan={2} class="label-col">{t("pricing.model")}</th>
              <th scope="colgroup" colSpan={4} class="per-generation">{t("pricing.perMtok")}</th>
            </tr>
            <tr>
              <th scope="col">{t("pricing.input")}</th>
              <th scope="col">{t("pricing.cachedInput")}</th>
              <th scope="col">{t("pricing.cacheWrite")}</th>
              <th scope="col">{t("pricing.output")}</th>
            </tr>
          </thead>
          <tbody>
            {models.map((model) => {
              const price = prices.textPrices.get(model.id)!;
              return (
                <tr>
                  <th scope="row">
                    <code>{model.id}</code>
                  </th>
                  <td class="num">{rate(price.inputPerMtok)}</td>
                  <td class="num">{rate(price.cachedInputPerMtok)}</td>
                  <td class="num">{rate(price.cacheWritePerMtok)}</td>
                  <td class="num">{rate(price.outputPerMtok)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="small muted">{t("pricing.text.note")}</p>
    </section>
  );
}
