// `deno task bench:ab <commit> [rounds]`: is the working tree faster than <commit>? Runs the
// bench's Tokensmart target alternately on <commit> (checked out in a git worktree under
// .tmp/ab-base) and on the working tree, `rounds` times (3), and prints each run's rows and the
// mean of each side. Single runs on the 2-core machine vary by ±20%; alternating rounds show a
// 10% change. BENCH_SECONDS (12 here), BENCH_CONNECTIONS, BENCH_CUSTOMERS, SERVER_THREADS etc.
// pass through to both sides.
const [baseRev, roundsArg] = Deno.args;
if (!baseRev) {
  console.error("usage: deno task bench:ab <base commit> [rounds]");
  Deno.exit(2);
}
const rounds = Number(roundsArg ?? 3);
const root = new URL("../", import.meta.url).pathname;
const baseDir = `${root}.tmp/ab-base`;

async function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

// Resolved here: in the worktree, a name like HEAD would mean the worktree's own checkout.
const baseCommit = (await run("git", ["rev-parse", "--verify", `${baseRev}^{commit}`], root))
  .trim();
try {
  await Deno.stat(baseDir);
  await run("git", ["checkout", "-q", "--detach", baseCommit], baseDir);
} catch (error) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
  await run("git", ["worktree", "add", "-q", "--detach", baseDir, baseCommit], root);
}
console.log(`base: ${baseCommit.slice(0, 7)} (${baseRev}), work: the working tree`);
await run(Deno.execPath(), ["install"], baseDir);

/** req/s by side and connection count. */
const rates: Record<string, Record<string, number[]>> = { base: {}, work: {} };
for (let round = 1; round <= rounds; round++) {
  for (const [side, dir] of [["base", baseDir], ["work", root]] as const) {
    const output = await run(Deno.execPath(), ["run", "-A", "scripts/bench.ts"], dir, {
      BENCH_TARGETS: "tokensmart",
      BENCH_SECONDS: Deno.env.get("BENCH_SECONDS") ?? "12",
    });
    const table = output.slice(output.indexOf("\ntarget "));
    for (const line of table.split("\n").filter((l) => l.startsWith("tokensmart "))) {
      console.log(`${side}  ${line}`);
      const [, connections, rate] = line.trim().split(/\s+/);
      (rates[side][connections] ??= []).push(Number(rate));
    }
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const connections of Object.keys(rates.base)) {
  const [base, work] = [mean(rates.base[connections]), mean(rates.work[connections])];
  console.log(
    `${connections} connections: base ${base.toFixed(0)} req/s, work ${work.toFixed(0)} req/s ` +
      `(${((work / base - 1) * 100).toFixed(1)}%)`,
  );
}
