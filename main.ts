// Starts Tokensmart: configuration, database (embedded unless DATABASE_URL), migrations, the
// HTTP server for the pages and the /v1 API (on SERVER_THREADS threads, all on one port), the
// demo login, the hold sweeper. A port in use ends start-up with one line and exit code 2.
import { demoEnabled, loadConfigOrExit, orExitOnConfigError } from "./services/platform/config.ts";
import { openDatabase } from "./services/platform/database.ts";
import { migrate } from "./services/platform/migrations.ts";
import { startHoldSweeper } from "./services/billing/ledger.ts";
import { demoStartLine, ensureDemoLogin } from "./services/accounts/demo_login.ts";
import { markInterrupted } from "./services/metering/request_log.ts";
import { purgeExpiredIdempotencyKeys } from "./services/metering/idempotency.ts";
import { purgeExpiredSessions } from "./services/accounts/sessions.ts";
import { purgeOldRateLimitWindows } from "./services/accounts/rate_limits.ts";
import { startHttpServer, startServerThreads } from "./framework/server.ts";

const config = loadConfigOrExit();

const db = await orExitOnConfigError(() => openDatabase(config));
console.log(
  config.DATABASE_URL
    ? "database: DATABASE_URL"
    : `database: embedded PostgreSQL in ${config.DATA_DIR}/pg${
      db.ownsEmbeddedServer ? "" : " (already running)"
    }`,
);
const applied = await migrate(db.sql);
if (applied.length) console.log(`migrations applied: ${applied.join(", ")}`);
// Listen before the demo login: its API key is printed only once, and must not be printed by a
// start that then fails on its port.
const server = await orExitOnConfigError(
  () => startHttpServer(config, db.sql, { reusePort: config.SERVER_THREADS > 1 }),
  db.close,
);
console.log(demoStartLine(config));
if (demoEnabled(config)) {
  for (const line of await ensureDemoLogin(db.sql, config.DEMO_BALANCE_USD)) console.log(line);
}

if (config.DATABASE_URL && !config.URL_SIGNING_SECRET) {
  console.warn(
    "note: URL_SIGNING_SECRET is unset, so this server signs image URLs with a key of its own; " +
      "set it when several servers share this database, or their URLs will not work on each other",
  );
}

const sweeper = startHoldSweeper(db.sql, {
  intervalMs: config.SWEEP_INTERVAL_SECONDS * 1000,
  onExpire: markInterrupted,
});
const purgeKeys = setInterval(() => {
  purgeExpiredIdempotencyKeys(db.sql).catch(console.error);
  purgeExpiredSessions(db.sql).catch(console.error);
  purgeOldRateLimitWindows(db.sql).catch(console.error);
}, 3_600_000);
const moreThreads = await startServerThreads(server, config, db.url, config.SERVER_THREADS - 1);
console.log(
  `listening on ${server.url} (public URL ${server.publicUrl}), ${config.SERVER_THREADS} server thread${
    config.SERVER_THREADS > 1 ? "s" : ""
  }`,
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await Promise.all([server.shutdown(), moreThreads.stop()]);
  clearInterval(purgeKeys);
  await sweeper.stop();
  await db.close();
  Deno.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => shutdown(signal));
}
