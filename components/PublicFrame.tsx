// The frame of the public pages (home, pricing, log in, sign up) for visitors who are not
// signed in: the brand, the way in, the language switch.
import type { ComponentChildren } from "preact";
import type { AppContext } from "../framework/context.ts";
import { tFor } from "../services/i18n/index.ts";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import { LogoMark } from "./icons.tsx";

export function PublicFrame({ c, children }: { c: AppContext; children: ComponentChildren }) {
  const t = tFor(c.var.locale);
  const current = (href: string) => c.req.path === href ? "page" : undefined;
  return (
    <div class="site">
      <header class="site-header">
        <a href="/" class="brand">
          <LogoMark />
          <span>{t("site.name")}</span>
        </a>
        <nav class="site-nav" aria-label={t("site.nav")}>
          <a href="/pricing" aria-current={current("/pricing")}>{t("site.nav.pricing")}</a>
          <a href="/account/login" aria-current={current("/account/login")}>
            {t("site.nav.login")}
          </a>
          <a
            href="/account/signup"
            class="button primary"
            aria-current={current("/account/signup")}
          >
            {t("site.nav.signup")}
          </a>
        </nav>
        <LanguageSwitch c={c} />
      </header>
      <main id="main" class="site-main">{children}</main>
      <footer class="site-footer">
        <span>© {t("site.name")}</span>
        <span>{t("site.footer")}</span>
      </footer>
    </div>
  );
}
