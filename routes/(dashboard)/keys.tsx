// GET /keys: the account's API keys; POST /keys: create one (name, optional spend limit in USD),
// answered with the new key, shown this once. Revoking: routes/(dashboard)/keys/[id]/revoke.ts.
import { z } from "zod";
import type { AppContext, Handlers } from "../../framework/context.ts";
import { renderPage } from "../../framework/render.tsx";
import { readForm } from "../../framework/body.ts";
import { type ApiKey, createApiKey, listApiKeys } from "../../services/accounts/api_keys.ts";
import { type Micros, parseUsd } from "../../services/billing/money.ts";
import { type MessageKey, tFor } from "../../services/i18n/index.ts";
import { KeyForm, type KeyFormProblems, KeyList, NewKey } from "../../components/keys.tsx";

const keyForm = z.object({
  name: z.string().trim().max(64, "keys.create.longName").default(""),
  limit: z.string().trim().default("").transform((text, ctx): Micros | null => {
    if (text === "") return null;
    let micros: Micros;
    try {
      micros = parseUsd(text.replace(/^\$\s*/, ""));
    } catch {
      ctx.addIssue({ code: "custom", message: "keys.create.badLimit" });
      return z.NEVER;
    }
    if (micros === 0n) ctx.addIssue({ code: "custom", message: "keys.create.zeroLimit" });
    return micros;
  }),
});

export const handler: Handlers = {
  async POST(c) {
    const form = await readForm(c.req.raw, 4096);
    const parsed = keyForm.safeParse(form);
    if (!parsed.success) {
      const problems: KeyFormProblems = {};
      for (const issue of parsed.error.issues) {
        problems[issue.path[0] as keyof KeyFormProblems] = issue.message as MessageKey;
      }
      return renderPage(
        c,
        ({ c }) => KeysPage({ c, form: { name: form.name, limit: form.limit, problems } }),
        400,
      );
    }
    const { key, apiKey } = await createApiKey(c.var.services.sql, {
      userId: c.var.user.id,
      name: parsed.data.name,
      spendLimit: parsed.data.limit,
    });
    return renderPage(c, ({ c }) => KeysPage({ c, created: { key, apiKey } }));
  },
};

export default function Keys({ c }: { c: AppContext }) {
  return KeysPage({ c, revokedId: c.req.query("revoked") });
}

// Async (it reads the keys): called, not mounted, as render.tsx awaits only the page itself.
async function KeysPage({ c, form, created, revokedId }: {
  c: AppContext;
  form?: { name?: string; limit?: string; problems: KeyFormProblems };
  created?: { key: string; apiKey: ApiKey };
  revokedId?: string;
}) {
  const t = tFor(c.var.locale);
  c.set("title", t("keys.title"));
  const keys = (await listApiKeys(c.var.services.sql, c.var.user.id)).reverse();
  const revoked = keys.find((k) => String(k.id) === revokedId && k.revokedAt);
  return (
    <>
      <header class="page-head">
        <h1>{t("keys.title")}</h1>
        <p class="lead">{t("keys.lead")}</p>
        <p class="muted small">
          {t("keys.baseUrl")}: <code>{c.var.services.publicUrl}/v1</code>
        </p>
      </header>
      {revoked && (
        <p class="alert alert-success" role="status">
          {t("keys.revoke.done", { prefix: revoked.prefix })}
        </p>
      )}
      {created && <NewKey c={c} {...created} />}
      <KeyForm c={c} {...form} />
      <KeyList c={c} keys={keys} />
    </>
  );
}
