import type { PageLayout } from "../../../../../framework/context.ts";

const InnerLayout: PageLayout = ({ children }) => <section id="inner">{children}</section>;
export default InnerLayout;
