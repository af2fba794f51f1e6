// SHA-256 of text, the one way: API keys are stored by it, migrations and request bodies are
// compared by it, and the demo painter and admin top-up ids are seeded by it.

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(text: string): Promise<string> {
  return hex(await sha256(text));
}
