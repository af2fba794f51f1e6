// The demo login made on first start of the embedded default, so the product can be tried with
// no set-up. Its credentials are fixed and printed at start; it is off with an external database.
// Its calls go to the built-in demo channel (services/catalog/channels.ts) while no real channel serves
// the model, charged at the model's real prices, so the pages show what calls cost.
import type { Sql } from "../platform/database.ts";
import { type Config, demoSetting } from "../platform/config.ts";
import { createUser, findUserByEmail } from "./users.ts";
import { createApiKey } from "./api_keys.ts";
import { topUp } from "../billing/ledger.ts";
import { parseUsd } from "../billing/money.ts";
import { newId } from "../platform/ids.ts";

export const DEMO_EMAIL = "demo@tokensmart.local";
export const DEMO_PASSWORD = "tokensmart-demo";

/** The start-up line saying whether this server runs the demo. */
export function demoStartLine(config: Config): string {
  const { on, because } = demoSetting(config);
  return on
    ? `demo: on (${because}): demo login ${DEMO_EMAIL}; the demo channel serves models with no real channel`
    : `demo: off (${because})`;
}

/** Creates the demo login once; returns lines to print at start. */
export async function ensureDemoLogin(sql: Sql, balanceUsd: string): Promise<string[]> {
  if (await findUserByEmail(sql, DEMO_EMAIL)) {
    return [`demo login: ${DEMO_EMAIL} / ${DEMO_PASSWORD}`];
  }
  const user = await createUser(sql, { email: DEMO_EMAIL, password: DEMO_PASSWORD });
  await topUp(sql, {
    id: newId(),
    accountId: user.accountId,
    amount: parseUsd(balanceUsd),
    note: "demo balance",
  });
  const { key } = await createApiKey(sql, { userId: user.id, name: "demo" });
  return [
    `demo login created: ${DEMO_EMAIL} / ${DEMO_PASSWORD} with $${balanceUsd}`,
    `demo API key (shown once): ${key}`,
  ];
}
