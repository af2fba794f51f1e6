// `deno task bench`: how fast Tokensmart serves POST /v1/images/generations with billing on,
// next to Portkey's open-source gateway proxying the same upstream without billing.
//
// What runs, each in its own process, all on this machine (127.0.0.1 only):
//   stand-in   scripts/bench/standin.ts: answers like OpenAI at once, with one small PNG
//   portkey    @portkey-ai/gateway under Node, headless, pointed at the stand-in by its
//              x-portkey-provider / x-portkey-custom-host headers
//   tokensmart main.ts on a fresh database in an embedded PostgreSQL (port BENCH_PG_PORT, 54359),
//              one customer with a big balance, one channel to the stand-in, the demo channel off;
//              every call is authenticated, held, sent upstream, stored to DATA_DIR, settled, logged
//   load       autocannon under Node: keep-alive connections sending requests back to back
// Portkey and autocannon are the bench's own tools, pinned in scripts/bench/tools/deno.json with
// their own lockfile (installed there by the bench), so the product's install never fetches them.
// Each target is checked with one request first; then, for each concurrency, each target gets a
// warm-up run and a measured run.
//
// Reading the output: one row per target × concurrency with requests/s, p50 and p99 latency,
// non-2xx answers and connection errors, and CPU use of each process during the run in percent of
// one core (the machine has 2 cores, so 200% is all of it; "load" is autocannon, "machine" counts
// every process, "other" is machine less the named ones: the bench itself, a few percent, plus
// anything else running, which takes CPU from the targets; on a quiet machine it stays small).
// Then Tokensmart / Portkey ratios against the issue's targets (throughput ≥ 1.5×, p50 ≤
// Portkey's), marked PASS or MISS: information, not failures. Last, what Tokensmart's calls left
// behind: request_log rows, ledger settles and stored images (each should equal its 2xx answers,
// give or take calls cut off when a run ends, which finish after the client left) and the ledger
// check.
//
// It exits 1 when something broke: a target failed its first request, Tokensmart answered
// anything but 2xx under load, its records do not add up, or the ledger check failed.
//
// Settings (environment): BENCH_SECONDS (10) per measured run, BENCH_WARMUP_SECONDS (2),
// BENCH_CONNECTIONS ("32,128"), BENCH_TARGETS ("stand-in,portkey,tokensmart"), BENCH_PG_PORT
// (54359), BENCH_CUSTOMERS (1: every call bills the same account and key; N spreads the calls
// over N customers, one key each), BENCH_GATEWAY_DENO_FLAGS (e.g. "--inspect=127.0.0.1:9239" to
// profile the server). Tokensmart's own settings, e.g. DATABASE_POOL_SIZE, pass through to it.
import { type EmbeddedServer, ensureEmbeddedPostgres } from "../services/platform/database.ts";
import { Child, freePort, installTools, stopAll, TOOLS } from "./bench/processes.ts";
import { type LoadResult, startLoad, type Target } from "./bench/load.ts";
import { CpuMeter, type Groups, withChildren } from "./bench/cpu.ts";
import { type Audit, audit, prepareDatabase, startGateway } from "./bench/ours.ts";

const settings = {
  seconds: Number(Deno.env.get("BENCH_SECONDS") ?? 10),
  warmupSeconds: Number(Deno.env.get("BENCH_WARMUP_SECONDS") ?? 2),
  connections: (Deno.env.get("BENCH_CONNECTIONS") ?? "32,128").split(",").map(Number),
  targets: (Deno.env.get("BENCH_TARGETS") ?? "stand-in,portkey,tokensmart").split(","),
  pgPort: Number(Deno.env.get("BENCH_PG_PORT") ?? 54359),
  customers: Number(Deno.env.get("BENCH_CUSTOMERS") ?? 1),
  gatewayDenoFlags: (Deno.env.get("BENCH_GATEWAY_DENO_FLAGS") ?? "").split(" ").filter(Boolean),
};
const STANDIN_KEY = "sk-bench-standin";
/** Processes whose CPU use is shown, in this order. */
const CPU_COLUMNS = ["stand-in", "portkey", "tokensmart", "postgres", "load", "other", "machine"];
const REQUEST = JSON.stringify({
  model: "gpt-image-2",
  prompt: "bench",
  size: "1024x1024",
  quality: "low",
});

