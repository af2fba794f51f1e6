// The one way to change the schema: plain SQL files in migrations/, named NNNN_what.sql, applied
// in name order exactly once each, recorded in schema_migrations. An advisory lock makes servers
// that start together take turns; a changed file that was already applied is refused.
import type { Sql } from "./database.ts";
import { sha256Hex } from "./sha256.ts";

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);
// Any fixed number; it only has to be the same in every process.
const MIGRATION_LOCK = 7_361_204_551;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  for await (const entry of Deno.readDir(MIGRATIONS_DIR)) {
    if (!entry.isFile || !/^\d{4}_[a-z0-9_]+\.sql$/.test(entry.name)) continue;
    const sql = await Deno.readTextFile(new URL(entry.name, MIGRATIONS_DIR));
    files.push({ name: entry.name, sql, checksum: sha256Hex(sql) });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

/** Applies every pending migration; returns the names it applied. */
export async function migrate(sql: Sql): Promise<string[]> {
  const files = await readMigrations();
  return await sql.begin(async (tx) => {
    // Transaction-scoped, so a crash can never leave the lock behind.
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`
      create table if not exists schema_migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`;
    const applied = new Map(
      (await tx<{ name: string; checksum: string }[]>`select name, checksum from schema_migrations`)
        .map((row) => [row.name, row.checksum]),
    );
    const done: string[] = [];
    for (const file of files) {
      const recorded = applied.get(file.name);
      if (recorded !== undefined) {
        if (recorded !== file.checksum) {
          throw new Error(
            `migration ${file.name} changed after it was applied; add a new one instead`,
          );
        }
        continue;
      }
      await tx.unsafe(file.sql);
      await tx`insert into schema_migrations (name, checksum) values (${file.name}, ${file.checksum})`;
      done.push(file.name);
    }
    return done;
  });
}
