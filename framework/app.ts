// Builds the one Hono app: pages and the /v1 API on the same server.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv, AppServices } from "./context.ts";
import { mountFileRoutes } from "./file_routes.ts";
import { buildIslands, ISLAND_PREFIX } from "./islands.ts";
import { serveStatic } from "hono/deno";
import { fileURLToPath } from "node:url";
import { ApiError } from "../services/platform/errors.ts";
import { isDatabaseUnavailable, noteDatabaseUnavailable } from "../services/platform/database.ts";
import { newPrefixedId } from "../services/platform/ids.ts";
import { LOCALE_COOKIE, pickLocale } from "../services/i18n/index.ts";
import { getCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";

export async function createApp(services: AppServices): Promise<Hono<AppEnv>> {
  const app = new Hono<AppEnv>();

  // Every answer, errors and 404s included, carries its x-request-id from here.
  app.use(async (c, next) => {
    const requestId = newPrefixedId("req_");
    c.set("requestId", requestId);
    c.set("startedAt", performance.now());
    c.set("services", services);
    await next();
    c.header("x-request-id", requestId);
  });

  // Pages get their language, and may not be framed (clickjacking) nor run or style anything but
  // our own files (islands are module scripts from /_islands/, styles from /static/). Not on /v1:
  // JSON has no use for either, and that path is the hot one.
  const pageHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:", "blob:"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
    },
    xFrameOptions: "DENY",
    referrerPolicy: "same-origin",
    // Signed image URLs are handed out to be shown on customers' own sites.
    crossOriginResourcePolicy: false,
    // HSTS belongs to whoever terminates TLS in front of us, for their whole domain.
    strictTransportSecurity: false,
  });
  app.use((c, next) => {
    if (c.req.path.startsWith("/v1/")) return next();
    c.set("locale", pickLocale(getCookie(c, LOCALE_COOKIE), c.req.header("accept-language")));
    return pageHeaders(c, next);
  });

  app.onError((error, c) => {
    // Hono's own middleware answers with these (the CSRF check's 403).
    if (error instanceof HTTPException) return error.getResponse();
    const apiError = apiErrorOf(error, c.var.requestId);
    for (const [name, value] of Object.entries(apiError.headers)) c.header(name, value);
    return c.json(apiError.envelope(), apiError.status as 400);
  });

  app.notFound((c) => {
    if (c.req.path.startsWith("/v1/") || c.req.path === "/v1") {
      return c.json(
        new ApiError(404, `Invalid URL (${c.req.method} ${c.req.path})`, "invalid_request_error")
          .envelope(),
        404,
      );
    }
    return c.text("Not found", 404);
  });

  const islands = await buildIslands();
  app.get(`${ISLAND_PREFIX}:file`, (c) => {
    const code = islands.files.get(c.req.param("file"));
    if (code === undefined) return c.notFound();
    return c.body(code, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
    });
  });
  app.use("/static/*", serveStatic({ root: fileURLToPath(new URL("../", import.meta.url)) }));

  await mountFileRoutes(app, new URL("../routes/", import.meta.url));
  return app;
}

function apiErrorOf(error: unknown, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  if (isDatabaseUnavailable(error)) {
    noteDatabaseUnavailable(error);
    return ApiError.databaseUnavailable();
  }
  return internalError(error, requestId);
}

function internalError(error: unknown, requestId: string): ApiError {
  console.error(`[${requestId}]`, error);
  return new ApiError(
    500,
    `The server had an error while processing your request. Quote request id ${requestId} to support.`,
    "server_error",
  );
}
