// Runs on a fresh machine: configuration is validated up front, migrations apply once, the
// server answers /healthz, and the pages and /v1 share one port.
import assert from "node:assert/strict";
import { freshDatabase, test } from "./_helpers/database.ts";
import {
  freePort,
  runScript,
  runServerExpectingFailure,
  startServer,
} from "./_helpers/processes.ts";
import { sessionCookie } from "./_helpers/pages.ts";
import { loadConfig } from "../services/platform/config.ts";
import { migrate, readMigrations } from "../services/platform/migrations.ts";

const db = await freshDatabase();

test("a wrong configuration value stops start-up with one line naming the variable", async () => {
  for (
    const [name, value] of [
      ["PORT", "eighty"],
      ["DATABASE_URL", "mysql://nope"],
      ["HOLD_TIMEOUT_SECONDS", "-3"],
      ["DEMO", "maybe"],
      ["PUBLIC_URL", "not a url"],
    ]
  ) {
    const result = await runServerExpectingFailure({ [name]: value });
    assert.equal(result.code, 2, `${name}=${value} should exit 2`);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], new RegExp(`^invalid configuration: ${name}=`));
  }
});

test("configuration defaults need no environment at all", () => {
  const config = loadConfig({});
  assert.equal(config.PORT, 8000);
  assert.equal(config.DATA_DIR, "./data");
  assert.equal(config.DATABASE_URL, undefined);
  return Promise.resolve();
});

test("migrations apply exactly once, even when servers start together", async () => {
  const results = await Promise.all([migrate(db.sql), migrate(db.sql), migrate(db.sql)]);
  assert.deepEqual(results, [[], [], []], "the fresh database was migrated already");
  const files = await readMigrations();
  const rows = await db.sql`select name from schema_migrations order by name`;
  assert.deepEqual(rows.map((r) => r.name), files.map((f) => f.name));
});

test("the server answers /healthz, pages and /v1 on one port, with a request id", async () => {
  const server = await startServer({ DATABASE_URL: db.url });
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok", database: "reachable" });
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Tokensmart<\/title>/);
    const api = await fetch(`${server.url}/v1/models`);
    assert.equal(api.status, 401);
    assert.match(api.headers.get("x-request-id") ?? "", /^req_[0-9a-f]{32}$/);
    const unknown = await fetch(`${server.url}/v1/nothing-here`, {
      headers: { authorization: "Bearer x" },
    });
    assert.equal(unknown.status, 401);
  } finally {
    assert.equal(await server.stop("SIGTERM"), 0);
  }
});

test("SERVER_THREADS: every thread listens on the one port and answers; SIGTERM stops them all", async () => {
  const server = await startServer({ DATABASE_URL: db.url, SERVER_THREADS: "3" });
  try {
    assert.match(server.output(), /3 server threads/);
    const port = Number(new URL(server.url).port);
    assert.equal(await listeningSockets(port), 3, "one listening socket per thread");
    // New connections, spread by the kernel over the threads: every one is answered.
    const answers = await Promise.all(Array.from({ length: 30 }, async () => {
      const client = Deno.createHttpClient({});
      try {
        const response = await fetch(`${server.url}/healthz`, { client });
        return [response.status, (await response.json()).database];
      } finally {
        client.close();
      }
    }));
    assert.ok(answers.every(([status, database]) => status === 200 && database === "reachable"));
  } finally {
    assert.equal(await server.stop("SIGTERM"), 0);
  }
});

/** Sockets in LISTEN state on `port` (IPv4), from the kernel's table. */
async function listeningSockets(port: number): Promise<number> {
  const rows = (await Deno.readTextFile("/proc/net/tcp")).trim().split("\n").slice(1);
  return rows.map((row) => row.trim().split(/\s+/))
    .filter(([, local, , state]) => state === "0A" && parseInt(local.split(":")[1], 16) === port)
    .length;
}