interface Row {
  target: string;
  connections: number;
  load: LoadResult;
  cpu: Record<string, number>;
}

const work = await Deno.makeTempDir({ prefix: "tokensmart-bench-" });
await Deno.chmod(work, 0o755); // PostgreSQL runs as its own user and must reach its folder
let database: EmbeddedServer | null = null;
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll();
    await database?.stop().catch((e) => console.error(`stopping PostgreSQL: ${e}`));
    await Deno.remove(work, { recursive: true }).catch(() => {});
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    console.error(`\n${signal}: stopping the bench`);
    await cleanup();
    Deno.exit(130);
  });
}

let exitCode = 0;
try {
  exitCode = await run();
} catch (error) {
  // After Ctrl-C the runs fail as their processes are stopped: that is no news.
  if (!cleaning) console.error(`bench failed: ${error instanceof Error ? error.stack : error}`);
  exitCode = 1;
} finally {
  await cleanup();
}
Deno.exit(exitCode);

async function run(): Promise<number> {
  await installTools();
  console.log(
    `POST /v1/images/generations: ${settings.seconds} s per run after ${settings.warmupSeconds} s ` +
      `of warm-up, at ${settings.connections.join(" and ")} connections, ` +
      `${navigator.hardwareConcurrency} cores`,
  );
  const { targets, groups, servers, ours } = await startTargets();
  const rows: Row[] = [];
  let ours2xx = 1; // the check request
  for (const connections of settings.connections) {
    for (const target of targets) {
      const warmup = await startLoad(target, connections, settings.warmupSeconds).done;
      const row = await measure(target, connections, groups);
      rows.push(row);
      if (target.name === "tokensmart") ours2xx += warmup.ok2xx + row.load.ok2xx;
      console.log(formatRow(row));
      if (row.load.errors || row.load.non2xx) showOutput(servers[target.name]);
    }
  }
  console.log();
  printTable(rows);
  printTargets(rows);
  const problems = underLoadProblems(rows);
  if (ours) problems.push(...await printRecords(ours, ours2xx, rows));
  if (problems.length) {
    console.log(`\n!!! PROBLEMS !!!\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return 1;
  }
  return 0;
}

/** Starts the stand-in and the targets asked for, each checked with one request. */
async function startTargets() {
  const standinArgs = ["run", "-A", "scripts/bench/standin.ts"];
  const standin = new Child("stand-in", Deno.execPath(), standinArgs, { STANDIN_KEY });
  const [, standinUrl] = await standin.waitFor(/listening on (http:\/\/\S+)/);
  const groups: Groups = { "stand-in": () => [standin.pid] };
  const servers: Record<string, Child> = { "stand-in": standin };
  const targets: Target[] = [];
  const expected = await check(standinTarget(standinUrl), "b64_json");

  if (settings.targets.includes("stand-in")) targets.push(standinTarget(standinUrl));
  if (settings.targets.includes("portkey")) {
    const { child, target } = await startPortkey(standinUrl);
    groups.portkey = () => [child.pid];
    servers.portkey = child;
    const got = await check(target, "b64_json");
    if (got !== expected) throw new Error("portkey did not pass on the stand-in's image");
    targets.push(target);
  }
  let ours: { child: Child; dbUrl: string; dataDir: string } | null = null;
  if (settings.targets.includes("tokensmart")) {
    const started = await startOurs(`${standinUrl}/v1`);
    groups.tokensmart = () => [started.child.pid];
    servers.tokensmart = started.child;
    groups.postgres = () => withChildren(started.postmasterPid);
    const url = await check(started.target, "url");
    await checkImage(url, started.target.url);
    targets.push(started.target);
    ours = started;
  }
  return { targets, groups, servers, ours };
}

/** The end of a server's output, after a run that went wrong. */
function showOutput(server: Child | undefined) {
  if (!server) return;
  const tail = server.output().split("\n").slice(-30).join("\n  ");
  console.log(`  ${server.name} said (last lines):\n  ${tail}`);
}

function standinTarget(url: string): Target {
  return {
    name: "stand-in",
    url: `${url}/v1/images/generations`,
    headers: { authorization: `Bearer ${STANDIN_KEY}` },
    body: REQUEST,
  };
}

async function startPortkey(standinUrl: string) {
  const port = freePort();
  const child = new Child("portkey", "node", [
    `${TOOLS}@portkey-ai/gateway/build/start-server.js`,
    `--port=${port}`,
    "--headless",
  ]);
  await child.waitFor(/Ready for connections/);
  const target: Target = {
    name: "portkey",
    url: `http://127.0.0.1:${port}/v1/images/generations`,
    headers: {
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": `${standinUrl}/v1`,
      authorization: `Bearer ${STANDIN_KEY}`,
    },
    body: REQUEST,
  };
  return { child, target };
}

async function startOurs(upstreamUrl: string) {
  database = await ensureEmbeddedPostgres(`${work}/pg`, settings.pgPort);
  const postmasterPid = Number(
    (await Deno.readTextFile(`${work}/pg/postmaster.pid`)).split("\n")[0],
  );
  const { dbUrl, apiKeys } = await prepareDatabase(
    database.url,
    { url: upstreamUrl, key: STANDIN_KEY },
    settings.customers,
  );
  const dataDir = `${work}/data`;
  const { child, url } = await startGateway(dbUrl, dataDir, settings.gatewayDenoFlags);
  const target: Target = {
    name: "tokensmart",
    url: `${url}/v1/images/generations`,
    headers: { authorization: `Bearer ${apiKeys[0]}` },
    body: REQUEST,
    authorizations: apiKeys.map((key) => `Bearer ${key}`),
  };
  return { child, target, dbUrl, dataDir, postmasterPid };
}

/** One request before measuring: 200, and data[0][field] present; returns that field. */
async function check(target: Target, field: "b64_json" | "url"): Promise<string> {
  const response = await fetch(target.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...target.headers },
    body: target.body,
  });
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text)?.data?.[0]?.[field];
  } catch { /* reported below */ }
  if (response.status !== 200 || typeof value !== "string" || !value) {
    throw new Error(
      `${target.name}: first request got ${response.status}, no data[0].${field}: ${
        text.slice(0, 500)
      }`,
    );
  }
  console.log(`${target.name}: first request OK (200, data[0].${field})`);
  return value;
}

