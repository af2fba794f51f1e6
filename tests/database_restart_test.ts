// A restart of PostgreSQL under load: the server stays up, answers what it cannot serve with a
// retryable 503, serves again by itself once the database is back, and charges exactly what it
// delivered. Beneath it, postgres.js (vendor/postgres) survives connections whose server process
// ends, and a group commit with no answer ends its backend before anyone decides.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import OpenAI from "openai";
import { freshDatabase, test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { freePort, runScript, type ServerProcess, startServer } from "./_helpers/processes.ts";
import { addStandinChannel } from "./_helpers/app.ts";
import { startStandinUpstream } from "./_helpers/standin_upstream.ts";
import {
  connect,
  createDatabase,
  ensureEmbeddedPostgres,
  type Sql,
} from "../services/platform/database.ts";
import { balanceOf, type HoldInput } from "../services/billing/ledger.ts";
import { revokeApiKey } from "../services/accounts/api_keys.ts";
import { readOrCreateSecret } from "../services/platform/secret_files.ts";
import { FlightTimeout, groupCommit } from "../services/billing/group_commit.ts";

const shared = await freshDatabase();
const HOLD_TIMEOUT_SECONDS = 6;

// ---------------------------------------------------------------------------------------------
// The server under load while PostgreSQL restarts

test("the embedded PostgreSQL restarts under load: the server stays up, fails calls with a retryable 503, serves again, and charges exactly what it delivered", async () => {
  await withDataDir(async (dataDir) => {
    const pgPort = freePort();
    const server = await startServer({
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      HOLD_TIMEOUT_SECONDS: String(HOLD_TIMEOUT_SECONDS),
      SWEEP_INTERVAL_SECONDS: "0.2",
      SERVER_THREADS: "1",
    });
    const password = await readOrCreateSecret(`${dataDir}/pg.password`);
    const dbUrl = `postgres://postgres:${password}@127.0.0.1:${pgPort}/postgres`;
    const pgCtl = await pgCtlOf(`${dataDir}/pg`);
    await restartUnderLoad(server, dbUrl, () => pgCtl(["restart", "-m", "fast"]));
  });
});

test("DATABASE_URL's PostgreSQL stops for a while under load: calls fail with a retryable 503 meanwhile, and once it is back the server serves again and charges exactly what it delivered", async () => {
  await withDataDir(async (dataDir) => {
    const pgPort = freePort();
    const postgres = await ensureEmbeddedPostgres(`${dataDir}/pg`, pgPort);
    const dbUrl = await createDatabase(postgres.url, "tokensmart");
    const server = await startServer({
      DATABASE_URL: dbUrl,
      DATA_DIR: dataDir,
      HOLD_TIMEOUT_SECONDS: String(HOLD_TIMEOUT_SECONDS),
      SWEEP_INTERVAL_SECONDS: "0.2",
      SERVER_THREADS: "1",
    });
    const pgCtl = await pgCtlOf(`${dataDir}/pg`);
    await restartUnderLoad(server, dbUrl, async (failures) => {
      await pgCtl(["stop", "-m", "fast"]);
      // Down long enough for calls to meet it: they are answered, not kept waiting.
      await until("calls are answered while the database is down", () => failures() >= 3);
      await pgCtl(["start", "-o", `-p ${pgPort} -c listen_addresses=127.0.0.1`]);
    });
  });
});

/**
 * Runs steady load on `server` (a stand-in upstream, one customer), calls `restart` once calls go
 * through, and once they go through again checks every promise the server makes about it.
 */
async function restartUnderLoad(
  server: ServerProcess,
  dbUrl: string,
  restart: (failures: () => number) => Promise<void>,
) {
  const sql = connect(dbUrl, { max: 2 });
  const upstream = startStandinUpstream();
  try {
    await addStandinChannel(sql, "stand-in", upstream, 100);
    const ava = await customer(sql, { balance: 100_000_000n });
    const client = new OpenAI({
      apiKey: ava.key,
      baseURL: `${server.url}/v1`,
      maxRetries: 0,
      // A call kept waiting this long is counted as unanswered (status 0), not waited out.
      timeout: 20_000,
    });
    const pid = server.child.pid;

    const load = startLoad(client, 6);
    await until("calls go through", () => load.succeededSince(0) >= 10);
    await restart(() => load.failed().length);
    const back = Date.now();
    await until("calls go through again", () => load.succeededSince(back) >= 20, 30_000);
    const answers = await load.stop();

    assert.equal(server.child.pid, pid);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, "the same server answers");
    for (const failure of answers.filter((a) => a.status !== 200)) {
      assert.deepEqual(
        [failure.status, failure.code, failure.shouldRetry],
        [503, "database_unavailable", "true"],
        `a call the server could not serve is a retryable 503 (${failure.requestId})`,
      );
    }
    await assertChargedAsDelivered(sql, ava.accountId, ava.id, answers);
    await assertNoHoldOutlivedItsDeadline(sql);
    const check = await runScript("admin.ts", ["ledger:check"], { DATABASE_URL: dbUrl });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /ledger check passed/);

    // The key cache heard PostgreSQL's announcements again: a key revoked now is refused at once,
    // not when its cached entry grows old.
    await revokeApiKey(sql, ava.apiKeyId);
    await until("the revoked key is refused", async () => {
      const error = await client.models.list().then(() => null, (e) => e);
      return error instanceof OpenAI.AuthenticationError;
    }, 10_000);

    assert.equal(await server.stop("SIGTERM"), 0, server.output());
  } finally {
    await server.stop("SIGKILL");
    await upstream.close();
    await sql.end({ timeout: 1 });
  }
}

