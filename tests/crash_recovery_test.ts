// A crash never strands money: a server killed with SIGKILL mid-call leaves open holds; after a
// restart the ledger check passes and the sweeper gives the money back once the deadlines pass.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { freshDatabase, test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { runScript, startServer } from "./_helpers/processes.ts";
import { addStandinChannel } from "./_helpers/app.ts";
import { startStandinUpstream } from "./_helpers/standin_upstream.ts";
import { balanceOf } from "../services/billing/ledger.ts";

const { sql, url } = await freshDatabase();

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("a server killed with SIGKILL while holds are open: the ledger check passes and the money comes back", async () => {
  const upstream = startStandinUpstream();
  upstream.respond = () => ({ kind: "hang" });
  await addStandinChannel(sql, "hanging", upstream, 100, 60_000);
  const rita = await customer(sql, { balance: 1_000_000n });
  const env = {
    DATABASE_URL: url,
    DATA_DIR: await Deno.makeTempDir({ prefix: "tokensmart-crash-" }),
    HOLD_TIMEOUT_SECONDS: "12",
    SWEEP_INTERVAL_SECONDS: "0.2",
  };

  const first = await startServer(env);
  const client = new OpenAI({ apiKey: rita.key, baseURL: `${first.url}/v1`, maxRetries: 0 });
  const calls = Array.from(
    { length: 5 },
    (_, i) =>
      client.images.generate({
        model: "gpt-image-2",
        prompt: `in flight ${i}`,
        size: "1024x1024",
        quality: "low",
      }).catch((e) => e),
  );
  await until(
    "five holds are open",
    async () => (await balanceOf(sql, rita.accountId)).pending === 5n * 7_200n,
  );
  await first.stop("SIGKILL");
  const outcomes = await Promise.all(calls);
  assert.ok(
    outcomes.every((o) => o instanceof OpenAI.APIConnectionError),
    "the killed server answered nobody",
  );

  const afterCrash = await runScript("admin.ts", ["ledger:check"], { DATABASE_URL: url });
  assert.equal(afterCrash.code, 0, afterCrash.stdout + afterCrash.stderr);
  assert.match(afterCrash.stdout, /ledger check passed/);
  assert.equal(
    (await balanceOf(sql, rita.accountId)).available,
    1_000_000n - 5n * 7_200n,
    "still held until the deadline",
  );

  const second = await startServer(env);
  try {
    await until(
      "the sweeper released every hold",
      async () => (await balanceOf(sql, rita.accountId)).available === 1_000_000n,
    );
    const rows =
      await sql`select status, error_code, cost from request_log where user_id = ${rita.id}`;
    assert.equal(rows.length, 5, "no lost record: every call has its log line");
    assert.ok(
      rows.every((r) => r.status === "failed" && r.error_code === "interrupted" && r.cost === 0n),
    );
    const [expired] =
      await sql`select count(*)::int as n from ledger_transfers where kind = 'expire' and debit_account_id = ${rita.accountId}`;
    assert.equal(expired.n, 5);
  } finally {
    await second.stop();
    await upstream.close();
  }
  const afterRestart = await runScript("admin.ts", ["ledger:check"], { DATABASE_URL: url });
  assert.equal(afterRestart.code, 0, afterRestart.stdout + afterRestart.stderr);
});
