// The README's first command on a fresh machine, where people run it: an ordinary user in their
// home, and root in a private folder (the usual container, where /root is 0700). CI runs as root
// in a world-readable folder, the one place it always worked. Each start is a fresh copy of this
// checkout running `deno task start`'s two steps (the install, then main.ts), stopped by Ctrl-C.
// The product's npm packages come from a Deno cache that already holds them, so nothing is
// fetched again.
import assert from "node:assert/strict";
import OpenAI from "openai";
import {
  freePort,
  type Launch,
  runDeno,
  type ServerProcess,
  startServer,
} from "./_helpers/processes.ts";

const checkout = new URL("../", import.meta.url).pathname;
const isRoot = Deno.uid() === 0;
const ORDINARY_USER = "tokensmart-first-run";

Deno.test("an ordinary user starts the product in their home: PostgreSQL runs as them", async () => {
  // As root, a real ordinary user with a private home; as anyone else, this user is one already.
  const user = isRoot ? await createUser(ORDINARY_USER) : null;
  const home = user?.home ?? await Deno.makeTempDir({ prefix: "tokensmart-home-" });
  try {
    const app = `${home}/tokensmart`;
    await copyCheckout(app);
    let launch: Launch = { cwd: app };
    let env: Record<string, string> = {};
    if (user) {
      // Root's deno and Deno cache are out of the user's reach: they get copies of their own.
      const deno = `${home}/.deno/bin/deno`;
      await Deno.mkdir(`${home}/.deno/bin`, { recursive: true });
      await Deno.copyFile(Deno.execPath(), deno);
      await seedDenoCache(`${home}/.cache/deno`);
      await run(["chown", "-R", `${user.uid}:${user.gid}`, home]);
      const runAs = ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--init-groups"];
      launch = { ...launch, runAs, deno, clearEnv: true };
      env = { HOME: home, USER: user.name, PATH: `${home}/.deno/bin:/usr/bin:/bin` };
    }
    const server = await firstStart(launch, { ...env, EMBEDDED_PG_PORT: String(freePort()) });
    const postgresUser = await ownerOf(`${app}/data/pg`);
    await callAndStop(server, app);
    assert.equal(postgresUser, user?.uid ?? Deno.uid(), "PostgreSQL's files are the user's own");
  } finally {
    if (user) await removeUser(user.name);
    else await Deno.remove(home, { recursive: true });
  }
});

