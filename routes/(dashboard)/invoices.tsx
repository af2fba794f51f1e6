// GET /invoices: monthly invoices (issue 12); for now, what they will show.
import type { AppContext } from "../../framework/context.ts";
import { ComingSoon } from "../../components/ComingSoon.tsx";

export default function Invoices({ c }: { c: AppContext }) {
  return <ComingSoon c={c} title="dash.nav.invoices" body="soon.invoices" />;
}
