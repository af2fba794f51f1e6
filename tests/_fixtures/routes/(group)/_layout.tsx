import type { PageLayout } from "../../../../framework/context.ts";

const GroupLayout: PageLayout = ({ c, children }) => (
  <div id="group" title={c.var.title}>{children}</div>
);
export default GroupLayout;
