import type { Handlers } from "../framework/context.ts";

export const handler: Handlers = {
  async GET(c) {
    try {
      await c.var.services.sql`select 1`;
      return c.json({ status: "ok", database: "reachable" });
    } catch (error) {
      console.error("healthz: database unreachable:", error);
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  },
};
