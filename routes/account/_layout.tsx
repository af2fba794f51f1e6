// Log in and sign up: the public frame.
import type { PageLayout } from "../../framework/context.ts";
import { PublicFrame } from "../../components/PublicFrame.tsx";

const AccountLayout: PageLayout = ({ c, children }) => <PublicFrame c={c}>{children}</PublicFrame>;
export default AccountLayout;
