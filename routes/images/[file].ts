// GET /images/<id>.<format>?expires=…&signature=… — the signed, expiring image URLs the API hands
// out; without a valid signature, the image's owner logged in on the pages (session cookie).
// With `download` in the query, the browser saves it as a file instead of showing it.
import type { Handlers } from "../../framework/context.ts";
import { ApiError } from "../../services/errors.ts";
import { readImage } from "../../services/image_files.ts";
import { SESSION_COOKIE, sessionUser } from "../../services/sessions.ts";
import { getCookie } from "hono/cookie";

export const handler: Handlers = {
  async GET(c) {
    const { sql, store, signer } = c.var.services;
    const id = (c.req.param("file") ?? "").replace(/\.[a-z]+$/, "");
    let ownerId: bigint | undefined;
    if (!signer.verify(c.req.path, c.req.query("expires"), c.req.query("signature"))) {
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
      "cache-control": "private, max-age=3600",
      ...(c.req.query("download") === undefined
        ? {}
        : { "content-disposition": `attachment; filename="tokensmart-${file}"` }),
    });
  },
};
