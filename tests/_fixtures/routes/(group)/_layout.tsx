import type { PageLayout } from "../../../../framework/context.ts";

const GroupLayout: PageLayout = ({ children }) => <div id="group">{children}</div>;
export default GroupLayout;
