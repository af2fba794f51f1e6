// Server-side rendering of pages: plain HTML from Preact components, no JavaScript unless an
// island is on the page.
import { renderToString } from "preact-render-to-string";
import type { ComponentType } from "preact";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppContext } from "./context.ts";

export function renderPage(
  c: AppContext,
  Page: ComponentType<{ c: AppContext }>,
  status: ContentfulStatusCode = 200,
): Response {
  const body = renderToString(<Page c={c} />);
  return c.html(`<!doctype html>${body}`, status);
}
