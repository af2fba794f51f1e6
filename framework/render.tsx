// Server-side rendering of pages: plain HTML from Preact components, no JavaScript unless an
// island is on the page. The route's layouts (its folders' _layout.tsx, outermost first) wrap it.
import { renderToString } from "preact-render-to-string";
import type { ComponentType, VNode } from "preact";
import type { AppContext } from "./context.ts";

export function renderPage(
  c: AppContext,
  Page: ComponentType<{ c: AppContext }>,
  status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 429 = 200,
): Response {
  let tree: VNode = <Page c={c} />;
  for (const Layout of [...(c.var.layouts ?? [])].reverse()) {
    tree = <Layout c={c}>{tree}</Layout>;
  }
  return c.html(`<!doctype html>${renderToString(tree)}`, status);
}
