// The JSON body of a /v1 call, parsed once for every kind of call. Every string in it, field
// names too, is checked here for text PostgreSQL cannot store (services/platform/storable_text.ts), so such a call
// is refused with a 400 naming the field before any money moves or any upstream is asked.
import { ApiError } from "./errors.ts";
import { clipText, unstorableReason } from "./storable_text.ts";

/** The parsed body; throws ApiError 400 (invalid_json, or invalid_value naming the field). */
export function parseJsonBody(text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
      "invalid_request_error",
      "invalid_json",
    );
  }
  const found = firstUnstorable(body);
  if (found) {
    const { param, reason, inName } = found;
    const message = inName
      ? `Invalid field name${param ? ` in '${param}'` : ""}: it contains ${reason}.`
      : `Invalid '${param ?? "body"}': the string contains ${reason}.`;
    throw new ApiError(400, message, "invalid_request_error", "invalid_value", param);
  }
  return body;
}

interface Place {
  value: unknown;
  parent: Place | null;
  key: string | number;
}

/**
 * The first string in `body` that cannot be stored, with where it is ("prompt",
 * "messages[0].content"); for a field name, where the object holding it is. A loop, not
 * recursion, and paths built only for what is found: JSON nests deeper than the call stack.
 */
function firstUnstorable(
  body: unknown,
): { param: string | null; reason: string; inName: boolean } | null {
  const stack: Place[] = [{ value: body, parent: null, key: "" }];
  while (stack.length > 0) {
    const place = stack.pop()!;
    const { value } = place;
    if (typeof value === "string") {
      const reason = unstorableReason(value);
      if (reason) return { param: pathOf(place), reason, inName: false };
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], parent: place, key: i });
      }
    } else if (value !== null && typeof value === "object") {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const reason = unstorableReason(keys[i]);
        if (reason) return { param: pathOf(place), reason, inName: true };
        stack.push({
          value: (value as Record<string, unknown>)[keys[i]],
          parent: place,
          key: keys[i],
        });
      }
    }
  }
  return null;
}

/** "a.b[2].c" for a place in the body (its first 200 characters: JSON nests deep); null for the
 *  body itself. */
function pathOf(place: Place): string | null {
  let path = "";
  for (let at: Place | null = place; at?.parent; at = at.parent) {
    path = typeof at.key === "number"
      ? `[${at.key}]${path}`
      : `${at.parent.parent ? "." : ""}${at.key}${path}`;
  }
  return clipText(path, 200) || null;
}
