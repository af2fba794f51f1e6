// The built-in demo channel paints offline for the demo only: on a server whose configuration has
// the demo on (by default with the embedded database; with DATABASE_URL only when DEMO=on), and
// only for a model with no enabled real channel. It never stands in for a real channel that
// fails: the customer gets the real failure, free. The start-up line and `channel:list` say
// whether it is on.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { startGateway, startServerOn } from "./_helpers/app.ts";
import { runScript, startServer } from "./_helpers/processes.ts";
import { startStandinUpstream } from "./_helpers/standin_upstream.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { addChannel, setChannelEnabled } from "../services/catalog/channels.ts";
import { checkImage } from "../services/images/bytes.ts";

// DATABASE_URL and DEMO unset: the demo is off.
const gw = await startGateway();
const { sql, upstream } = gw;
// A second server on the same database with DEMO=on.
const withDemo = await startServerOn(sql, gw.dbUrl, { DEMO: "on" });

const [demoRow] = await sql`select id from channels where provider = 'demo'`;
const GPT_IMAGE_15_SQUARE_LOW = 10_800n; // $0.009 list + 20%

type Call = OpenAI.ImageGenerateParamsNonStreaming;
const call = (client: OpenAI, body: Partial<Call> = {}) =>
  client.images.generate({
    model: "gpt-image-2",
    prompt: "A lighthouse on a cliff at dawn",
    size: "1024x1024",
    quality: "low",
    ...body,
  }).withResponse().then(({ data, response }) => ({
    data,
    requestId: response.headers.get("x-request-id"),
  }));

/** The call failed with `status`/`code`, cost nothing, and left no image behind. */
async function assertFailedFree(
  customerOf: { id: bigint; accountId: bigint },
  balance: bigint,
  outcome: unknown,
  status: number,
  code: string,
) {
  assert.ok(outcome instanceof OpenAI.APIError, `an error, not ${JSON.stringify(outcome)}`);
  assert.deepEqual([outcome.status, outcome.code], [status, code]);
  assert.deepEqual(await balanceOf(sql, customerOf.accountId), {
    posted: balance,
    pending: 0n,
    available: balance,
  });
  const [images] =
    await sql`select count(*)::int as n from images where user_id = ${customerOf.id}`;
  assert.equal(images.n, 0, "no image was delivered");
  const logs = await sql`select status, cost, channel_id from request_log
                         where user_id = ${customerOf.id}`;
  assert.ok(logs.length > 0);
  for (const log of logs) {
    assert.equal(log.cost, 0n);
    assert.notEqual(log.channel_id, demoRow.id, "the demo channel was never called");
  }
}

test("with DATABASE_URL and DEMO unset, a real channel that fails gets the customer the upstream's error, free, and no demo picture", async () => {
  const ann = await customer(sql, { balance: 1_000_000n });
  upstream.respond = () => ({ kind: "status", status: 500 });
  try {
    const outcome = await call(gw.client(ann.key)).then((r) => r, (e) => e);
    await assertFailedFree(ann, 1_000_000n, outcome, 502, "upstream_error");
  } finally {
    upstream.respond = () => ({ kind: "ok" });
  }
  await assertLedgerHolds(sql);
});

test("with the demo off, a model with no enabled channel is refused 503, free", async () => {
  const ben = await customer(sql, { balance: 1_000_000n });
  await setChannelEnabled(sql, "stand-in", false);
  try {
    const outcome = await call(gw.client(ben.key)).then((r) => r, (e) => e);
    await assertFailedFree(ben, 1_000_000n, outcome, 503, "no_channel");
  } finally {
    await setChannelEnabled(sql, "stand-in", true);
  }
});

test("with the demo on, a model's real channel that fails is not stood in for by the demo: the real failure, free", async () => {
  const cat = await customer(sql, { balance: 1_000_000n });
  upstream.respond = () => ({ kind: "status", status: 503 });
  try {
    const down = await call(withDemo.client(cat.key)).then((r) => r, (e) => e);
    await assertFailedFree(cat, 1_000_000n, down, 502, "upstream_error");
    upstream.respond = () => ({ kind: "status", status: 429 });
    const limited = await call(withDemo.client(cat.key), { model: "gpt-image-1-mini" })
      .then((r) => r, (e) => e);
    await assertFailedFree(cat, 1_000_000n, limited, 429, "rate_limit_exceeded");
  } finally {
    upstream.respond = () => ({ kind: "ok" });
  }
  await assertLedgerHolds(sql);
});

