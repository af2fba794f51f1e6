// The one error type the API answers with. It maps to OpenAI's envelope,
// {"error": {"message", "type", "param", "code"}}, so the official SDKs raise the same classes
// for us as for OpenAI (400 BadRequestError, 401 AuthenticationError, 429 RateLimitError, …).

export const ERROR_TYPES = [
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "not_found_error",
  "conflict_error",
  "insufficient_quota",
  "rate_limit_error",
  "image_generation_user_error",
  "server_error",
  "upstream_error",
] as const;

export type ErrorType = typeof ERROR_TYPES[number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Extra fields in the envelope, after OpenAI's four. */
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers (e.g. x-should-retry: false). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  envelope() {
    return {
      error: {
        message: this.message,
        type: this.type,
        param: this.param,
        code: this.code,
        ...this.extra,
      },
    };
  }

  static invalidValue(param: string, message: string) {
    return new ApiError(400, message, "invalid_request_error", "invalid_value", param);
  }

  static invalidApiKey(message: string) {
    return new ApiError(401, message, "invalid_request_error", "invalid_api_key");
  }

  /** The database cannot be reached: the call may be tried again, as the SDKs do by themselves. */
  static databaseUnavailable() {
    return new ApiError(
      503,
      "The server cannot reach its database right now. Please retry in a moment.",
      "server_error",
      "database_unavailable",
      null,
      {},
      { "x-should-retry": "true", "retry-after": "1" },
    );
  }

  static insufficientQuota(message: string) {
    return new ApiError(429, message, "insufficient_quota", "insufficient_quota", null, {}, {
      "x-should-retry": "false",
    });
  }
}