test("the embedded default: a demo login, admin tasks join the running PostgreSQL, Ctrl-C stops it cleanly", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tokensmart-embedded-" });
  await Deno.chmod(dataDir, 0o755);
  const env = {
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(freePort()),
    DEMO_UPSTREAM_DELAY_MS: "0",
  };
  const server = await startServer({ ...env, DEMO: "on" });
  try {
    assert.match(server.output(), /demo login created: demo@tokensmart\.local \/ tokensmart-demo/);
    const key = /demo API key \(shown once\): (pk_live_\w+)/.exec(server.output())![1];
    const models = await fetch(`${server.url}/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(models.status, 200);
    await models.body?.cancel();

    // The login page says how to try it; the demo login then sees its $25.
    const loginPage = await (await fetch(`${server.url}/account/login`)).text();
    assert.match(loginPage, /demo@tokensmart\.local with the password tokensmart-demo/);
    const cookie = await sessionCookie(server.url, "demo@tokensmart.local", "tokensmart-demo");
    const home = await (await fetch(server.url, { headers: { cookie } })).text();
    assert.match(
      home,
      /<data id="balance" class="balance-amount" value="25\.000000">\$25\.00<\/data>/,
    );

    const balance = await runScript(
      "admin.ts",
      ["balance", "--email", "demo@tokensmart.local"],
      env,
    );
    assert.equal(balance.code, 0, balance.stderr);
    assert.equal(balance.stdout.trim().split("\n").at(-1), "25.000000");
    const postmasters =
      (await new Deno.Command("pgrep", { args: ["-f", `postgres -D ${dataDir}/pg`] }).output())
        .stdout;
    assert.equal(
      new TextDecoder().decode(postmasters).trim().split("\n").length,
      1,
      "one PostgreSQL on the folder",
    );
  } finally {
    assert.equal(await server.stop("SIGINT"), 0);
  }
  assert.match(server.output(), /SIGINT: stopping/);
  await assert.rejects(
    Deno.stat(`${dataDir}/pg/postmaster.pid`),
    "PostgreSQL shut down and removed its pid file",
  );

  const again = await startServer({ ...env, DEMO: "on" });
  try {
    assert.match(
      again.output(),
      /demo login: demo@tokensmart\.local/,
      "the data survived the restart",
    );
    assert.doesNotMatch(again.output(), /demo login created/);
  } finally {
    await again.stop("SIGINT");
  }
  await Deno.remove(dataDir, { recursive: true });
});

test("a PORT in use ends start-up with one line naming PORT and exit code 2, before the one-time demo key is printed", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tokensmart-port-" });
  await Deno.chmod(dataDir, 0o755);
  const env = {
    DATABASE_URL: "",
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(freePort()),
    DEMO: "on",
    HOST: "127.0.0.1",
  };
  // A port the system picked, so it is free of anything else (a fixed one may be in use as
  // another connection's local port).
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  try {
    const result = await runServerExpectingFailure({ ...env, PORT: String(port) });
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(result.stderr.trim().split("\n"), [
      `PORT ${port} is in use by another program: set PORT to a free port (0 picks one)`,
    ]);
    assert.doesNotMatch(
      result.stdout,
      /demo:|demo login|pk_live_/,
      "nothing of the demo is printed",
    );
  } finally {
    taken.close();
  }
  await assert.rejects(Deno.stat(`${dataDir}/pg/postmaster.pid`), "PostgreSQL was stopped");

  const next = await startServer({ ...env, PORT: "0" });
  try {
    assert.match(next.output(), /demo API key \(shown once\): pk_live_\w+/, "the key was kept");
  } finally {
    assert.equal(await next.stop("SIGINT"), 0);
  }
  await Deno.remove(dataDir, { recursive: true });
});

test("an EMBEDDED_PG_PORT in use ends start-up with one line naming EMBEDDED_PG_PORT and exit code 2", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tokensmart-pgport-" });
  await Deno.chmod(dataDir, 0o755);
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  try {
    const result = await runServerExpectingFailure({
      DATABASE_URL: "",
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(port),
      PORT: "0",
    });
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(result.stderr.trim().split("\n"), [
      `EMBEDDED_PG_PORT ${port} is in use by another program: set EMBEDDED_PG_PORT to a free port`,
    ]);
  } finally {
    taken.close();
  }
  await Deno.remove(dataDir, { recursive: true });
});
