// The document around every page: <html lang> in the page's language, the stylesheet, and the
// <title> the page set (c.var.title).
import type { PageLayout } from "../framework/context.ts";
import { t } from "../services/i18n/index.ts";

const Document: PageLayout = ({ c, children }) => (
  <html lang={c.var.locale}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{c.var.title ? `${c.var.title} · Tokensmart` : "Tokensmart"}</title>
      <link rel="stylesheet" href="/static/styles.css" />
      <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
    </head>
    <body>
      <a href="#main" class="skip-link">{t(c.var.locale, "site.skip")}</a>
      {children}
    </body>
  </html>
);
export default Document;
