// Image URLs that work without a key for a limited time: the path and expiry are signed with
// HMAC-SHA256, so nobody can forge or extend one. The secret is URL_SIGNING_SECRET, or one made
// once and kept under DATA_DIR (set URL_SIGNING_SECRET when several servers share a database).
import { join } from "node:path";
import type { Config } from "./config.ts";
import { readOrCreateSecret } from "./secret_files.ts";

export const URL_LIFETIME_SECONDS = 60 * 60;

export class UrlSigner {
  private constructor(private readonly key: CryptoKey) {}

  static async fromSecret(secret: string): Promise<UrlSigner> {
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new UrlSigner(key);
  }

  static async fromConfig(config: Config): Promise<UrlSigner> {
    return await UrlSigner.fromSecret(
      config.URL_SIGNING_SECRET ??
        await readOrCreateSecret(join(config.DATA_DIR, "url-signing.secret")),
    );
  }

  /** `${base}${path}?expires=…&signature=…`, valid for URL_LIFETIME_SECONDS from `now`. */
  async sign(base: string, path: string, now = Date.now()): Promise<string> {
    const expires = Math.floor(now / 1000) + URL_LIFETIME_SECONDS;
    const signature = await this.signature(path, expires);
    return `${base}${path}?expires=${expires}&signature=${signature}`;
  }

  /** True when the signature matches the path and expiry and the expiry has not passed. */
  async verify(
    path: string,
    expires: string | undefined,
    signature: string | undefined,
    now = Date.now(),
  ) {
    if (
      !expires || !signature || !/^\d{1,12}$/.test(expires) ||
      !/^[A-Za-z0-9_-]{43}$/.test(signature)
    ) return false;
    if (Number(expires) * 1000 < now) return false;
    const bytes = Uint8Array.from(
      atob(signature.replaceAll("-", "+").replaceAll("_", "/") + "="),
      (c) => c.charCodeAt(0),
    );
    return await crypto.subtle.verify(
      "HMAC",
      this.key,
      bytes,
      new TextEncoder().encode(`${path}\n${expires}`),
    );
  }

  private async signature(path: string, expires: number): Promise<string> {
    const mac = await crypto.subtle.sign(
      "HMAC",
      this.key,
      new TextEncoder().encode(`${path}\n${expires}`),
    );
    return btoa(String.fromCharCode(...new Uint8Array(mac))).replaceAll("+", "-").replaceAll(
      "/",
      "_",
    ).replace(/=+$/, "");
  }
}
