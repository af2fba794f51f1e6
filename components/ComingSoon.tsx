// A dashboard section that is not built yet: what it will hold, in the page's language.
import type { AppContext } from "../framework/context.ts";
import { type MessageKey, tFor } from "../services/i18n/index.ts";
import { ClockIcon } from "./icons.tsx";

export function ComingSoon(
  { c, title, body }: { c: AppContext; title: MessageKey; body: MessageKey },
) {
  const t = tFor(c.var.locale);
  c.set("title", t(title));
  return (
    <>
      <header class="page-head">
        <h1>{t(title)}</h1>
      </header>
      <section class="card empty coming-soon">
        <ClockIcon />
        <p>
          <span class="badge accent">{t("soon.badge")}</span>
        </p>
        <p>{t(body)}</p>
        <p class="muted">{t("soon.meanwhile")}</p>
      </section>
    </>
  );
}
