// English / 简体中文, without JavaScript: a form posting the choice to /account/language, which
// remembers it in a cookie and comes back to this page.
import type { AppContext } from "../framework/context.ts";
import { LOCALES, tFor } from "../services/i18n/index.ts";
import { LanguageIcon } from "./icons.tsx";

export function LanguageSwitch({ c }: { c: AppContext }) {
  const t = tFor(c.var.locale);
  const here = new URL(c.req.url);
  return (
    <form
      method="post"
      action="/account/language"
      class="language-switch"
      aria-label={t("lang.switch")}
    >
      <LanguageIcon />
      <input type="hidden" name="back" value={here.pathname + here.search} />
      {LOCALES.map((locale) => (
        <button
          type="submit"
          name="lang"
          value={locale}
          lang={locale}
          aria-pressed={locale === c.var.locale ? "true" : "false"}
        >
          {t(`lang.${locale}`)}
        </button>
      ))}
    </form>
  );
}
