// Puts an island on a page: its server-rendered HTML now, hydrated in the browser later.
// Props must be JSON: they travel to the browser in the page.
import { type ComponentType, h } from "preact";
import { ISLAND_PREFIX } from "../framework/islands.ts";

export function Island<P extends Record<string, unknown>>(
  { of: Component, props }: { of: ComponentType<P>; props: P },
) {
  const name = Component.displayName ?? Component.name;
  return (
    <>
      {h(
        "tsm-island",
        // Laid out as if absent: static/styles.css says so (the CSP allows no style attributes).
        { "data-island": name, "data-props": JSON.stringify(props) },
        h(Component, props),
      )}
      <script type="module" src={`${ISLAND_PREFIX}${name}.js`} />
    </>
  );
}
