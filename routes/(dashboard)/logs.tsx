// GET /logs: the request log (issue 12); for now, what it will show.
import type { AppContext } from "../../framework/context.ts";
import { ComingSoon } from "../../components/ComingSoon.tsx";

export default function RequestLog({ c }: { c: AppContext }) {
  return <ComingSoon c={c} title="dash.nav.logs" body="soon.logs" />;
}
