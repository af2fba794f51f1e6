// The frame of every signed-in page: a sidebar (a menu on a phone), the balance always in view,
// who is signed in, log out, the language switch. Reads the balance, so it is async: a layout
// calls it (DashboardFrame({ c, user, children })) rather than mounting it as <DashboardFrame>.
//
// Without JavaScript: on a phone the sidebar is a popover the menu button opens (the browser's
// own [popover]: Escape and a tap outside close it); on a wider screen CSS shows it in place.
import type { ComponentChildren, JSX } from "preact";
import type { AppContext } from "../framework/context.ts";
import type { SessionUser } from "../services/accounts/sessions.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { displayBalance, formatUsd } from "../services/billing/money.ts";
import { type MessageKey, tFor } from "../services/i18n/index.ts";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import {
  ImagesIcon,
  InvoiceIcon,
  KeyIcon,
  LogIcon,
  LogoMark,
  LogOutIcon,
  MenuIcon,
  PriceIcon,
} from "./icons.tsx";

const SECTIONS: { href: string; label: MessageKey; Icon: () => JSX.Element }[] = [
  { href: "/images", label: "dash.nav.images", Icon: ImagesIcon },
  { href: "/keys", label: "dash.nav.keys", Icon: KeyIcon },
  { href: "/logs", label: "dash.nav.logs", Icon: LogIcon },
  { href: "/invoices", label: "dash.nav.invoices", Icon: InvoiceIcon },
  { href: "/pricing", label: "dash.nav.pricing", Icon: PriceIcon },
];

export async function DashboardFrame(
  { c, user, children }: { c: AppContext; user: SessionUser; children: ComponentChildren },
) {
  const t = tFor(c.var.locale);
  const { available } = await balanceOf(c.var.services.sql, user.accountId);
  const path = c.req.path;
  const brand = (
    <a href="/" class="brand">
      <LogoMark />
      <span>{t("site.name")}</span>
    </a>
  );
  return (
    <div class="app">
      <header class="app-bar">
        <button
          type="button"
          class="icon-button menu-button"
          popovertarget="app-nav"
          aria-label={t("dash.menu")}
        >
          <MenuIcon />
        </button>
        <div class="app-bar-brand">{brand}</div>
        <p class="balance">
          <span class="balance-label">{t("dash.balance")}</span>
          <data id="balance" class="balance-amount" value={formatUsd(available)}>
            {displayBalance(available)}
          </data>
        </p>
      </header>
      <nav id="app-nav" class="sidebar" popover="auto" aria-label={t("dash.nav")}>
        {brand}
        <ul class="nav-list">
          {SECTIONS.map(({ href, label, Icon }) => (
            <li>
              <a
                href={href}
                class="nav-link"
                aria-current={path === href || path.startsWith(`${href}/`) ? "page" : undefined}
              >
                <Icon />
                <span>{t(label)}</span>
              </a>
            </li>
          ))}
        </ul>
        <div class="sidebar-foot">
          <LanguageSwitch c={c} />
          <div class="account">
            <p class="account-email" title={user.email}>
              <span class="sr-only">{t("dash.signedInAs")}</span>
              {user.email}
            </p>
            <form method="post" action="/account/logout">
              <button type="submit" class="ghost log-out">
                <LogOutIcon />
                <span>{t("account.logout")}</span>
              </button>
            </form>
          </div>
        </div>
      </nav>
      <main id="main" class="app-main">{children}</main>
    </div>
  );
}
