// Every signed-in page: the sidebar, the balance, the account (components/DashboardFrame.tsx).
import type { PageLayout } from "../../framework/context.ts";
import { DashboardFrame } from "../../components/DashboardFrame.tsx";

const DashboardLayout: PageLayout = ({ c, children }) =>
  DashboardFrame({ c, user: c.var.user, children });
export default DashboardLayout;
