// The frame of every page: head, stylesheet, header. Server-only.
import type { ComponentChildren } from "preact";

export function Layout({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === "Tokensmart" ? title : `${title} · Tokensmart`}</title>
        <link rel="stylesheet" href="/static/styles.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <header class="site">
          <a href="/" class="brand">Tokensmart</a>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
