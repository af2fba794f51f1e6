import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../../../framework/context.ts";

export const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.query("deny")) return c.text("denied by the group", 403);
  await next();
};
