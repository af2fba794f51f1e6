// Public pages: the dashboard's frame for someone signed in, else the public one.
import type { PageLayout } from "../../framework/context.ts";
import { DashboardFrame } from "../../components/DashboardFrame.tsx";
import { PublicFrame } from "../../components/PublicFrame.tsx";

const SiteLayout: PageLayout = ({ c, children }) =>
  c.var.visitor
    ? DashboardFrame({ c, user: c.var.visitor, children })
    : <PublicFrame c={c}>{children}</PublicFrame>;
export default SiteLayout;
