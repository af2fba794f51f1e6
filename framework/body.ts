// Reads a request body with a size cap, so a huge body is refused before it fills memory.
import { ApiError } from "../services/platform/errors.ts";
import { readAtMost } from "../services/platform/capped_read.ts";

export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new ApiError(
      413,
      `The request body is larger than ${maxBytes} bytes.`,
      "invalid_request_error",
      "request_too_large",
    );
  const length = request.headers.get("content-length");
  if (Number(length ?? "0") > maxBytes) throw tooLarge();
  if (!request.body) return "";
  // With its length declared, the body cannot be longer: read at once (much cheaper than by chunks).
  if (length !== null) return await request.text();
  const bytes = await readAtMost(request.body, maxBytes);
  if (bytes === null) throw tooLarge();
  return new TextDecoder().decode(bytes);
}

/** A page's form (application/x-www-form-urlencoded, as forms post by default): small, capped. */
export async function readForm(
  request: Request,
  maxBytes = 8 * 1024,
): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await readBodyText(request, maxBytes)));
}
