// OpenAI's words for a body parameter of the wrong shape, shared by every endpoint's validation
// (images/request.ts, text/chat_request.ts), so a customer reads the same errors everywhere.
import { ApiError } from "./errors.ts";

/** The body itself: a JSON object, or a 400 in OpenAI's words. */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError(
      400,
      "The request body must be a JSON object.",
      "invalid_request_error",
      "invalid_type",
    );
  }
  return body as Record<string, unknown>;
}

export function missingParameter(param: string): ApiError {
  return new ApiError(
    400,
    `Missing required parameter: '${param}'.`,
    "invalid_request_error",
    "missing_required_parameter",
    param,
  );
}

/** "Invalid type for 'n': expected an integer, but got a string instead." */
export function invalidType(param: string, expected: string, value: unknown): ApiError {
  return new ApiError(
    400,
    `Invalid type for '${param}': expected ${expected}, but got ${describeValue(value)} instead.`,
    "invalid_request_error",
    "invalid_type",
    param,
  );
}

/** A JSON value's type as OpenAI names it: "an integer", "a decimal", "an array", "null", … */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
