// Errors every text adapter gives in the same words. Refusals (in OpenAI's envelope) are final for
// the failover, since another channel of the model would refuse too, and passed to the client as
// they are; a malformed answer is the channel's failure, and the next channel is tried. Neither
// is charged.
import { UpstreamError } from "./types.ts";

/** A parameter the model's provider cannot honour, e.g. n=2 for a Claude model. */
export function unsupported(param: string, message: string): UpstreamError {
  return new UpstreamError("refused", message, 400, {
    message,
    type: "invalid_request_error",
    param,
    code: "unsupported_value",
  });
}

/** A value in the request the provider cannot read, e.g. tool arguments that are not JSON. */
export function invalidValue(param: string, message: string): UpstreamError {
  return new UpstreamError("refused", message, 400, {
    message,
    type: "invalid_request_error",
    param,
    code: "invalid_value",
  });
}

/**
 * The provider's safety system blocked the prompt. Worded and coded like a blocked image prompt
 * (content_policy_violation, which isPolicyBlock knows: free, and x-should-retry: false).
 */
export function policyBlock(provider: string, reason: string): UpstreamError {
  const message =
    `Your prompt was blocked by ${provider}'s safety system (${reason}). Nothing was charged; rephrase the prompt and try again.`;
  return new UpstreamError("refused", `prompt blocked: ${reason}`, 400, {
    message,
    type: "invalid_request_error",
    param: "messages",
    code: "content_policy_violation",
  });
}

/** An answer we cannot read is the channel's failure: nothing usable was delivered. */
export function malformed(channel: string, what: string): UpstreamError {
  return new UpstreamError("unavailable", `channel ${channel} sent a malformed ${what}`, 502);
}

/** A streamed event's JSON; anything else is the channel's failure. */
export function parseUpstreamJson(data: string, channel: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw malformed(channel, "stream event (not JSON)");
  }
}