/** Our answer's URL serves the stored PNG (fetched from the address we listen on). */
async function checkImage(imageUrl: string, targetUrl: string) {
  const url = new URL(imageUrl);
  const base = new URL(targetUrl);
  url.host = base.host;
  const response = await fetch(url);
  const type = response.headers.get("content-type");
  await response.body?.cancel();
  if (response.status !== 200 || type !== "image/png") {
    throw new Error(`tokensmart: the image URL answered ${response.status} ${type}`);
  }
}

async function measure(target: Target, connections: number, groups: Groups): Promise<Row> {
  const load = startLoad(target, connections, settings.seconds);
  const meter = new CpuMeter({ ...groups, load: () => [load.pid] });
  const result = await load.done;
  return { target: target.name, connections, load: result, cpu: meter.stop() };
}

function formatRow(row: Row): string {
  const { load } = row;
  const cells = [
    row.target.padEnd(11),
    String(row.connections).padStart(5),
    load.requestsPerSecond.toFixed(0).padStart(8),
    load.p50Ms.toFixed(1).padStart(7),
    load.p99Ms.toFixed(1).padStart(7),
    String(load.non2xx).padStart(8),
    String(load.errors).padStart(7),
    "  ",
    ...CPU_COLUMNS.map((name) =>
      (name in row.cpu ? `${row.cpu[name]}%` : "-").padStart(name.length + 1)
    ),
  ];
  return cells.join(" ");
}

function printTable(rows: Row[]) {
  const header = [
    "target".padEnd(11),
    "conns".padStart(5),
    "req/s".padStart(8),
    "p50 ms".padStart(7),
    "p99 ms".padStart(7),
    "non-2xx".padStart(8),
    "errors".padStart(7),
    " |",
    ...CPU_COLUMNS.map((name) => name.padStart(name.length + 1)),
  ].join(" ");
  console.log(`${header}\n${"-".repeat(header.length)}`);
  for (const row of rows) console.log(formatRow(row));
  console.log(
    "(CPU columns: percent of one core during the measured run, 200% = both cores; " +
      'a large "other" means something else was running)',
  );
}

