// GET /v1/images/{id}/content — an image's bytes, for the key's own account only.
import type { Handlers } from "../../../../framework/context.ts";
import { ApiError } from "../../../../services/platform/errors.ts";
import { readImage } from "../../../../services/images/records.ts";

export const handler: Handlers = {
  async GET(c) {
    const { sql, store } = c.var.services;
    const image = await readImage(sql, store, c.req.param("id") ?? "", c.var.caller.userId);
    // Someone else's image answers exactly like a missing one.
    if (!image) {
      throw new ApiError(404, "No such image.", "invalid_request_error", "image_not_found", "id");
    }
    return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": image.contentType,
      "cache-control": "private",
    });
  },
};
