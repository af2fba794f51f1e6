import type { Handlers } from "../../../../framework/context.ts";
import { renderPage } from "../../../../framework/render.tsx";

export const handler: Handlers = {
  GET: (c) => renderPage(c, () => <p>rendered by a handler</p>, 404),
};
