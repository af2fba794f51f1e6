// What every route handler can reach through Hono's context: c.var.services, c.var.requestId, ….
import type { Context } from "hono";
import type { ComponentChildren } from "preact";
import type { Caller, KeyCache } from "../services/accounts/api_keys.ts";
import type { ImageServices } from "../services/images/generate.ts";
import type { TextServices } from "../services/text/chat.ts";
import type { Locale } from "../services/i18n/index.ts";
import type { SessionUser } from "../services/accounts/sessions.ts";

/** Everything the routes need, built once at start (main.ts) or by a test. */
export type AppServices = ImageServices & TextServices & {
  /** The callers of recently used API keys (routes/v1/_middleware.ts). */
  keys: KeyCache;
};

export interface AppEnv {
  Variables: {
    services: AppServices;
    requestId: string;
    /** performance.now() when the request arrived. */
    startedAt: number;
    /** The page's language (services/i18n): the switch's cookie, else Accept-Language. Set for
     *  pages only, not on /v1. */
    locale: Locale;
    /** The layouts wrapping this route's pages, outermost first (framework/file_routes.ts). */
    layouts: PageLayout[];
    /** Set by routes/(dashboard)/_middleware.ts: who is logged in on a signed-in page. */
    user: SessionUser;
    /** Set by routes/(site)/_middleware.ts on public pages: who is logged in, if anyone. */
    visitor: SessionUser | null;
    /** The page's name for the document's <title>, set by the page (framework/render.tsx). */
    title: string;
    /** Set by routes/v1/_middleware.ts once the API key checks out. */
    caller: Caller;
  };
}

export type AppContext = Context<AppEnv>;

/** A page: a route's default export, or what a handler renders. May be async. */
export type PageComponent = (
  props: { c: AppContext },
) => ComponentChildren | Promise<ComponentChildren>;

/** A folder's _layout.tsx: wraps the pages of its folder and below. May be async. */
export type PageLayout = (
  props: { c: AppContext; children: ComponentChildren },
) => ComponentChildren | Promise<ComponentChildren>;

export type Handler = (c: AppContext) => Response | Promise<Response>;
export type Handlers = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;
