// What every route handler can reach through Hono's context: c.var.sql, c.var.config, ….
import type { Context } from "hono";
import type { Config } from "../services/config.ts";
import type { Sql } from "../services/database.ts";
import type { Caller } from "../services/api_keys.ts";

export interface AppEnv {
  Variables: {
    sql: Sql;
    config: Config;
    requestId: string;
    /** Set by routes/v1/_middleware.ts once the API key checks out. */
    caller: Caller;
  };
}

export type AppContext = Context<AppEnv>;

export type Handler = (c: AppContext) => Response | Promise<Response>;
export type Handlers = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;
