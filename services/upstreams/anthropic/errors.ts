// Anthropic's errors, {type: "error", error: {type, message}}, sorted the way the failover needs:
// the customer's request at fault ("refused": passed through in OpenAI's envelope, final) or the
// channel at fault ("unavailable": our key, our credit, a limit, an outage: the next channel).
import { z } from "zod";
import { UpstreamError } from "../types.ts";

const errorBody = z.looseObject({
  error: z.looseObject({ type: z.string(), message: z.string().optional() }),
});

/** The HTTP status each error type comes with; a streamed error event has only the type. */
const STATUS_OF: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** An error answer (HTTP status and body text) as an UpstreamError. */
export function anthropicError(status: number, bodyText: string, channel: string): UpstreamError {
  let json: unknown = null;
  try {
    json = JSON.parse(bodyText);
  } catch { /* not JSON: judged by the status alone */ }
  const parsed = errorBody.safeParse(json);
  const type = parsed.success ? parsed.data.error.type : null;
  const message = parsed.success && parsed.data.error.message
    ? parsed.data.error.message
    : bodyText.slice(0, 200);
  return classify(status, type, message, channel);
}

/** An `error` event in a stream (e.g. overloaded_error mid-answer, which is a 529 in effect). */
export function anthropicStreamError(data: unknown, channel: string): UpstreamError {
  const parsed = errorBody.safeParse(data);
  const type = parsed.success ? parsed.data.error.type : "api_error";
  const message = parsed.success ? parsed.data.error.message ?? type : "malformed error event";
  return classify(STATUS_OF[type] ?? 500, type, message, channel);
}

function classify(
  status: number,
  type: string | null,
  message: string,
  channel: string,
): UpstreamError {
  const described = `channel ${channel} answered ${status} ${type ?? ""}: ${message}`;
  // Anthropic answers an empty prepaid balance with 400 invalid_request_error: ours, not theirs.
  const ourAccount = /credit balance|billing|plan/i.test(message);
  const aboutTheRequest = (status === 400 && type === "invalid_request_error" && !ourAccount) ||
    status === 413;
  if (!aboutTheRequest) return new UpstreamError("unavailable", described, status);
  return new UpstreamError("refused", described, 400, {
    message,
    type: "invalid_request_error",
    param: null,
    code: status === 413 ? "request_too_large" : null,
  });
}
