// Where a page may send the browser next (`?next=` after logging in, `back` after switching
// language): a path on this site only, never another site (an open redirect). "//evil.example"
// and "/\evil.example" are other sites to a browser, and so is anything with a scheme.

/** `value` if it is a path on this site, else `fallback`. */
export function localPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length > 2048) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  // Browsers drop tabs and newlines from URLs, which could turn "/\t/evil" into "//evil".
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f\\]/.test(value)) return fallback;
  return value;
}