Deno.test({
  name: "root starts the product in a private folder: the postgres user may pass through it" +
    (isRoot ? "" : " (needs root: skipped)"),
  ignore: !isRoot,
  fn: async () => {
    const folder = await Deno.makeTempDir({ prefix: "tokensmart-private-" }); // 0700, like /root
    try {
      const app = `${folder}/app`;
      await copyCheckout(app);
      const pgPort = String(freePort());
      const server = await firstStart({ cwd: app }, { EMBEDDED_PG_PORT: pgPort });
      assert.match(
        server.output(),
        new RegExp(`chmod o\\+x .*${folder}`),
        "the one permission widened is said",
      );
      assert.equal((await Deno.stat(folder)).mode! & 0o777, 0o701, "enter only: not listed");
      await callAndStop(server, app);

      const again = await startServer({ EMBEDDED_PG_PORT: pgPort }, { cwd: app });
      assert.doesNotMatch(again.output(), /chmod/, "nothing left to change the second time");
      assert.equal(await again.stop("SIGINT"), 0);
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test("start installs only what the product runs: no test or bench tool is in its lockfile", async () => {
  const read = async (path: string) => JSON.parse(await Deno.readTextFile(`${checkout}${path}`));
  const benchTools = Object.keys((await read("scripts/bench/tools/deno.json")).imports);
  const tools = ["playwright-core", ...benchTools];
  const locked = Object.keys((await read("deno.lock")).npm).map((entry) => packageOf(entry).name);
  assert.deepEqual(locked.filter((name) => tools.includes(name)), []);
});

/** `deno task start` on a fresh copy: the install step, then the server up and answering. */
async function firstStart(launch: Launch, env: Record<string, string>): Promise<ServerProcess> {
  const install = await runDeno(["task", "setup"], env, launch);
  assert.equal(install.code, 0, install.stdout + install.stderr);
  const server = await startServer({ ...env, DEMO: "on", DEMO_UPSTREAM_DELAY_MS: "0" }, launch);
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200, server.output());
  await health.body?.cancel();
  return server;
}

/** One image with the printed demo key, then Ctrl-C: the server and PostgreSQL stop cleanly. */
async function callAndStop(server: ServerProcess, app: string) {
  try {
    const key = /demo API key \(shown once\): (pk_live_\w+)/.exec(server.output())?.[1];
    assert.ok(key, server.output());
    const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1` });
    const image = await client.images.generate({
      model: "gpt-image-2",
      prompt: "A cozy cabin in a snowy forest at dusk",
      size: "1024x1024",
    });
    const content = await fetch(image.data![0].url!);
    assert.equal(content.status, 200);
    assert.equal(content.headers.get("content-type"), "image/png");
    await content.body?.cancel();
  } finally {
    assert.equal(await server.stop("SIGINT"), 0, server.output());
  }
  await assert.rejects(Deno.stat(`${app}/data/pg/postmaster.pid`), "PostgreSQL stopped");
}

interface User {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

async function createUser(name: string): Promise<User> {
  await run(["userdel", "--remove", name]).catch(() => {}); // left by an interrupted run
  await run(["useradd", "--create-home", "--user-group", "--key", "HOME_MODE=0700", name]);
  const [uid, gid] = await Promise.all(
    ["-u", "-g"].map(async (flag) => Number(await run(["id", flag, name]))),
  );
  const home = (await run(["getent", "passwd", name])).trim().split(":")[5];
  return { name, uid, gid, home };
}

/** This checkout's files as a fresh clone has them (tracked, or new and not ignored). */
async function copyCheckout(to: string) {
  const files = (await run(
    ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    checkout,
  )).split("\0").filter(Boolean);
  for (const file of files) {
    const from = `${checkout}${file}`;
    if (!(await Deno.stat(from).catch(() => null))?.isFile) continue; // deleted, not yet committed
    await Deno.mkdir(`${to}/${file.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.copyFile(from, `${to}/${file}`);
  }
}

/** A Deno cache at `denoDir` holding the product's npm packages (those in deno.lock), from ours. */
async function seedDenoCache(denoDir: string) {
  const { npmCache } = JSON.parse(await run([Deno.execPath(), "info", "--json"], checkout));
  const lock = JSON.parse(await Deno.readTextFile(`${checkout}deno.lock`));
  const paths: string[] = [];
  for (const entry of Object.keys(lock.npm)) {
    const { name, version } = packageOf(entry);
    for (const path of [`${name}/registry.json`, `${name}/${version}`]) {
      // Packages for other platforms are locked but never downloaded.
      const cached = await Deno.stat(`${npmCache}/registry.npmjs.org/${path}`).catch(() => null);
      if (cached) paths.push(`registry.npmjs.org/${path}`);
    }
  }
  await Deno.mkdir(`${denoDir}/npm`, { recursive: true });
  await run(["cp", "-a", "--parents", ...new Set(paths), `${denoDir}/npm`], npmCache);
}

/** A lockfile's npm entry, e.g. "openai@7.55.0_zod@4.6.7" (its peers after "_"). */
function packageOf(entry: string): { name: string; version: string } {
  const [, name, version] = /^(@?[^@]+)@([^_]+)/.exec(entry)!;
  return { name, version };
}

async function ownerOf(path: string): Promise<number> {
  return (await Deno.stat(path)).uid!;
}

/** Ends whatever the user still runs (a failed start may leave PostgreSQL up), then removes them. */
async function removeUser(name: string) {
  for (let i = 0; i < 50; i++) {
    const left = await new Deno.Command("pkill", { args: ["-KILL", "-u", name] }).output();
    if (left.code === 1) break; // no process matched
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await run(["userdel", "--remove", name]);
}

/** Runs a command to its end; its stdout, or an error with what it said. */
async function run(command: string[], cwd?: string): Promise<string> {
  const result = await new Deno.Command(command[0], { args: command.slice(1), cwd }).output();
  const decoder = new TextDecoder();
  if (!result.success) {
    throw new Error(`${command.join(" ")} failed: ${decoder.decode(result.stderr)}`);
  }
  return decoder.decode(result.stdout);
}
