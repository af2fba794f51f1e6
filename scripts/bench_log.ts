// `deno task bench:log`: how fast the request log's pages open on a big log.
//
// A fresh embedded PostgreSQL (port BENCH_LOG_PG_PORT, 54481), migrated like production; one
// account with BENCH_LOG_ROWS (1,000,000) log rows over 90 days (scripts/bench/log_seed.ts: the
// mix of kinds, models, keys and statuses a busy customer has), plus 500 on a key it hardly
// uses, and four other accounts with BENCH_LOG_OTHER_ROWS (50,000) each, so the account's rows
// are not the whole table. Then, for each query the page runs (services/metering/log_queries.ts,
// the very SQL): the newest page, each filter, a week and a day, a request id, page 100 by
// cursor (reached by walking 99 pages), newer by cursor, the CSV's first batch of 1,000, and one
// call's detail, timed through the client BENCH_LOG_RUNS (9) times after a first (cold) run: the
// median and the slowest in ms, with the plan (what it scanned, the rows it read, the shared
// buffers it touched) from EXPLAIN (ANALYZE, BUFFERS); and the whole log exported as CSV once.
// Then again without the indexes of migrations/0018 (the table as it was: request_log_user on
// (user_id, created_at desc) and the primary key), to see what they buy. Prints a table; exits 1
// when a page with the indexes is not under 100 ms.
import {
  connect,
  createDatabase,
  ensureEmbeddedPostgres,
  type Sql,
} from "../services/platform/database.ts";
import { migrate } from "../services/platform/migrations.ts";
import { createUser } from "../services/accounts/users.ts";
import { createApiKey, listApiKeys } from "../services/accounts/api_keys.ts";
import { logCsv } from "../services/metering/log_csv.ts";
import {
  decodeCursor,
  logDetail,
  logPage,
  type LogQuery,
  logRowsQuery,
} from "../services/metering/log_queries.ts";
import { seedRequestLog } from "./bench/log_seed.ts";

const settings = {
  port: Number(Deno.env.get("BENCH_LOG_PG_PORT") ?? 54481),
  rows: Number(Deno.env.get("BENCH_LOG_ROWS") ?? 1_000_000),
  otherRows: Number(Deno.env.get("BENCH_LOG_OTHER_ROWS") ?? 50_000),
  runs: Number(Deno.env.get("BENCH_LOG_RUNS") ?? 9),
};
const TARGET_MS = 100;

