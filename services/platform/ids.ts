// Ids for the rows every call writes (transfers, images, requests): UUIDv7, which start with the
// time they were made, so new rows land at the end of their indexes instead of on random pages.
// 74 random bits remain; no id is ever the only thing guarding access.
import { v7 } from "uuid";

/** A new UUIDv7, e.g. for a ledger transfer. */
export function newId(): string {
  return v7();
}

/** A new UUIDv7 as 32 hex digits behind a prefix, e.g. "img_…", "req_…". */
export function newPrefixedId(prefix: string): string {
  return prefix + v7().replaceAll("-", "");
}
