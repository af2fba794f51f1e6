// Customers with money, made through the same services the admin tasks use.
import type { Sql } from "../../services/platform/database.ts";
import { createUser, type User } from "../../services/accounts/users.ts";
import { createApiKey } from "../../services/accounts/api_keys.ts";
import { topUp } from "../../services/billing/ledger.ts";
import type { Micros } from "../../services/billing/money.ts";
import { checkLedger } from "../../services/billing/ledger_check.ts";
import assert from "node:assert/strict";

export async function customer(
  sql: Sql,
  options: { balance?: Micros; spendLimit?: Micros | null } = {},
): Promise<User & { key: string; apiKeyId: bigint }> {
  const user = await createUser(sql, {
    email: `c${crypto.randomUUID().slice(0, 8)}@example.com`,
    password: "correct horse battery",
  });
  if (options.balance) {
    await topUp(sql, {
      id: crypto.randomUUID(),
      accountId: user.accountId,
      amount: options.balance,
    });
  }
  const { key, apiKey } = await createApiKey(sql, {
    userId: user.id,
    spendLimit: options.spendLimit ?? null,
  });
  return { ...user, key, apiKeyId: apiKey.id };
}

export async function assertLedgerHolds(sql: Sql) {
  const broken = (await checkLedger(sql)).filter((r) => !r.ok);
  assert.deepEqual(broken, [], "ledger invariants");
}
