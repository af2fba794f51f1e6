// The parts of the API keys page: the new key (shown once), the form that makes one, the list.
import type { AppContext } from "../framework/context.ts";
import type { ApiKey } from "../services/accounts/api_keys.ts";
import { displayUsd } from "../services/billing/money.ts";
import { type MessageKey, pick, tFor } from "../services/i18n/index.ts";
import { dateTime } from "../services/i18n/time.ts";
import { Island } from "./Island.tsx";
import { FieldError } from "./FieldError.tsx";
import CopyButton from "../islands/CopyButton.tsx";

export type KeyFormProblems = Partial<Record<"name" | "limit", MessageKey>>;

export function NewKey({ c, key, apiKey }: { c: AppContext; key: string; apiKey: ApiKey }) {
  const t = tFor(c.var.locale);
  return (
    <section class="card new-key" aria-labelledby="new-key">
      <h2 id="new-key">
        {t("keys.new.title")}
        {apiKey.name && <span class="muted">· {apiKey.name}</span>}
      </h2>
      <p id="new-key-once" class="alert alert-notice">{t("keys.new.once")}</p>
      <div class="secret">
        <code>{key}</code>
        <Island
          of={CopyButton}
          props={{
            text: key,
            labels: pick(c.var.locale, ["copy.copy", "copy.copied"]),
            describedBy: "new-key-once",
          }}
        />
      </div>
    </section>
  );
}

export function KeyForm(
  { c, name = "", limit = "", problems = {} }: {
    c: AppContext;
    name?: string;
    limit?: string;
    problems?: KeyFormProblems;
  },
) {
  const t = tFor(c.var.locale);
  const described = (field: "name" | "limit") =>
    problems[field] ? `key-${field}-problem` : `key-${field}-hint`;
  return (
    <section class="card" aria-labelledby="create-key">
      <h2 id="create-key">{t("keys.create.title")}</h2>
      <form method="post" action="/keys" class="key-form">
        <div class="field">
          <label for="key-name">{t("keys.create.name")}</label>
          <input
            id="key-name"
            name="name"
            value={name}
            maxlength={64}
            placeholder={t("keys.create.namePlaceholder")}
            autocomplete="off"
            aria-invalid={problems.name ? "true" : undefined}
            aria-describedby={described("name")}
          />
          {problems.name
            ? <FieldError id="key-name-problem" text={t(problems.name)} />
            : <p id="key-name-hint" class="hint">{t("keys.create.nameHint")}</p>}
        </div>
        <div class="field">
          <label for="key-limit">{t("keys.create.limit")}</label>
          <div class="money-input">
            <span aria-hidden="true">$</span>
            <input
              id="key-limit"
              name="limit"
              value={limit}
              inputmode="decimal"
              placeholder="10.00"
              autocomplete="off"
              aria-invalid={problems.limit ? "true" : undefined}
              aria-describedby={described("limit")}
            />
          </div>
          {problems.limit
            ? <FieldError id="key-limit-problem" text={t(problems.limit)} />
            : <p id="key-limit-hint" class="hint">{t("keys.create.limitHint")}</p>}
        </div>
        <button type="submit" class="primary">{t("keys.create.submit")}</button>
      </form>
    </section>
  );
}

export function KeyList({ c, keys }: { c: AppContext; keys: ApiKey[] }) {
  const t = tFor(c.var.locale);
  const locale = c.var.locale;
  const columns = [
    "keys.col.name",
    "keys.col.key",
    "keys.col.created",
    "keys.col.lastUsed",
    "keys.col.spend",
    "keys.col.status",
  ] as const;
  return (
    <section aria-labelledby="key-list">
      <h2 id="key-list">{t("keys.list.title")}</h2>
      {keys.length === 0 ? <p class="card empty">{t("keys.list.empty")}</p> : (
        <>
          <table class="keys">
            <thead>
              <tr>
                {columns.map((col) => <th key={col} scope="col">{t(col)}</th>)}
                <th scope="col">
                  <span class="sr-only">{t("keys.col.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr class={key.revokedAt ? "revoked" : undefined}>
                  <th scope="row" data-label={t("keys.col.name")}>
                    {key.name || <span class="muted">{t("keys.unnamed")}</span>}
                  </th>
                  <td data-label={t("keys.col.key")}>
                    <code>{key.prefix}…</code>
                  </td>
                  <td data-label={t("keys.col.created")}>
                    <time datetime={key.createdAt.toISOString()}>
                      {dateTime(locale, key.createdAt)}
                    </time>
                  </td>
                  <td data-label={t("keys.col.lastUsed")}>
                    {key.lastUsedAt
                      ? (
                        <time datetime={key.lastUsedAt.toISOString()}>
                          {dateTime(locale, key.lastUsedAt)}
                        </time>
                      )
                      : <span class="muted">{t("keys.never")}</span>}
                  </td>
                  <td data-label={t("keys.col.spend")} class="num">
                    {key.spendLimit === null
                      ? <span class="muted">{t("keys.noLimit")}</span>
                      : t("keys.spentOf", {
                        spent: displayUsd(key.spent),
                        limit: displayUsd(key.spendLimit),
                      })}
                  </td>
                  <td data-label={t("keys.col.status")}>
                    {key.revokedAt
                      ? (
                        <span class="badge" title={dateTime(locale, key.revokedAt)}>
                          {t("keys.revoked")}
                        </span>
                      )
                      : <span class="badge ok">{t("keys.active")}</span>}
                  </td>
                  <td class="actions-cell">{!key.revokedAt && <RevokeKey c={c} apiKey={key} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted small">{t("keys.list.lastUsedNote")}</p>
        </>
      )}
    </section>
  );
}

/** Revoking asks first, without JavaScript: the confirm button sits inside a <details>. */
function RevokeKey({ c, apiKey }: { c: AppContext; apiKey: ApiKey }) {
  const t = tFor(c.var.locale);
  return (
    <details class="revoke">
      <summary>{t("keys.revoke.open")}</summary>
      <form method="post" action={`/keys/${apiKey.id}/revoke`} class="revoke-confirm">
        <p>{t("keys.revoke.confirm", { prefix: apiKey.prefix })}</p>
        <button type="submit" class="danger">{t("keys.revoke.submit")}</button>
      </form>
    </details>
  );
}

export function KeyNotFound({ c }: { c: AppContext }) {
  const t = tFor(c.var.locale);
  c.set("title", t("keys.notFound.title"));
  return (
    <section class="card empty">
      <h1>{t("keys.notFound.title")}</h1>
      <p class="muted">{t("keys.notFound.body")}</p>
      <p>
        <a href="/keys" class="button">{t("keys.back")}</a>
      </p>
    </section>
  );
}