/** Tokensmart against Portkey, per concurrency, with the issue's targets. */
function printTargets(rows: Row[]) {
  for (const connections of settings.connections) {
    const find = (name: string) =>
      rows.find((r) => r.target === name && r.connections === connections);
    const ours = find("tokensmart");
    const portkey = find("portkey");
    if (!ours || !portkey) continue;
    const throughput = ours.load.requestsPerSecond / portkey.load.requestsPerSecond;
    const p50 = ours.load.p50Ms / portkey.load.p50Ms;
    console.log(
      `\nat ${connections} connections, tokensmart / portkey:\n` +
        `  throughput ${throughput.toFixed(2)}x (${ours.load.requestsPerSecond.toFixed(0)} vs ` +
        `${portkey.load.requestsPerSecond.toFixed(0)} req/s)  target >= 1.5x: ${
          mark(throughput >= 1.5)
        }\n` +
        `  p50        ${p50.toFixed(2)}x (${ours.load.p50Ms} vs ${portkey.load.p50Ms} ms)` +
        `  target <= 1x: ${mark(p50 <= 1)}`,
    );
  }
  console.log(
    "\n(issue's targets: our billed throughput at least 1.5 x Portkey's unbilled proxy, " +
      "p50 no worse than Portkey's; informational)",
  );
}

function mark(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

function underLoadProblems(rows: Row[]): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    const { non2xx, errors } = row.load;
    if (non2xx === 0 && errors === 0) continue;
    const what =
      `${row.target} at ${row.connections} connections: ${non2xx} non-2xx, ${errors} errors`;
    if (row.target === "tokensmart") problems.push(what);
    else console.log(`\n!!! WARNING: ${what} (the comparison is off for that run)`);
  }
  return problems;
}

/** What Tokensmart's calls left behind, once it has stopped; returns the problems found. */
async function printRecords(
  ours: { child: Child; dbUrl: string; dataDir: string },
  ours2xx: number,
  rows: Row[],
): Promise<string[]> {
  await ours.child.stop(60_000); // a graceful stop: the calls still in flight finish first
  const found: Audit = await audit(ours.dbUrl, ours.dataDir);
  const ok = found.logRows.ok ?? 0;
  // Calls in flight when a run stops still finish (and are billed) after autocannon has left.
  const cutOff = rows.filter((r) => r.target === "tokensmart")
    .reduce((sum, r) => sum + 2 * r.connections, 0); // the warm-up's and the measured run's
  const ledgerOk = found.ledger.every((r) => r.ok);
  console.log(
    `\ntokensmart's records (all runs, warm-ups and the check request included):\n` +
      `  2xx answers received          ${ours2xx}\n` +
      `  request_log rows by status    ${JSON.stringify(found.logRows)}\n` +
      `  ledger settles                ${found.settles}\n` +
      `  images: rows / readable       ${found.imageRows} / ${found.imagesReadable}\n` +
      `  open holds                    ${found.openHolds}\n` +
      `  ledger check                  ${ledgerOk ? "PASS" : "FAIL"} ` +
      `(${found.ledger.length} invariants)`,
  );
  const problems: string[] = [];
  for (const r of found.ledger.filter((r) => !r.ok)) {
    problems.push(`ledger check: ${r.name}: ${JSON.stringify(r.violations)}`);
  }
  if (found.settles !== ok || found.imageRows !== ok || found.imagesReadable !== ok) {
    problems.push(
      `ok rows ${ok}, settles ${found.settles}, images ${found.imageRows}/${found.imagesReadable} differ`,
    );
  }
  if (ok < ours2xx || ok > ours2xx + cutOff) {
    problems.push(`${ok} ok rows for ${ours2xx} 2xx answers (at most ${cutOff} may be cut off)`);
  }
  if (found.openHolds !== 0) problems.push(`${found.openHolds} holds still open`);
  return problems;
}
