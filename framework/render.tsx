// Server-side rendering of pages: plain HTML from Preact components, no JavaScript unless an
// island is on the page. The route's layouts (its folders' _layout.tsx, outermost first) wrap it.
//
// As in Fresh 2, a page or a layout may be async (a layout that shows the balance reads it). The
// page is rendered first, then its layouts from the innermost out, so anything on the page can
// name it for the document's <title> (c.var.title) before the outermost layout writes it.
import { renderToString } from "preact-render-to-string";
import type { AppContext, PageComponent } from "./context.ts";

export type PageStatus = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 429 | 503;

export async function renderPage(
  c: AppContext,
  Page: PageComponent,
  status: PageStatus = 200,
): Promise<Response> {
  const page = renderToString(<>{await Page({ c })}</>);
  // The layouts get a marker where the page goes, swapped for its HTML at the end.
  const marker = `tsm-page-${crypto.randomUUID()}`;
  let tree = <>{marker}</>;
  for (const Layout of [...(c.var.layouts ?? [])].reverse()) {
    tree = <>{await Layout({ c, children: tree })}</>;
  }
  const html = renderToString(tree).replace(marker, () => page);
  return c.html(`<!doctype html>${html}`, status);
}
