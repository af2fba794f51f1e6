// GET /images/<id>.<format>?expires=…&signature=… — the signed, expiring image URLs the API hands
// out; without a valid signature, the image's owner logged in on the pages (session cookie).
// With `download` in the query, the browser saves it as a file instead of showing it.
import type { Handlers } from "../../framework/context.ts";
import { ApiError } from "../../services/platform/errors.ts";
import { readImage } from "../../services/images/records.ts";
import { SESSION_COOKIE, sessionUser } from "../../services/accounts/sessions.ts";
import { getCookie } from "hono/cookie";

const nowSeconds = () => Math.floor(Date.now() / 1000);

export const handler: Handlers = {
  async GET(c) {
    const { sql, store, signer } = c.var.services;
    const id = (c.req.param("file") ?? "").replace(/\.[a-z]+$/, "");
    let ownerId: bigint | undefined;
    const expires = c.req.query("expires");
    if (!signer.verify(c.req.path, expires, c.req.query("signature"))) {
      // Without a valid signature, only its owner's session sees an image.
      const userId = await sessionUser(sql, getCookie(c, SESSION_COOKIE));
      if (userId === null) {
        throw new ApiError(
          403,
          "This image URL is invalid or has expired (signed URLs last 60 minutes).",
          "permission_error",
          "invalid_signature",
        );
      }
      ownerId = userId;
    }
    const image = await readImage(sql, store, id, ownerId);
    if (!image) throw new ApiError(404, "No such image.", "not_found_error", "image_not_found");
    const file = `${id}.${image.contentType.replace("image/", "")}`;
    return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": image.contentType,
      ...(ownerId === undefined
        // A signed URL is a bearer URL: whoever holds it may see the image until it expires, so
        // a browser may keep it that long (and no longer).
        ? { "cache-control": `private, max-age=${Math.max(0, Number(expires) - nowSeconds())}` }
        // Shown to a session: once logged out, the browser must ask again, and be refused.
        : { "cache-control": "private, no-store", vary: "Cookie" }),
      ...(c.req.query("download") === undefined
        ? {}
        : { "content-disposition": `attachment; filename="tokensmart-${file}"` }),
    });
  },
};
