// Fills a message's {placeholders}. Shared by the server and the islands (which get their
// messages as props, already in the page's language), so it imports nothing.
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(
    /\{(\w+)\}/g,
    (whole, name) => name in params ? String(params[name]) : whole,
  );
}
