// `deno task migrate`: applies pending migrations and exits.
import { loadConfigOrExit } from "../services/platform/config.ts";
import { openDatabase } from "../services/platform/database.ts";
import { migrate } from "../services/platform/migrations.ts";

const config = loadConfigOrExit();
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
