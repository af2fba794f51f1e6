// POST /v1/images/generations — OpenAI's Images API; see services/images.ts for what happens.
import type { Handlers } from "../../../framework/context.ts";
import { readBodyText } from "../../../framework/body.ts";
import { generateImages, logUnreadableCall } from "../../../services/images.ts";
import { ApiError } from "../../../services/errors.ts";
import { MAX_PROMPT_CHARS, MAX_USER_CHARS } from "../../../services/image_request.ts";

// The largest body the rules allow, written as long as JSON can write it: a prompt of
// MAX_PROMPT_CHARS characters (code points), each astral and escaped as a surrogate pair
// ("\ud83c\udfa8", 12 bytes); a `user` of MAX_USER_CHARS UTF-16 units, each "\uXXXX" (6 bytes);
// and 16 KiB for the other fields (short names and values, 6 bytes a character escaped: about
// 2 KiB) and whitespace.
const MAX_BODY_BYTES = MAX_PROMPT_CHARS * 12 + MAX_USER_CHARS * 6 + 16_384;

export const handler: Handlers = {
  async POST(c) {
    let bodyText: string;
    try {
      bodyText = await readBodyText(c.req.raw, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof ApiError) await logUnreadableCall(c.var.services, c.var, error);
      throw error;
    }
    const result = await generateImages(c.var.services, {
      caller: c.var.caller,
      requestId: c.var.requestId,
      startedAt: c.var.startedAt,
      signal: c.req.raw.signal,
      bodyText,
      idempotencyKey: c.req.header("idempotency-key") ?? null,
    });
    if (result.replayed) {
      c.header("idempotent-replayed", "true");
      c.header("x-original-request-id", result.requestId);
    }
    return c.json(result.body);
  },
};
