// Image URLs that work without a key for a limited time: the path and expiry are signed with
// HMAC-SHA256, so nobody can forge or extend one. The secret is URL_SIGNING_SECRET, or one made
// once and kept under DATA_DIR (set URL_SIGNING_SECRET when several servers share a database).
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import type { Config } from "../platform/config.ts";
import { readOrCreateSecret } from "../platform/secret_files.ts";

export const URL_LIFETIME_SECONDS = 60 * 60;

export class UrlSigner {
  private constructor(private readonly secret: string) {}

  static fromSecret(secret: string): UrlSigner {
    return new UrlSigner(secret);
  }

  static async fromConfig(config: Config): Promise<UrlSigner> {
    return UrlSigner.fromSecret(
      config.URL_SIGNING_SECRET ??
        await readOrCreateSecret(join(config.DATA_DIR, "url-signing.secret")),
    );
  }

  /** `${base}${path}?expires=…&signature=…`, valid for URL_LIFETIME_SECONDS from `now`. */
  sign(base: string, path: string, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + URL_LIFETIME_SECONDS;
    return `${base}${path}?expires=${expires}&signature=${this.signature(path, expires)}`;
  }

  /** True when the signature matches the path and expiry and the expiry has not passed. */
  verify(
    path: string,
    expires: string | undefined,
    signature: string | undefined,
    now = Date.now(),
  ): boolean {
    if (
      !expires || !signature || !/^\d{1,12}$/.test(expires) ||
      !/^[A-Za-z0-9_-]{43}$/.test(signature)
    ) return false;
    if (Number(expires) * 1000 < now) return false;
    const expected = Buffer.from(this.signature(path, Number(expires)));
    return timingSafeEqual(expected, Buffer.from(signature));
  }

  // node:crypto rather than WebCrypto: synchronous, and cheaper on every image URL handed out.
  private signature(path: string, expires: number): string {
    return createHmac("sha256", this.secret).update(`${path}\n${expires}`).digest("base64url");
  }
}