interface Answer {
  requestId: string | null;
  status: number;
  code: string | null;
  shouldRetry: string | null;
  startedAt: number;
}

/** `workers` clients calling image generation one call after another, until stop(). */
function startLoad(client: OpenAI, workers: number) {
  const answers: Answer[] = [];
  let stopping = false;
  const work = async () => {
    while (!stopping) {
      const startedAt = Date.now();
      try {
        const { response } = await client.images.generate({
          model: "gpt-image-2",
          prompt: "steady load",
          size: "1024x1024",
          quality: "low",
        }).withResponse();
        const requestId = response.headers.get("x-request-id");
        answers.push({ requestId, status: 200, code: null, shouldRetry: null, startedAt });
      } catch (error) {
        if (!(error instanceof OpenAI.APIError)) throw error;
        answers.push({
          requestId: error.requestID ?? null,
          status: error.status ?? 0, // 0: no answer at all
          code: error.code ?? null,
          shouldRetry: error.headers?.get("x-should-retry") ?? null,
          startedAt,
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const running = Promise.all(Array.from({ length: workers }, work));
  return {
    succeededSince: (at: number) =>
      answers.filter((a) => a.status === 200 && a.startedAt >= at)
        .length,
    failed: () => answers.filter((a) => a.status !== 200),
    async stop() {
      stopping = true;
      await running;
      return answers;
    },
  };
}

/** Every delivered call is charged exactly once, and nothing else is charged at all. */
async function assertChargedAsDelivered(
  sql: Sql,
  accountId: bigint,
  userId: bigint,
  answers: Answer[],
) {
  const rows = await sql<
    { requestId: string; status: string; cost: bigint; chargeId: string | null; settles: number }[]
  >`
    select l.request_id as "requestId", l.status, l.cost, l.charge_id as "chargeId",
      (select count(*)::int from ledger_transfers t
       where t.kind = 'settle' and t.pending_id = l.hold_id and t.amount = l.cost) as settles
    from request_log l where l.user_id = ${userId}`;
  const logged = new Map(rows.map((row) => [row.requestId, row]));
  let delivered = 0n;
  for (const answer of answers) {
    const row = answer.requestId ? logged.get(answer.requestId) : undefined;
    if (answer.status === 200) {
      assert.ok(row, `a delivered call has its log line (${answer.requestId})`);
      assert.equal(row.status, "ok");
      assert.ok(row.cost > 0n && row.chargeId !== null, `charged (${answer.requestId})`);
      assert.equal(row.settles, 1, `settled once (${answer.requestId})`);
      delivered += row.cost;
    } else if (row) {
      assert.notEqual(row.status, "ok", `a failed call is not logged as delivered`);
      assert.deepEqual([row.cost, row.settles], [0n, 0], `a failed call is free`);
    }
  }
  assert.equal(
    rows.filter((row) => row.status === "ok").length,
    answers.filter((a) => a.status === 200).length,
    "no call was delivered that the client did not get",
  );
  const balance = await balanceOf(sql, accountId);
  assert.equal(balance.posted, 100_000_000n - delivered, "the balance paid for exactly these");
}

/** Every hold was resolved by its deadline (the sweeper's interval aside), and none is open. */
async function assertNoHoldOutlivedItsDeadline(sql: Sql) {
  await until("no hold is open", async () => {
    const [open] = await sql`select count(*)::int as n from ledger_open_holds`;
    return open.n === 0;
  }, (HOLD_TIMEOUT_SECONDS + 10) * 1000);
  const [late] = await sql`
    select count(*)::int as n from ledger_transfers h join ledger_transfers r on r.pending_id = h.id
    where h.kind = 'hold' and r.created_at > h.deadline + interval '3 seconds'`;
  assert.equal(late.n, 0, "holds resolved late");
  const [pending] = await sql`select count(*)::int as n from request_log where status = 'pending'`;
  assert.equal(pending.n, 0, "a call still marked pending");
}

// ---------------------------------------------------------------------------------------------
// postgres.js, when a connection's server process ends (vendor/postgres carries the fixes)

test("a reserved connection whose server process ends fails its queries; nothing is thrown outside them, and the pool serves on", async () => {
  await withPoolOfOne(async (pool) => {
    const reserved = await pool.reserve();
    const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
    await endBackend(pid);
    await assert.rejects(reserved`select 1`);
    await assert.rejects(reserved`select 2`, "a second query on it fails too");
    reserved.release();
    assert.deepEqual([...await pool`select 3 as n`], [{ n: 3 }]);
  });
});

test("a transaction whose server process ends mid-statement fails; its rollback is not written to the dead connection", async () => {
  await withPoolOfOne(async (pool) => {
    let pid = 0;
    const transaction = pool.begin(async (tx) => {
      [{ pid }] = await tx`select pg_backend_pid() as pid`;
      await tx`select pg_sleep(30)`;
    }).then(() => null, (error) => error);
    await until("the transaction runs", () => pid !== 0);
    await endBackend(pid);
    assert.equal((await transaction)?.code, "CONNECTION_CLOSED");
    // The next query, on the same connection opened again, is not failed with the old one's end.
    assert.deepEqual([...await pool`select 1 as n`], [{ n: 1 }]);
  });
});

test("a reserve waiting for a connection whose server process ends gets a connection all the same", async () => {
  await withPoolOfOne(async (pool) => {
    const busy = pool`select pg_sleep(30)`.then(() => {}, () => {});
    const pid = await sleeperPid();
    const reserving = pool.reserve();
    await endBackend(pid);
    const reserved = await Promise.race([
      reserving,
      new Promise<never>((_, reject) => setTimeout(reject, 10_000, new Error("stranded"))),
    ]);
    assert.deepEqual([...await reserved`select 1 as n`], [{ n: 1 }]);
    reserved.release();
    await busy;
  });
});

test("a group commit with no answer in time ends its backend: its transaction is rolled back and its connection comes back", async () => {
  const kit = await customer(shared.sql, { balance: 100_000n });
  const blocker = await shared.sql.reserve();
  await withPoolOfOne(async (pool) => {
    const commits = groupCommit(pool, { flightTimeoutMs: 500 });
    await blocker`begin`;
    await blocker`select 1 from ledger_accounts where id = ${kit.accountId} for update`;
    const error = await commits.write({ hold: holdOf(kit.accountId) }).then(() => null, (e) => e);
    assert.ok(error instanceof FlightTimeout, String(error));
    assert.equal(error.over, true, "its backend was ended");
    await blocker`commit`;
    assert.equal((await balanceOf(shared.sql, kit.accountId)).pending, 0n, "nothing of it is in");
    // The pool's one connection is back: the next group goes through on it.
    assert.equal((await commits.write({ hold: holdOf(kit.accountId) })).hold, "held");
  }).finally(() => blocker.release());
  await assertLedgerHolds(shared.sql);
});

// ---------------------------------------------------------------------------------------------

/** Runs `body` with a pool of one connection to this file's database, ended afterwards. */
async function withPoolOfOne(body: (pool: Sql) => Promise<void>) {
  const pool = connect(shared.url, { max: 1 });
  try {
    await body(pool);
  } finally {
    await pool.end({ timeout: 1 });
  }
}

function holdOf(accountId: bigint): HoldInput {
  return {
    id: crypto.randomUUID(),
    accountId,
    amount: 1_000n,
    timeoutSeconds: 60,
    requestId: "not an API call",
    apiKeyId: null,
    keyHasSpendLimit: false,
  };
}

async function endBackend(pid: number) {
  const [{ ended }] = await shared.sql`select pg_terminate_backend(${pid}, 5000) as ended`;
  assert.ok(ended);
}

/** The backend running `select pg_sleep(30)` on this file's database. */
async function sleeperPid(): Promise<number> {
  let rows: { pid: number }[] = [];
  await until("the sleeper runs", async () => {
    rows = await shared.sql<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and query = 'select pg_sleep(30)' and state = 'active'`;
    return rows.length > 0;
  });
  return rows[0].pid;
}

/** pg_ctl for the PostgreSQL now serving `dataDir` (found beside its binary), run as the user
 *  that owns the data. */
async function pgCtlOf(dataDir: string) {
  const pid = Number((await Deno.readTextFile(`${dataDir}/postmaster.pid`)).split("\n")[0]);
  const pgCtl = `${dirname(await Deno.realPath(`/proc/${pid}/exe`))}/pg_ctl`;
  const owner = await Deno.stat(dataDir);
  return async (args: string[]) => {
    const result = await new Deno.Command(pgCtl, {
      args: [...args, "-D", dataDir, "-w"],
      uid: owner.uid ?? undefined,
      gid: owner.gid ?? undefined,
      // Not piped: the server it starts would keep the pipe open.
      stdout: "null",
      stderr: "null",
    }).output();
    assert.equal(result.code, 0, `pg_ctl ${args.join(" ")}`);
  };
}

/** Runs `body` with a data folder of its own; then stops whatever PostgreSQL still runs on it
 *  (left by a failure) and removes it. */
async function withDataDir(body: (dataDir: string) => Promise<void>) {
  const dataDir = await Deno.makeTempDir({ prefix: "tokensmart-restart-" });
  await Deno.chmod(dataDir, 0o755);
  try {
    await body(dataDir);
  } finally {
    const pid = await Deno.readTextFile(`${dataDir}/pg/postmaster.pid`).then(
      (text) => Number(text.split("\n")[0]),
      () => 0,
    );
    if (pid && (await Deno.stat(`/proc/${pid}`).then(() => true, () => false))) {
      Deno.kill(pid, "SIGINT");
      // PostgreSQL removes postmaster.pid as the last step of its shutdown.
      await until(
        "PostgreSQL stopped",
        () => Deno.stat(`${dataDir}/pg/postmaster.pid`).then(() => false, () => true),
      );
    }
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