test("with the demo on and no enabled real channel for a model, the demo paints it offline, priced as the real model, and refuses words on its list as OpenAI would", async () => {
  const dee = await customer(sql, { balance: 1_000_000n });
  const failing = startStandinUpstream();
  failing.respond = () => ({ kind: "status", status: 500 });
  await setChannelEnabled(sql, "stand-in", false);
  // A real channel for gpt-image-2 alone, down: that model gets its failure, the others the demo.
  await realChannel("only-image-2", failing, ["gpt-image-2"]);
  try {
    const painted = await call(withDemo.client(dee.key), {
      model: "gpt-image-1.5",
      prompt: "A cozy orange cat in a wizard's hat, sitting on a rooftop under moonlight",
      size: "1024x1536",
      quality: "low",
      output_format: "jpeg",
      response_format: "b64_json",
      n: 2,
    });
    const images = painted.data.data!.map((d) => Uint8Array.fromBase64(d.b64_json!));
    assert.deepEqual(checkImage(images[0]), { format: "jpeg", width: 1024, height: 1536 });
    assert.notDeepEqual(images[0], images[1]);
    const [log] = await sql`select status, cost, channel_id from request_log
                            where request_id = ${painted.requestId}`;
    assert.deepEqual([log.status, log.channel_id], ["ok", demoRow.id]);
    assert.ok(log.cost > 0n, "demo pictures are priced as the real model's");

    const square = await call(withDemo.client(dee.key), { model: "gpt-image-1.5" });
    const [squareLog] = await sql`select cost from request_log
                                  where request_id = ${square.requestId}`;
    assert.equal(squareLog.cost, GPT_IMAGE_15_SQUARE_LOW);

    const blocked = await call(withDemo.client(dee.key), {
      model: "gpt-image-1-mini",
      prompt: "forbidden-test-word please",
    }).then(() => null, (e) => e);
    assert.ok(blocked instanceof OpenAI.BadRequestError);
    assert.equal(blocked.code, "moderation_blocked");

    const spent = (await balanceOf(sql, dee.accountId)).posted;
    const realDown = await call(withDemo.client(dee.key), { model: "gpt-image-2" })
      .then((r) => r, (e) => e);
    await assertNoNewCharge(dee, spent, realDown, 502);

    // The server with the demo off, on the same database, never paints.
    const off = await call(gw.client(dee.key), { model: "gpt-image-1.5" }).then((r) => r, (e) => e);
    await assertNoNewCharge(dee, spent, off, 503);
    assert.equal(off.code, "no_channel");
  } finally {
    await setChannelEnabled(sql, "only-image-2", false);
    await setChannelEnabled(sql, "stand-in", true);
    await failing.close();
  }
  await assertLedgerHolds(sql);
});

async function realChannel(name: string, to: { url: string }, models: string[]) {
  await addChannel(sql, {
    name,
    provider: "openai",
    baseUrl: to.url,
    apiKey: "sk-standin",
    models,
    priority: 10,
  });
}

async function assertNoNewCharge(
  who: { accountId: bigint },
  posted: bigint,
  outcome: unknown,
  status: number,
) {
  assert.ok(outcome instanceof OpenAI.APIError, `an error, not ${JSON.stringify(outcome)}`);
  assert.equal(outcome.status, status);
  assert.deepEqual(await balanceOf(sql, who.accountId), {
    posted,
    pending: 0n,
    available: posted,
  });
}

test("channel:list shows the built-in demo channel, the models it would serve, and whether it is on for that configuration; it cannot be switched by hand", async () => {
  await setChannelEnabled(sql, "stand-in", false);
  await realChannel("mini-only", upstream, ["gpt-image-1-mini"]);
  try {
    const admin = (env: Record<string, string>, ...args: string[]) =>
      runScript("admin.ts", args, { DATABASE_URL: gw.dbUrl, ...env });
    const off = await admin({}, "channel:list");
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /mini-only\s+openai\s+priority 10\s+enabled/);
    const demoLine = (output: string) => output.split("\n").find((l) => l.startsWith("demo"));
    assert.match(
      demoLine(off.stdout) ?? "",
      /^demo \(built-in\).*only while DEMO=on.*gpt-image-1\.5, gpt-image-2\b.*currently: off \(DATABASE_URL without DEMO=on\)/,
    );
    assert.doesNotMatch(demoLine(off.stdout)!, /gpt-image-1-mini/, "mini has a real channel");
    const on = await admin({ DEMO: "on" }, "channel:list");
    assert.match(demoLine(on.stdout) ?? "", /currently: on \(DEMO=on\)/);

    for (const command of ["channel:enable", "channel:disable"]) {
      const refused = await admin({ DEMO: "on" }, command, "--name", "demo");
      assert.equal(refused.code, 2, refused.stdout + refused.stderr);
      assert.match(refused.stderr, /built-in demo channel.*DEMO=on/);
    }
    const [row] = await sql`select enabled from channels where provider = 'demo'`;
    assert.equal(row.enabled, false, "the demo's row is a record, never routed from");
  } finally {
    await setChannelEnabled(sql, "mini-only", false);
    await setChannelEnabled(sql, "stand-in", true);
  }
});

test("the start-up line says whether the demo is on", async () => {
  const env = { DATABASE_URL: gw.dbUrl, DEMO_UPSTREAM_DELAY_MS: "0" };
  const off = await startServer({
    ...env,
    DEMO: "",
    DATA_DIR: await Deno.makeTempDir({ prefix: "tokensmart-demo-off-" }),
  });
  try {
    assert.match(off.output(), /^demo: off \(DATABASE_URL without DEMO=on\)$/m);
    assert.doesNotMatch(off.output(), /demo login/);
  } finally {
    assert.equal(await off.stop(), 0);
  }
  const on = await startServer({
    ...env,
    DEMO: "on",
    DATA_DIR: await Deno.makeTempDir({ prefix: "tokensmart-demo-on-" }),
  });
  try {
    assert.match(
      on.output(),
      /^demo: on \(DEMO=on\): demo login demo@tokensmart\.local; the demo channel serves models with no real channel$/m,
    );
  } finally {
    assert.equal(await on.stop(), 0);
  }
});
