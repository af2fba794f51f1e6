// The Images page: type one sentence, get pictures, see what they cost. Server-rendered; the
// composer and the results are islands sharing state (islands/images_state.ts). The dashboard
// layout wraps it (sidebar, balance).
import type { Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { Island } from "../../components/Island.tsx";
import ImageComposer, { COMPOSER_MESSAGES } from "../../islands/ImageComposer.tsx";
import ImageResults, { RESULTS_MESSAGES } from "../../islands/ImageResults.tsx";
import { composerModels } from "../../services/images/page.ts";
import { generationPage } from "../../services/images/history.ts";
import { balanceOf } from "../../services/billing/ledger.ts";
import { demoEnabled } from "../../services/platform/config.ts";
import { pick, t } from "../../services/i18n/index.ts";

/** Where a person with too little money is sent (the dashboard's keys and balance). */
const TOP_UP_URL = "/keys";

export const handler: Handlers = {
  async GET(c) {
    const { sql } = c.var.services;
    const { user, locale } = c.var;
    const [models, history, balance] = await Promise.all([
      composerModels(sql, { demo: demoEnabled(c.var.services.config) }),
      generationPage(sql, user.id, null),
      balanceOf(sql, user.accountId),
    ]);
    c.set("title", t(locale, "images.title"));
    return renderPage(c, () => (
      <div class="images-page">
        <header class="page-head">
          <h1>{t(locale, "images.title")}</h1>
          <p>{t(locale, "images.lead")}</p>
        </header>
        <Island
          of={ImageComposer}
          props={{
            models,
            balance: String(balance.available),
            m: pick(locale, COMPOSER_MESSAGES),
            topUpUrl: TOP_UP_URL,
            loginUrl: "/account/login?next=/images",
          }}
        />
        <Island
          of={ImageResults}
          props={{
            first: history!.generations,
            next: history!.next,
            m: pick(locale, RESULTS_MESSAGES),
            locale,
          }}
        />
      </div>
    ));
  },
};
