// `deno task test`: runs every test file against a real PostgreSQL, then prints one closing line
// "N passed, N failed". With DATABASE_URL set, that server is used (each test file makes its own
// database on it); otherwise a throwaway embedded PostgreSQL is started for the run.
import { connect, ensureEmbeddedPostgres } from "../services/platform/database.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

const external = Deno.env.get("DATABASE_URL");
let stopDatabase = async () => {};
let adminUrl = external;
let dataDir: string | undefined;
if (!adminUrl) {
  dataDir = await Deno.makeTempDir({ prefix: "tokensmart-test-" });
  await Deno.chmod(dataDir, 0o755);
  // TEST_PG_PORT, or one the system says is free (a fixed one may be another connection's).
  const port = Number(Deno.env.get("TEST_PG_PORT") || freePort());
  const server = await ensureEmbeddedPostgres(`${dataDir}/pg`, port);
  adminUrl = server.url;
  stopDatabase = server.stop;
  console.log(`test database: embedded PostgreSQL on port ${port}`);
}

const runId = crypto.randomUUID().replaceAll("-", "").slice(0, 8);
// End-to-end tests in tests/; unit tests of pure functions beside their module, in services/
// and framework/.
const testArgs = Deno.args.length ? Deno.args : ["tests/", "services/", "framework/"];
// The tests' own lockfile: the product's packages and the tests' tools (playwright-core), which
// the product's deno.lock never holds.
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", "-A", "--parallel", "--lock=tests/deno.lock", ...testArgs],
  env: { TEST_DATABASE_URL: adminUrl, TEST_RUN_ID: runId, NO_COLOR: "1" },
  stdout: "piped",
  stderr: "inherit",
}).spawn();

// Echo the output as it comes, keeping it to read Deno's own summary at the end.
let output = "";
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  const text = decoder.decode(chunk, { stream: true });
  output += text;
  await Deno.stdout.write(chunk);
}
const status = await child.status;
await dropTestDatabases(adminUrl, runId);
await stopDatabase();
if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});

// Deno ends with e.g. "ok | 41 passed (3 steps) | 0 failed (12s)" or "FAILED | 40 passed | 1 failed".
const summary = [...output.matchAll(/(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/g)].at(-1);
const passed = summary ? Number(summary[1]) : 0;
const failed = summary ? Number(summary[2]) : status.success ? 0 : 1;
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(status.success && failed === 0 ? 0 : 1);

async function dropTestDatabases(url: string, run: string) {
  const sql = connect(url, { max: 1 });
  try {
    const names = await sql<
      { datname: string }[]
    >`select datname from pg_database where datname like ${`t_${run}_%`}`;
    for (const { datname } of names) {
      await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await sql.end();
  }
}
