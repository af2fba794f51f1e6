// `deno task migrate`: applies pending migrations and exits.
import { ConfigError, loadConfig } from "../services/config.ts";
import { openDatabase } from "../services/database.ts";
import { migrate } from "../services/migrations.ts";

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  Deno.exit(2);
}
const db = await openDatabase(config);
try {
  const applied = await migrate(db.sql);
  console.log(
    applied.length
      ? `applied: ${applied.join(", ")}`
      : "nothing to apply: the schema is up to date",
  );
} finally {
  await db.close();
}
