import type { PageLayout } from "../../../../../framework/context.ts";

// Async, as a layout that reads the database is.
const InnerLayout: PageLayout = async ({ children }) => {
  await Promise.resolve();
  return <section id="inner">{children}</section>;
};
export default InnerLayout;
