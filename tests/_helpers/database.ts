// Each test file gets a fresh database on the test PostgreSQL, migrated like production.
// scripts/test.ts drops every database of its run (named by TEST_RUN_ID) when the run ends.
import { connect, createDatabase, type Sql } from "../../services/platform/database.ts";
import { migrate } from "../../services/platform/migrations.ts";

export interface TestDatabase {
  sql: Sql;
  url: string;
}

export async function freshDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const adminUrl = Deno.env.get("TEST_DATABASE_URL");
  if (!adminUrl) {
    throw new Error("run the tests with `deno task test` (it provides TEST_DATABASE_URL)");
  }
  const run = Deno.env.get("TEST_RUN_ID") ?? "adhoc";
  const name = `t_${run}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const url = await createDatabase(adminUrl, name);
  const sql = connect(url, { max: options.max ?? 20 });
  await migrate(sql);
  // Models with an announced shutdown stay on sale in tests, whatever today's date is (two image
  // models retire on 2026-12-01): a test that needs a model shut down sets its date itself.
  await sql`update models set shutdown_date = '2099-12-31' where shutdown_date is not null`;
  return { sql, url };
}

/**
 * Deno.test for tests that share a file's database pool: the pool's sockets outlive each test
 * by design, so Deno's per-test resource and op sanitizers are off.
 */
export function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}
