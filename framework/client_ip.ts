// The address a request came from, for attempt limits (sign-ups): the connection's peer.
// (The hardening branch extends this with TRUST_PROXY and IPv6 /64 prefixes.)
import { getConnInfo } from "hono/deno";
import type { AppContext } from "./context.ts";

export function clientIp(c: AppContext): string {
  // c.env is Deno.serve's ServeHandlerInfo (framework/server.ts hands it to the app).
  return (c.env ? getConnInfo(c).remote.address : undefined) || "unknown";
}
