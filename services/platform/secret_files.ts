// Secrets the server makes for itself on first start and keeps under DATA_DIR (the embedded
// PostgreSQL's password, the URL-signing key), readable by the owner only.
import { dirname } from "node:path";
import { hex } from "./sha256.ts";

/** The secret stored at `path`, made from 32 random bytes the first time. Safe when raced. */
export async function readOrCreateSecret(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const secret = hex(bytes);
    await Deno.mkdir(dirname(path), { recursive: true });
    // createNew: whoever writes first wins; everyone then reads the same secret.
    await Deno.writeTextFile(path, secret, { mode: 0o600, createNew: true }).catch(() => {});
    return (await Deno.readTextFile(path)).trim();
  }
}
