// The Images page's API, for the logged-in person. POST /generations makes a generation exactly as
// POST /v1/images/generations does (the same body and service: held, charged, stored and logged
// alike; its log line names no key) and answers it as the page shows it, with the new balance.
// GET /generations?before=<request id> is the next page of the account's history.
import { z } from "zod";
import type { Handlers } from "../../../framework/context.ts";
import { generateFromRequest } from "../../../services/images/generate.ts";
import {
  generationOf,
  generationPage,
  noSuchGeneration,
} from "../../../services/images/history.ts";
import { sessionCaller } from "../../../services/accounts/sessions.ts";
import { balanceOf } from "../../../services/billing/ledger.ts";

const cursor = z.string().regex(/^req_[0-9a-f]{32}$/);

export const handler: Handlers = {
  async POST(c) {
    const { sql } = c.var.services;
    const { user } = c.var;
    const result = await generateFromRequest(c.var.services, c.req.raw, {
      caller: sessionCaller(user),
      requestId: c.var.requestId,
      startedAt: c.var.startedAt,
    });
    const [generation, balance] = await Promise.all([
      generationOf(sql, user.id, result.requestId),
      balanceOf(sql, user.accountId),
    ]);
    return c.json({ generation, balance: String(balance.available) });
  },

  async GET(c) {
    const before = c.req.query("before");
    const parsed = before === undefined ? null : cursor.safeParse(before);
    if (parsed && !parsed.success) throw noSuchGeneration();
    const page = await generationPage(c.var.services.sql, c.var.user.id, parsed?.data ?? null);
    if (!page) throw noSuchGeneration();
    return c.json(page);
  },
};
