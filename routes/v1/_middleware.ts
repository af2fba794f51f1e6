// Every /v1 call authenticates with `Authorization: Bearer pk_live_…`, as OpenAI's API does.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../framework/context.ts";
import { authenticate } from "../../services/accounts/api_keys.ts";

export const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { sql, keys } = c.var.services;
  c.set("caller", await authenticate(sql, c.req.header("authorization"), keys));
  await next();
};