const work = await Deno.makeTempDir({ prefix: "tokensmart-bench-log-" });
await Deno.chmod(work, 0o755); // PostgreSQL runs as its own user and must reach its folder
const server = await ensureEmbeddedPostgres(`${work}/pg`, settings.port);
let exitCode = 1;
try {
  exitCode = await run(server.url);
} finally {
  await server.stop().catch((e) => console.error(`stopping PostgreSQL: ${e}`));
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
Deno.exit(exitCode);

interface Case {
  name: string;
  /** The page's query. */
  query: LogQuery;
  size?: "page" | "batch";
}

interface Timing {
  name: string;
  firstMs: number;
  medianMs: number;
  maxMs: number;
  plan: string;
}

async function run(adminUrl: string): Promise<number> {
  const dbUrl = await createDatabase(adminUrl, "tokensmart_bench_log");
  const sql = connect(dbUrl, { max: 2 });
  try {
    await migrate(sql);
    const started = performance.now();
    const { userId, keyIds } = await seed(sql);
    console.log(
      `seeded ${settings.rows.toLocaleString("en")} rows for one account and ` +
        `${(4 * settings.otherRows).toLocaleString("en")} for four others in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s (with vacuum analyze); ` +
        `${navigator.hardwareConcurrency} cores, ${await tableSize(sql)}\n`,
    );
    const cases = await casesFor(sql, userId, keyIds);
    const withIndexes = await measureAll(sql, userId, cases);
    print("With the indexes of migrations/0018", withIndexes);
    await wholeExport(sql, userId);

    await sql.unsafe(`
      drop index request_log_account_time, request_log_account_kind, request_log_account_model,
        request_log_account_key, request_log_account_status;
      create index request_log_user on request_log (user_id, created_at desc);
      analyze request_log`).simple();
    const without = await measureAll(sql, userId, cases, Math.min(settings.runs, 3));
    print(
      "Without them (request_log_user on (user_id, created_at desc) and the primary key)",
      without,
    );

    const slow = withIndexes.filter((t) => t.medianMs >= TARGET_MS);
    if (slow.length) {
      console.log(`\nOVER ${TARGET_MS} ms: ${slow.map((t) => t.name).join(", ")}`);
      return 1;
    }
    console.log(`\nEvery page under ${TARGET_MS} ms (median) with the indexes.`);
    return 0;
  } finally {
    await sql.end();
  }
}

async function seed(sql: Sql): Promise<{ userId: bigint; keyIds: bigint[] }> {
  const accounts = [];
  for (let i = 0; i < 5; i++) {
    const user = await createUser(sql, {
      email: `log${i}@example.com`,
      password: "bench-password",
    });
    const keyIds = [];
    for (const name of ["production", "staging", "batch jobs", "notebook", "ci"]) {
      keyIds.push((await createApiKey(sql, { userId: user.id, name })).apiKey.id);
    }
    accounts.push({ userId: user.id, keyIds });
  }
  await seedRequestLog(sql, { ...accounts[0], rows: settings.rows, tag: "main" });
  // A key the account hardly uses: 500 calls over the 90 days.
  const rare = (await createApiKey(sql, { userId: accounts[0].userId, name: "old integration" }))
    .apiKey.id;
  await seedRequestLog(sql, { userId: accounts[0].userId, keyIds: [rare], rows: 500, tag: "rare" });
  accounts[0].keyIds.push(rare);
  for (const [i, account] of accounts.slice(1).entries()) {
    await seedRequestLog(sql, { ...account, rows: settings.otherRows, tag: `other-${i}` });
  }
  await sql`vacuum analyze request_log`;
  return accounts[0];
}

async function tableSize(sql: Sql): Promise<string> {
  const [row] = await sql<{ table: string; indexes: string }[]>`
    select pg_size_pretty(pg_table_size('request_log')) as table,
      string_agg(i.indexrelid::regclass || ' ' || pg_size_pretty(pg_relation_size(i.indexrelid)),
        ', ' order by pg_relation_size(i.indexrelid) desc) as indexes
    from pg_index i where i.indrelid = 'request_log'::regclass`;
  return `request_log ${row.table}; its indexes: ${row.indexes}`;
}

/** The page's queries, with rows and cursors taken from the log itself. */
async function casesFor(sql: Sql, userId: bigint, keyIds: bigint[]): Promise<Case[]> {
  const day = (daysAgo: number) =>
    new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const [middle] = await sql<{ requestId: string }[]>`
    select request_id as "requestId" from request_log where user_id = ${userId}
    order by created_at desc, request_id desc offset ${Math.floor(settings.rows / 2)} limit 1`;
  // Page 100, reached as a person would: 99 clicks on Older.
  let query: LogQuery = { filters: {} };
  const walk = performance.now();
  for (let page = 1; page < 100; page++) {
    const { older } = await logPage(sql, userId, query);
    query = { filters: {}, before: decodeCursor(older!)! };
  }
  console.log(
    `walked to page 100 by cursor: ${((performance.now() - walk) / 99).toFixed(2)} ms a page\n`,
  );
  const page100 = query.before!;
  return [
    { name: "newest page", query: { filters: {} } },
    { name: "kind = image", query: { filters: { kind: "image" } } },
    { name: "model = claude-haiku-4-5", query: { filters: { model: "claude-haiku-4-5" } } },
    { name: "model = gpt-4.1 (never used)", query: { filters: { model: "gpt-4.1" } } },
    { name: "key = the 4th (12% of calls)", query: { filters: { key: keyIds[3] } } },
    { name: "key = used for 0.05%", query: { filters: { key: keyIds[5] } } },
    { name: "key = dashboard", query: { filters: { key: "dashboard" } } },
    { name: "status = blocked", query: { filters: { status: "blocked" } } },
    { name: "status = pending (rare)", query: { filters: { status: "pending" } } },
    { name: "a week (from/to)", query: { filters: { from: day(7), to: day(1) } } },
    { name: "one day, 60 days ago", query: { filters: { from: day(60), to: day(60) } } },
    {
      name: "text + failed + one key",
      query: { filters: { kind: "text", status: "failed", key: keyIds[1] } },
    },
    {
      name: "model + a week",
      query: { filters: { model: "gpt-image-1.5", from: day(7), to: day(1) } },
    },
    { name: "request id lookup", query: { filters: {}, requestId: middle.requestId } },
    { name: "page 100 by cursor", query: { filters: {}, before: page100 } },
    { name: "page 100, status = ok", query: { filters: { status: "ok" }, before: page100 } },
    { name: "newer than page 100", query: { filters: {}, after: page100 } },
    { name: "CSV first batch (1,000)", query: { filters: {} }, size: "batch" },
    {
      name: "CSV first batch, model",
      query: { filters: { model: "gpt-5-mini" } },
      size: "batch",
    },
  ];
}

async function measureAll(
  sql: Sql,
  userId: bigint,
  cases: Case[],
  runs = settings.runs,
): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (const c of cases) {
    const times = await timed(runs, () => logRowsQuery(sql, userId, c.query, c.size));
    const plan = await planOf(sql, logRowsQuery(sql, userId, c.query, c.size));
    timings.push({ name: c.name, ...times, plan });
  }
  const [detail] = await sql<{ requestId: string }[]>`
    select request_id as "requestId" from request_log
    where user_id = ${userId} and status = 'ok' limit 1`;
  timings.push({
    name: "one call's detail",
    ...await timed(runs, () => logDetail(sql, userId, detail.requestId)),
    plan: "primary key, ledger and images by their indexes",
  });
  return timings;
}

