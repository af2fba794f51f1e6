// The home page: what Tokensmart is and how to make the first call.
import type { AppContext } from "../framework/context.ts";
import { Layout } from "../components/Layout.tsx";
import { Island } from "../components/Island.tsx";
import CopyButton from "../islands/CopyButton.tsx";

export default function Home({ c }: { c: AppContext }) {
  const base = `${c.var.services.publicUrl}/v1`;
  const curl = `curl ${base}/images/generations \\
  -H "Authorization: Bearer pk_live_..." \\
  -H "Content-Type: application/json" \\
  -d '{"model":"gpt-image-2","prompt":"A cozy cabin in a snowy forest at dusk","size":"1024x1024"}'`;
  return (
    <Layout title="Tokensmart">
      <h1>Tokensmart</h1>
      <p>One API key, one prepaid balance and one request log for text and image models.</p>
      <p class="muted">
        OpenAI-compatible: point your SDK's <code>base_url</code> at <code>{base}</code>.
      </p>
      <pre>
        <code>{curl}</code>
        <Island of={CopyButton} props={{ text: curl }} />
      </pre>
    </Layout>
  );
}
