// The address a request came from, for attempt limits: the connection's peer, or with
// TRUST_PROXY=on the last address in X-Forwarded-For (the one our own proxy appended; earlier
// entries are the client's word). An IPv6 address stands for its /64, which one client usually
// holds whole.
import { getConnInfo } from "hono/deno";
import type { AppContext } from "./context.ts";

export function clientIp(c: AppContext): string {
  const forwarded = c.var.services.config.TRUST_PROXY === "on"
    ? c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim()
    : undefined;
  // c.env is Deno.serve's ServeHandlerInfo (framework/server.ts hands it to the app).
  const address = forwarded || (c.env ? getConnInfo(c).remote.address : undefined) || "unknown";
  return address.includes(":") ? ipv6Prefix(address) : address;
}

/** The first four groups of an IPv6 address ("2001:db8:0:1::5" → "2001:db8:0:1::/64"). */
function ipv6Prefix(address: string): string {
  const bare = address.replace(/^\[|\]$/g, "").split("%")[0].toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return mapped[1];
  const [head, tail] = bare.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined
    ? left
    : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
