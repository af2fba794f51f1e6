// GET /images/<id>.<format>?expires=…&signature=… — the signed, expiring image URLs the API hands out.
import type { Handlers } from "../../framework/context.ts";
import { ApiError } from "../../services/errors.ts";
import { readImage } from "../../services/image_files.ts";

export const handler: Handlers = {
  async GET(c) {
    const { sql, store, signer } = c.var.services;
    const valid = signer.verify(c.req.path, c.req.query("expires"), c.req.query("signature"));
    if (!valid) {
      throw new ApiError(
        403,
        "This image URL is invalid or has expired (signed URLs last 60 minutes).",
        "permission_error",
        "invalid_signature",
      );
    }
    const image = await readImage(sql, store, c.req.param("file").replace(/\.[a-z]+$/, ""));
    if (!image) throw new ApiError(404, "No such image.", "not_found_error", "image_not_found");
    return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": image.contentType,
      "cache-control": "private, max-age=3600",
    });
  },
};
