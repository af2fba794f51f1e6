// TEMPORARY, images-page branch only: the html frame for the Images page's browser tests until the
// dashboard layout (branch dashboard) lands. Drop this file at merge, keeping the dashboard's.
import type { ComponentChildren } from "preact";
import type { AppContext } from "../../framework/context.ts";
import { Layout } from "../../components/Layout.tsx";

export default function TemporaryDashboardLayout(
  { children }: { c: AppContext; children: ComponentChildren },
) {
  return <Layout title="Images">{children}</Layout>;
}
