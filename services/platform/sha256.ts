// SHA-256 of text, the one way: API keys are stored by it, migrations and request bodies are
// compared by it, and the demo painter and admin top-up ids are seeded by it. node:crypto's hash
// is synchronous and several times cheaper than WebCrypto's for inputs this small (it runs on
// every API call).
import { createHash } from "node:crypto";

export function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text).digest());
}

export function hex(bytes: Uint8Array): string {
  return bytes.toHex();
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
