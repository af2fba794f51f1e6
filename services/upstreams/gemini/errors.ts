// Gemini's errors, {error: {code, message, status, details}}, sorted the way the failover needs:
// the customer's request at fault ("refused", INVALID_ARGUMENT) or the channel at fault
// ("unavailable"). Google answers a bad API key with 400 INVALID_ARGUMENT (reason
// API_KEY_INVALID) and an unsupported region with 400 FAILED_PRECONDITION: both ours.
import { z } from "zod";
import { UpstreamError } from "../types.ts";

const errorBody = z.looseObject({
  error: z.looseObject({
    code: z.int().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z.array(z.looseObject({ reason: z.string().nullish() })).nullish(),
  }),
});

/** An error answer (HTTP status and body text) as an UpstreamError. */
export function geminiError(status: number, bodyText: string, channel: string): UpstreamError {
  let json: unknown = null;
  try {
    json = JSON.parse(bodyText);
  } catch { /* not JSON: judged by the status alone */ }
  // Some proxies wrap the error in an array, as the REST API does for streamed errors.
  return classify(status, Array.isArray(json) ? json[0] : json, bodyText, channel);
}

/** An error object inside a stream: its own code stands for the HTTP status. */
export function geminiStreamError(body: unknown, channel: string): UpstreamError {
  const parsed = errorBody.safeParse(body);
  return classify(parsed.success ? parsed.data.error.code ?? 500 : 500, body, "", channel);
}

function classify(status: number, json: unknown, bodyText: string, channel: string) {
  const parsed = errorBody.safeParse(json);
  const error = parsed.success ? parsed.data.error : null;
  const message = error?.message ?? bodyText.slice(0, 200);
  const described = `channel ${channel} answered ${status} ${error?.status ?? ""}: ${message}`;
  const keyProblem = error?.details?.some((d) => d.reason?.startsWith("API_KEY")) ||
    /api key/i.test(message);
  const aboutTheRequest = status === 400 && error?.status === "INVALID_ARGUMENT" && !keyProblem;
  if (!aboutTheRequest) return new UpstreamError("unavailable", described, status);
  return new UpstreamError("refused", described, 400, {
    message,
    type: "invalid_request_error",
    param: null,
    code: null,
  });
}
