// Tokensmart under the bench: a fresh database on the bench's embedded PostgreSQL with one
// customer (a big balance, one API key) and one channel to the stand-in (the demo off: DEMO=off),
// then the real server (`deno run -A main.ts`) as a child process. After the runs, audit() counts
// what the calls left behind and runs the ledger check.
import { join } from "node:path";
import { connect, createDatabase, type Sql } from "../../services/platform/database.ts";
import { migrate } from "../../services/platform/migrations.ts";
import { createUser } from "../../services/accounts/users.ts";
import { topUp } from "../../services/billing/ledger.ts";
import { createApiKey } from "../../services/accounts/api_keys.ts";
import { addChannel } from "../../services/catalog/channels.ts";
import { checkLedger, type InvariantResult } from "../../services/billing/ledger_check.ts";
import { PackImageStore } from "../../services/images/store.ts";
import { Child } from "./processes.ts";

const DATABASE = "tokensmart_bench";

/**
 * Creates and migrates the bench database; returns its URL and one API key per customer (each
 * customer has its own account: calls of different customers never touch the same balance row).
 */
export async function prepareDatabase(
  adminUrl: string,
  upstream: { url: string; key: string },
  customers: number,
): Promise<{ dbUrl: string; apiKeys: string[] }> {
  const dbUrl = await createDatabase(adminUrl, DATABASE);
  const sql = connect(dbUrl, { max: 2 });
  try {
    await migrate(sql);
    const apiKeys = [];
    for (let i = 0; i < customers; i++) apiKeys.push(await createCustomer(sql, i));
    await addChannel(sql, {
      name: "bench-standin",
      provider: "openai",
      baseUrl: upstream.url,
      apiKey: upstream.key,
      models: ["gpt-image-2"],
      priority: 100,
    });
    return { dbUrl, apiKeys };
  } finally {
    await sql.end();
  }
}

/** A customer with $1,000,000 (never the limit) and one API key; returns the key. */
async function createCustomer(sql: Sql, index: number): Promise<string> {
  const user = await createUser(sql, {
    email: `bench${index}@example.com`,
    password: "bench-password",
  });
  await topUp(sql, {
    id: crypto.randomUUID(),
    accountId: user.accountId,
    amount: 1_000_000_000_000n,
  });
  const { key } = await createApiKey(sql, { userId: user.id, name: "bench" });
  return key;
}

/** Starts main.ts on the database (Deno flags such as --inspect before it); resolves with its base URL once it listens. */
export async function startGateway(
  dbUrl: string,
  dataDir: string,
  denoFlags: string[] = [],
): Promise<{ child: Child; url: string }> {
  const child = new Child("tokensmart", Deno.execPath(), ["run", "-A", ...denoFlags, "main.ts"], {
    DATABASE_URL: dbUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    DEMO: "off",
    DATA_DIR: dataDir,
  });
  const [, port] = await child.waitFor(/listening on http:\/\/[^:\s]+:(\d+)/);
  return { child, url: `http://127.0.0.1:${port}` };
}

export interface Audit {
  /** request_log rows by status, e.g. { ok: 1234, cancelled: 3 }. */
  logRows: Record<string, number>;
  settles: number;
  openHolds: number;
  imageRows: number;
  /** Image rows whose bytes the store gives back, at their recorded length. */
  imagesReadable: number;
  ledger: InvariantResult[];
}

export async function audit(dbUrl: string, dataDir: string): Promise<Audit> {
  const sql = connect(dbUrl, { max: 1 });
  try {
    const statuses = await sql<{ status: string; n: bigint }[]>`
      select status, count(*) as n from request_log group by status order by status`;
    const [counts] = await sql<{ settles: bigint; open: bigint; images: bigint }[]>`
      select (select count(*) from ledger_transfers where kind = 'settle') as settles,
             (select count(*) from ledger_open_holds) as open,
             (select count(*) from images) as images`;
    return {
      logRows: Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)])),
      settles: Number(counts.settles),
      openHolds: Number(counts.open),
      imageRows: Number(counts.images),
      imagesReadable: await countReadable(sql, join(dataDir, "images")),
      ledger: await checkLedger(sql),
    };
  } finally {
    await sql.end();
  }
}

async function countReadable(sql: Sql, imagesDir: string): Promise<number> {
  const store = new PackImageStore(imagesDir);
  let readable = 0;
  for await (
    const rows of sql<{ key: string; bytes: number }[]>`
    select storage_key as key, bytes from images`.cursor(500)
  ) {
    for (const row of rows) if ((await store.get(row.key))?.length === row.bytes) readable++;
  }
  return readable;
}
