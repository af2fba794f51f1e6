// POST /keys/:id/revoke: revokes one of the signed-in user's keys. Another account's key id, or
// one that does not exist, is 404 alike. Takes effect at once: this server forgets the key now,
// every other one when PostgreSQL announces the change (migrations/0005).
import type { Handlers } from "../../../../framework/context.ts";
import { revokeOwnApiKey } from "../../../../services/accounts/api_keys.ts";
import { renderPage } from "../../../../framework/render.tsx";
import { KeyNotFound } from "../../../../components/keys.tsx";

export const handler: Handlers = {
  async POST(c) {
    const id = /^[1-9]\d{0,17}$/.test(c.req.param("id") ?? "") ? BigInt(c.req.param("id")!) : null;
    const outcome = id === null
      ? null
      : await revokeOwnApiKey(c.var.services.sql, c.var.user.id, id);
    if (outcome === null) return renderPage(c, KeyNotFound, 404);
    c.var.services.keys.forget(id!);
    return c.redirect(`/keys?revoked=${id}`, 303);
  },
};
