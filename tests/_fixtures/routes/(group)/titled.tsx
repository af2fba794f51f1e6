import type { AppContext } from "../../../../framework/context.ts";

export default function Titled({ c }: { c: AppContext }) {
  c.set("title", "Named by its page");
  return <p>titled</p>;
}