/** The account's whole log as the CSV download streams it, read to the end. */
async function wholeExport(sql: Sql, userId: bigint) {
  const started = performance.now();
  let bytes = 0;
  let lines = -1; // the header
  const keys = await listApiKeys(sql, userId);
  for await (const chunk of logCsv(sql, userId, { filters: {} }, keys)) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `The whole log as CSV: ${lines.toLocaleString("en")} rows, ${(bytes / 1e6).toFixed(0)} MB ` +
      `in ${seconds.toFixed(1)} s (${Math.round(lines / seconds).toLocaleString("en")} rows/s)\n`,
  );
}

/** `query` run once cold, then `runs` times: the first run's ms, the median and the slowest. */
async function timed(runs: number, query: () => PromiseLike<unknown>) {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    await query();
    times.push(performance.now() - started);
  }
  const [firstMs, ...rest] = times;
  rest.sort((a, b) => a - b);
  return { firstMs, medianMs: rest[Math.floor(rest.length / 2)], maxMs: rest[rest.length - 1] };
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  "Actual Rows"?: number;
  "Rows Removed by Filter"?: number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

/** What the query's plan did to request_log: scans, indexes, rows read and removed, buffers. */
async function planOf(sql: Sql, query: ReturnType<typeof logRowsQuery>): Promise<string> {
  const [row] = await sql`explain (analyze, buffers, format json) ${query}`;
  const [{ Plan: plan, "Execution Time": ms }] = row["QUERY PLAN"] as {
    Plan: PlanNode;
    "Execution Time": number;
  }[];
  const nodes: PlanNode[] = [];
  const visit = (node: PlanNode) => {
    nodes.push(node);
    node.Plans?.forEach(visit);
  };
  visit(plan);
  const steps = nodes
    .filter((n) =>
      n["Relation Name"] === "request_log" || n["Index Name"] || /Sort/.test(n["Node Type"])
    )
    .map((n) => {
      const index = n["Index Name"] ? ` ${n["Index Name"]}` : "";
      const removed = n["Rows Removed by Filter"]
        ? `, ${n["Rows Removed by Filter"]} filtered out`
        : "";
      return `${n["Node Type"]}${index} (${n["Actual Rows"]} rows${removed})`;
    });
  const buffers = (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
  return `${steps.join(" → ")}; ${buffers} buffers; server ${ms.toFixed(2)} ms`;
}

function print(title: string, timings: Timing[]) {
  console.log(`${title}: ms through the client (first run, then median and max of the rest)`);
  const width = Math.max(...timings.map((t) => t.name.length));
  for (const t of timings) {
    const ms = (value: number) => value.toFixed(2).padStart(8);
    console.log(
      `  ${t.name.padEnd(width)} ${ms(t.firstMs)} ${ms(t.medianMs)} ${ms(t.maxMs)}   ${t.plan}`,
    );
  }
  console.log();
}
