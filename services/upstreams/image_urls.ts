// Fetching an image that an upstream answered with as a URL. The URL is the upstream's to choose,
// so it is judged as a hostile one would be: https, or plain http only from the channel's own
// origin (a provider on the local network serves so); never a local file, never this server,
// never a loopback, link-local (a cloud's metadata endpoint) or other non-public address unless
// the channel itself is there. Redirects are followed by hand, each hop judged the same way. The
// fetch is bounded by the channel's timeout and by MAX_IMAGE_BYTES.
//
// data: URLs are taken: their bytes are in the answer already, as b64_json's are, and nothing is
// fetched. Known gap: an https host's name is resolved once to judge it and again by fetch, so a
// name whose answer changes in between could still reach a local https service (this server
// speaks no TLS); Deno's fetch cannot be pinned to an address for https.
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import type { Channel } from "../catalog/channels.ts";
import { readAtMost } from "../platform/capped_read.ts";
import { UpstreamError } from "./types.ts";

/** Where this server can be reached, which an upstream's URL must never point at. */
export interface ServerAddress {
  port: number;
  publicUrl: string;
}

/** Larger than any image a model makes (a 3840x2160 PNG with alpha is at most ~33 MB). */
export const MAX_IMAGE_BYTES = 50 * 2 ** 20;

const MAX_REDIRECTS = 3;

/** The bytes behind an upstream's image URL; throws UpstreamError("unavailable") otherwise. */
export async function fetchImageUrl(
  channel: Channel,
  self: ServerAddress,
  url: string,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const refused = (why: string) =>
    new UpstreamError("unavailable", `channel ${channel.name} answered an image URL ${why}`, 502);
  const bounded = AbortSignal.any([signal, AbortSignal.timeout(channel.timeoutMs)]);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw refused("that is not a URL");
  }
  for (let hop = 0;; hop++) {
    const refusal = await refusalOf(target, channel, self);
    if (refusal) throw refused(`we do not fetch (${refusal})`);
    const response = await fetch(target, { signal: bounded, redirect: "manual" });
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      if (hop === MAX_REDIRECTS) throw refused("that redirects too many times");
      target = new URL(location, target);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw refused(`that answered ${response.status}`);
    }
    if (Number(response.headers.get("content-length") ?? 0) > MAX_IMAGE_BYTES) {
      await response.body?.cancel();
      throw refused(`larger than ${MAX_IMAGE_BYTES} bytes`);
    }
    const bytes = await readAtMost(response.body, MAX_IMAGE_BYTES);
    if (bytes === null) throw refused(`larger than ${MAX_IMAGE_BYTES} bytes`);
    return bytes;
  }
}

/** Why `url` must not be fetched, or null when it may. */
async function refusalOf(url: URL, channel: Channel, self: ServerAddress): Promise<string | null> {
  if (url.protocol === "data:") return null;
  if (url.protocol !== "https:" && url.protocol !== "http:") return `${url.protocol} scheme`;
  const channelsOwn = channel.baseUrl !== null && url.origin === new URL(channel.baseUrl).origin;
  if (url.protocol === "http:" && !channelsOwn) return "plain http from another host";
  if (url.host === new URL(self.publicUrl).host) return "this server";
  const addresses = await addressesOf(url.hostname);
  if (addresses.length === 0) return "a host name that does not resolve";
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const mine = machineAddresses();
  if (port === self.port && addresses.some((a) => isLocal(a) || mine.has(a))) return "this server";
  if (!channelsOwn && addresses.some(isLocal)) return "a local address";
  return null;
}

async function addressesOf(hostname: string): Promise<string[]> {
  try {
    const found = await lookup(hostname.replace(/^\[|\]$/g, ""), { all: true });
    return found.map((entry) => ipaddr.process(entry.address).toString());
  } catch {
    return [];
  }
}

/** Public addresses, and private networks' (over https): a provider may keep its images there. */
const FETCHABLE_RANGES = new Set(["unicast", "private", "uniqueLocal", "carrierGradeNat"]);

/** Loopback, unspecified, link-local, multicast, reserved: never another host's images. */
function isLocal(address: string): boolean {
  return !FETCHABLE_RANGES.has(ipaddr.process(address).range());
}

let ownAddresses: Set<string> | null = null;

/** This machine's own addresses (this server listens on them when HOST is 0.0.0.0). */
function machineAddresses(): Set<string> {
  ownAddresses ??= new Set(
    Deno.networkInterfaces().map((i) => ipaddr.process(i.address.split("%")[0]).toString()),
  );
  return ownAddresses;
}
