// POST /v1/images/generations with the official openai SDK, against a stand-in upstream: priced
// per call, held before the upstream call, charged only for what was delivered, logged.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { addStandinChannel, startGateway } from "./_helpers/app.ts";
import { startStandinUpstream } from "./_helpers/standin_upstream.ts";
import { balanceOf, releaseExpiredHolds } from "../services/billing/ledger.ts";
import { markInterrupted } from "../services/metering/request_log.ts";
import { purgeExpiredIdempotencyKeys } from "../services/metering/idempotency.ts";
import { setChannelEnabled } from "../services/catalog/channels.ts";
import { checkImage } from "../services/images/bytes.ts";
import type { CallWrite, GroupCommit, LedgerOutcome } from "../services/billing/group_commit.ts";

const gw = await startGateway();
const { sql, upstream } = gw;

const SQUARE_HIGH = 253_200n; // gpt-image-2 1024x1024 high: $0.211 list + 20%
const SQUARE_MEDIUM = 63_600n;
const OBLONG_LOW = 6_000n;

async function logRow(requestId: string | null | undefined) {
  const [row] = await sql`select * from request_log where request_id = ${requestId ?? ""}`;
  return row;
}

/** The call's log row says how it ended, and that it cost nothing. */
async function assertLogged(
  requestId: string | null | undefined,
  status: string,
  httpStatus: number,
  errorCode: string,
) {
  const log = await logRow(requestId);
  assert.deepEqual([log.status, log.http_status, log.error_code, log.cost], [
    status,
    httpStatus,
    errorCode,
    0n,
  ]);
  return log;
}

async function assertNothingCharged(accountId: bigint, balance: bigint) {
  assert.deepEqual(await balanceOf(sql, accountId), {
    posted: balance,
    pending: 0n,
    available: balance,
  });
}

test("the announcement's example works with the SDK: a URL we serve, the resolved fields, usage, and the charge", async () => {
  const alice = await customer(sql, { balance: 5_000_000n });
  upstream.respond = () => ({ kind: "ok" });
  const { data: result, response } = await gw.client(alice.key).images.generate({
    model: "gpt-image-2",
    prompt: "A cozy cabin in a snowy forest at dusk",
    size: "1024x1024",
    quality: "high",
  }).withResponse();
  const requestId = response.headers.get("x-request-id");
  assert.match(requestId ?? "", /^req_/);
  assert.equal(result.data?.length, 1);
  assert.ok(result.data![0].url!.startsWith(`${gw.server.publicUrl}/images/img_`));
  assert.equal(result.size, "1024x1024");
  assert.equal(result.quality, "high");
  assert.equal(result.output_format, "png");
  assert.equal(result.background, "opaque");
  assert.equal(result.usage?.input_tokens, 12);

  const image = await fetch(result.data![0].url!);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get("content-type"), "image/png");
  assert.deepEqual(checkImage(new Uint8Array(await image.arrayBuffer())), {
    format: "png",
    width: 1024,
    height: 1024,
  });

  assert.equal((await balanceOf(sql, alice.accountId)).available, 5_000_000n - SQUARE_HIGH);
  const log = await logRow(requestId);
  assert.equal(log.status, "ok");
  assert.equal(log.http_status, 200);
  assert.equal(log.kind, "image");
  assert.equal(log.endpoint, "/v1/images/generations");
  assert.equal(log.model_id, "gpt-image-2");
  assert.equal(log.images, 1);
  assert.equal(log.size, "1024x1024");
  assert.equal(log.quality, "high");
  assert.equal(log.unit_price, SQUARE_HIGH);
  assert.equal(log.cost, SQUARE_HIGH);
  assert.equal(log.api_key_id, alice.apiKeyId);
  assert.ok(log.latency_ms >= log.upstream_latency_ms);
  assert.deepEqual(upstream.calls.at(-1), {
    model: "gpt-image-2",
    prompt: "A cozy cabin in a snowy forest at dusk",
    n: 1,
    size: "1024x1024",
    quality: "high",
    background: "auto",
    output_format: "png",
    moderation: "auto",
  });
  await assertLedgerHolds(sql);
});

test("b64_json returns the bytes inline, in the requested format", async () => {
  const bob = await customer(sql, { balance: 5_000_000n });
  upstream.respond = () => ({ kind: "ok" });
  const result = await gw.client(bob.key).images.generate({
    model: "gpt-image-2",
    prompt: "a lighthouse",
    size: "1536x1024",
    quality: "low",
    output_format: "webp",
    output_compression: 80,
    response_format: "b64_json",
    n: 2,
  });
  assert.equal(result.data?.length, 2);
  for (const item of result.data!) {
    const bytes = Uint8Array.from(atob(item.b64_json!), (c) => c.charCodeAt(0));
    assert.deepEqual(checkImage(bytes), { format: "webp", width: 1536, height: 1024 });
  }
  assert.equal((await balanceOf(sql, bob.accountId)).available, 5_000_000n - 2n * OBLONG_LOW);
});

test("auto size and quality hold the highest price and charge what was produced", async () => {
  const carol = await customer(sql, { balance: SQUARE_HIGH * 2n });
  let pendingDuringCall: bigint | null = null;
  upstream.respond = () => ({ kind: "ok", size: "1024x1024", quality: "medium", delayMs: 300 });
  const during = (async () => {
    await new Promise((r) => setTimeout(r, 150));
    pendingDuringCall = (await balanceOf(sql, carol.accountId)).pending;
  })();
  const result = await gw.client(carol.key).images.generate({
    model: "gpt-image-2",
    prompt: "anything",
    n: 2,
  });
  await during;
  assert.equal(pendingDuringCall, SQUARE_HIGH * 2n, "held: the most auto could cost, times n");
  assert.equal(result.quality, "medium");
  assert.equal(result.size, "1024x1024");
  assert.deepEqual(await balanceOf(sql, carol.accountId), {
    posted: SQUARE_HIGH * 2n - SQUARE_MEDIUM * 2n,
    pending: 0n,
    available: SQUARE_HIGH * 2n - SQUARE_MEDIUM * 2n,
  });
});

test("the charge is the price times the images actually delivered", async () => {
  const dan = await customer(sql, { balance: 5_000_000n });
  upstream.respond = () => ({ kind: "ok", images: 2 });
  const { data: result, response } = await gw.client(dan.key).images.generate({
    model: "gpt-image-2",
    prompt: "three cats",
    n: 3,
    size: "1024x1024",
    quality: "medium",
  }).withResponse();
  assert.equal(result.data?.length, 2);
  assert.equal((await balanceOf(sql, dan.accountId)).available, 5_000_000n - 2n * SQUARE_MEDIUM);
  const log = await logRow(response.headers.get("x-request-id"));
  assert.deepEqual([log.images, log.cost], [2, 2n * SQUARE_MEDIUM]);
});

test("gpt-image-2 custom sizes are priced by pixel count", async () => {
  const eve = await customer(sql, { balance: 5_000_000n });
  upstream.respond = () => ({ kind: "ok" });
  const result = await gw.client(eve.key).images.generate({
    model: "gpt-image-2",
    prompt: "a wide banner",
    size: "2048x1152" as "1024x1024",
    quality: "medium",
  });
  assert.equal(result.size, "2048x1152");
  // ceil(63,600 × 2048·1152 / 1024²) = 143,100
  assert.equal((await balanceOf(sql, eve.accountId)).available, 5_000_000n - 143_100n);
});

for (
  const [what, behaviour, status, code] of [
    ["a 500", { kind: "status", status: 500 }, 502, "upstream_error"],
    ["a 503", { kind: "status", status: 503 }, 502, "upstream_error"],
    [
      "a 429",
      { kind: "status", status: 429, code: "rate_limit_exceeded", type: "requests" },
      429,
      "rate_limit_exceeded",
    ],
    ["malformed JSON", { kind: "malformed" }, 502, "upstream_error"],
    [
      "a 400 about our own upstream account",
      {
        kind: "status",
        status: 400,
        code: "billing_hard_limit_reached",
        type: "invalid_request_error",
      },
      502,
      "upstream_error",
    ],
    [
      "a slow answer past the channel's timeout",
      { kind: "ok", delayMs: 3_000 },
      502,
      "upstream_timeout",
    ],
  ] as const
) {
  test(`an upstream that answers ${what}: the client gets ${status}, nothing is charged, the log says failed`, async () => {
    const frank = await customer(sql, { balance: 1_000_000n });
    const only = startStandinUpstream();
    const name = `only-${crypto.randomUUID().slice(0, 8)}`;
    await addStandinChannel(sql, name, only, 1_000, 1_000);
    await setChannelEnabled(sql, "stand-in", false);
    only.respond = () => behaviour;
    try {
      const error = await gw.client(frank.key).images.generate({
        model: "gpt-image-2",
        prompt: "a tree",
        quality: "low",
        size: "1024x1024",
      })
        .then(() => null, (e) => e);
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, status);
      assert.equal(error.code, code);
      await assertNothingCharged(frank.accountId, 1_000_000n);
      await assertLogged(error.requestID, "failed", status, code);
    } finally {
      await setChannelEnabled(sql, name, false);
      await setChannelEnabled(sql, "stand-in", true);
      await only.close();
    }
    await assertLedgerHolds(sql);
  });
}

for (
  const [title, first] of [
    ["a failed channel moves the call to the next one: charged once, for the one that delivered", {
      kind: "status",
      status: 500,
    }],
    ["a channel that answers without a readable image is passed over, and nothing is paid for it", {
      kind: "not_an_image",
    }],
  ] as const
) {
  test(title, async () => {
    const gina = await customer(sql, { balance: 1_000_000n });
    const failing = startStandinUpstream();
    failing.respond = () => first;
    const name = `failing-first-${first.kind}`;
    await addStandinChannel(sql, name, failing, 1_000);
    upstream.respond = () => ({ kind: "ok" });
    try {
      const result = await gw.client(gina.key).images.generate({
        model: "gpt-image-2",
        prompt: "fallback",
        quality: "low",
        size: "1024x1024",
      });
      assert.equal(result.data?.length, 1);
      assert.equal(failing.calls.length, 1);
      assert.equal((await balanceOf(sql, gina.accountId)).available, 1_000_000n - 7_200n);
    } finally {
      await setChannelEnabled(sql, name, false);
      await failing.close();
    }
    await assertLedgerHolds(sql);
  });
}

test("when every channel fails, the hold is released in full and the log says failed", async () => {
  const hank = await customer(sql, { balance: 1_000_000n });
  upstream.respond = () => ({ kind: "status", status: 502 });
  const error = await gw.client(hank.key).images.generate({
    model: "gpt-image-2",
    prompt: "nothing works",
    n: 3,
  })
    .then(() => null, (e) => e);
  assert.ok(error instanceof OpenAI.InternalServerError);
  assert.equal(error.status, 502);
  await assertNothingCharged(hank.accountId, 1_000_000n);
  await assertLogged(error.requestID, "failed", 502, "upstream_error");
  await assertLedgerHolds(sql);
});

for (const code of ["moderation_blocked", "content_policy_violation"] as const) {
  test(`a prompt blocked upstream (${code}) costs nothing and comes back as OpenAI's own error`, async () => {
    const ivy = await customer(sql, { balance: 1_000_000n });
    const backup = startStandinUpstream();
    await addStandinChannel(sql, `backup-${code}`, backup, 1);
    upstream.respond = () => ({ kind: code });
    try {
      const error = await gw.client(ivy.key).images.generate({
        model: "gpt-image-2",
        prompt: "something flagged",
        n: 2,
      })
        .then(() => null, (e) => e);
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.code, code);
      assert.equal(
        error.type,
        code === "moderation_blocked" ? "image_generation_user_error" : "invalid_request_error",
      );
      assert.equal(error.headers.get("x-should-retry"), "false");
      assert.equal(backup.calls.length, 0, "a refusal is not retried on another channel");
      await assertNothingCharged(ivy.accountId, 1_000_000n);
      const log = await assertLogged(error.requestID, "blocked", 400, code);
      const [released] =
        await sql`select kind from ledger_transfers where pending_id = ${log.hold_id}`;
      assert.equal(released.kind, "release");
    } finally {
      await setChannelEnabled(sql, `backup-${code}`, false);
      await backup.close();
    }
    await assertLedgerHolds(sql);
  });
}

/** Runs `body` with the server's writes going through `write`, which may pass them on to `real`. */
async function withCommits(
  write: (call: CallWrite, real: GroupCommit) => Promise<LedgerOutcome>,
  body: () => Promise<void>,
) {
  const services = gw.server.services;
  const real = services.commits;
  services.commits = { write: (call) => write(call, real) };
  try {
    await body();
  } finally {
    services.commits = real;
  }
}

function mediumSquare(key: string, prompt: string) {
  return gw.client(key).images.generate({
    model: "gpt-image-2",
    prompt,
    size: "1024x1024",
    quality: "medium",
  });
}

const LOST_SETTLES = {
  "it committed, so the call is delivered and charged once": "before",
  "it commits only after the answer was lost: still delivered, charged once": "after",
  "it never commits, so the hold is released and the call is free": "never",
} as const;
for (const [name, commits] of Object.entries(LOST_SETTLES)) {
  test(`a settle whose answer is lost is decided by releasing the hold: ${name}`, async () => {
    const jan = await customer(sql, { balance: 1_000_000n });
    upstream.respond = () => ({ kind: "ok" });
    await withCommits(async (call, real) => {
      if (call.resolution?.kind !== "settle") return await real.write(call);
      if (commits === "before") await real.write(call);
      if (commits === "after") {
        // Sent, but held up on the customer's row until well after the call gave up on it.
        const blocker = await sql.reserve();
        await blocker`begin`;
        await blocker`select 1 from ledger_accounts where id = ${jan.accountId} for update`;
        real.write(call).catch(() => {});
        setTimeout(() => blocker`commit`.then(() => blocker.release()), 300);
      }
      throw new Error("the connection closed before the answer");
    }, async () => {
      const answer = await mediumSquare(jan.key, "answer lost").withResponse()
        .then((r) => r, (e) => e);
      if (commits !== "never") {
        assert.equal(answer.data.data.length, 1);
        assert.deepEqual(await balanceOf(sql, jan.accountId), {
          posted: 1_000_000n - SQUARE_MEDIUM,
          pending: 0n,
          available: 1_000_000n - SQUARE_MEDIUM,
        });
        const log = await logRow(answer.response.headers.get("x-request-id"));
        assert.deepEqual([log.status, log.cost], ["ok", SQUARE_MEDIUM], "the settle's log line");
      } else {
        assert.ok(answer instanceof OpenAI.InternalServerError);
        await assertNothingCharged(jan.accountId, 1_000_000n);
        await assertLogged(answer.requestID, "failed", 500, "internal_error");
      }
    });
    await assertLedgerHolds(sql);
  });
}

for (const committed of [true, false]) {
  test(
    `a hold whose answer is lost ${
      committed
        ? "but which committed is released at once"
        : "and which never committed leaves nothing held"
    }; the call fails free, with its log line`,
    async () => {
      const kay = await customer(sql, { balance: 1_000_000n });
      upstream.respond = () => ({ kind: "ok" });
      const calls = upstream.calls.length;
      await withCommits(async (call, real) => {
        if (!call.hold) return await real.write(call);
        if (committed) await real.write(call);
        throw new Error("the connection closed before the answer");
      }, async () => {
        const error = await mediumSquare(kay.key, "hold lost").then(() => null, (e) => e);
        assert.ok(error instanceof OpenAI.InternalServerError);
        assert.equal(upstream.calls.length, calls, "no upstream call without a known hold");
        await assertNothingCharged(kay.accountId, 1_000_000n);
        const log = await assertLogged(error.requestID, "failed", 500, "internal_error");
        assert.equal(log.hold_id !== null, committed);
      });
      await assertLedgerHolds(sql);
    },
  );
}

test("not enough money: 429 insufficient_quota before any upstream call, and the SDK is told not to retry", async () => {
  const jon = await customer(sql, { balance: 7_199n });
  const callsBefore = upstream.calls.length;
  const error = await gw.client(jon.key).images.generate({
    model: "gpt-image-2",
    prompt: "a",
    size: "1024x1024",
    quality: "low",
  })
    .then(() => null, (e) => e);
  assert.ok(error instanceof OpenAI.RateLimitError);
  assert.equal(error.code, "insufficient_quota");
  assert.equal(error.type, "insufficient_quota");
  assert.equal(error.headers.get("x-should-retry"), "false");
  assert.equal(upstream.calls.length, callsBefore);
  assert.equal((await logRow(error.requestID)).status, "refused");
  assert.equal((await balanceOf(sql, jon.accountId)).available, 7_199n);
});

test("a key's spend limit refuses the call the same way", async () => {
  const kay = await customer(sql, { balance: 10_000_000n, spendLimit: 10_000n });
  upstream.respond = () => ({ kind: "ok" });
  await gw.client(kay.key).images.generate({
    model: "gpt-image-2",
    prompt: "a",
    size: "1024x1024",
    quality: "low",
  });
  const error = await gw.client(kay.key).images.generate({
    model: "gpt-image-2",
    prompt: "b",
    size: "1024x1024",
    quality: "low",
  })
    .then(() => null, (e) => e);
  assert.ok(error instanceof OpenAI.RateLimitError);
  assert.equal(error.code, "insufficient_quota");
  assert.match(error.message, /spend limit/);
});

test("100 parallel generations against a balance covering exactly 40: 40 delivered and charged, 60 refused, balance exactly 0", async () => {
  const price = 7_200n;
  const lou = await customer(sql, { balance: price * 40n });
  upstream.respond = () => ({ kind: "ok", delayMs: 50 });
  const client = gw.client(lou.key);
  const results = await Promise.allSettled(
    Array.from(
      { length: 100 },
      (_, i) =>
        client.images.generate({
          model: "gpt-image-2",
          prompt: `race ${i}`,
          size: "1024x1024",
          quality: "low",
        }),
    ),
  );
  const delivered = results.filter((r) => r.status === "fulfilled");
  const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
  assert.equal(delivered.length, 40);
  assert.equal(refused.length, 60);
  assert.ok(
    refused.every((r) =>
      r.reason instanceof OpenAI.RateLimitError && r.reason.code === "insufficient_quota"
    ),
  );
  assert.deepEqual(await balanceOf(sql, lou.accountId), { posted: 0n, pending: 0n, available: 0n });
  const [counts] = await sql`
    select count(*) filter (where status = 'ok')::int as ok, count(*) filter (where status = 'refused')::int as refused,
      sum(cost)::bigint as cost from request_log where user_id = ${lou.id}`;
  assert.deepEqual([counts.ok, counts.refused, counts.cost], [40, 60, price * 40n]);
  await assertLedgerHolds(sql);
});

test("Idempotency-Key: a retry replays the first answer and is charged once; another body is a 409", async () => {
  const max = await customer(sql, { balance: 1_000_000n });
  upstream.respond = () => ({ kind: "ok" });
  const client = gw.client(max.key);
  const body = {
    model: "gpt-image-2",
    prompt: "once only",
    size: "1024x1024",
    quality: "low",
  } as const;
  const key = crypto.randomUUID();
  const callsBefore = upstream.calls.length;
  const first = await client.images.generate(body, { headers: { "Idempotency-Key": key } });
  const again = await client.images.generate(body, { headers: { "Idempotency-Key": key } })
    .withResponse();
  assert.equal(again.response.headers.get("idempotent-replayed"), "true");
  assert.equal(again.data.data?.[0].url?.split("?")[0], first.data?.[0].url?.split("?")[0]);
  assert.equal(upstream.calls.length, callsBefore + 1);
  assert.equal((await balanceOf(sql, max.accountId)).available, 1_000_000n - 7_200n);
  const conflict = await client.images.generate({ ...body, prompt: "something else" }, {
    headers: { "Idempotency-Key": key },
  })
    .then(() => null, (e) => e);
  assert.ok(conflict instanceof OpenAI.ConflictError);
  assert.equal(conflict.status, 409);
  const logged = await sql`select status, http_status, error_code, cost from request_log
                           where user_id = ${max.id} order by created_at`;
  assert.deepEqual(logged.map((r) => [r.status, r.http_status, r.error_code, r.cost]), [
    ["ok", 200, null, 7_200n],
    ["ok", 200, "idempotent_replay", 0n],
    ["refused", 409, "idempotency_key_reused", 0n],
  ]);
});

test("Idempotency-Keys older than 24 hours are purged", async () => {
  const ida = await customer(sql);
  await sql`insert into idempotency_keys (user_id, key, request_hash, request_id, state, created_at)
            values (${ida.id}, 'old', 'h', 'req_old', 'done', now() - interval '25 hours'),
                   (${ida.id}, 'new', 'h', 'req_new', 'done', now())`;
  assert.ok(await purgeExpiredIdempotencyKeys(sql) >= 1);
  const left = await sql`select key from idempotency_keys where user_id = ${ida.id}`;
  assert.deepEqual(left.map((r) => r.key), ["new"]);
});

test("a client that goes away mid-call is not charged", async () => {
  const ned = await customer(sql, { balance: 1_000_000n });
  upstream.respond = () => ({ kind: "hang" });
  const controller = new AbortController();
  // A plain fetch: aborting it closes the connection, which is what a client going away looks like.
  const call = fetch(`${gw.server.url}/v1/images/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${ned.key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt-image-2",
      prompt: "abandoned",
      size: "1024x1024",
      quality: "low",
    }),
    signal: controller.signal,
  }).catch((e) => e);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await balanceOf(sql, ned.accountId)).pending, 7_200n);
  controller.abort();
  await call;
  const until = Date.now() + 5_000;
  while ((await balanceOf(sql, ned.accountId)).pending !== 0n && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await assertNothingCharged(ned.accountId, 1_000_000n);
  const [log] = await sql`select status, cost from request_log where user_id = ${ned.id}`;
  assert.deepEqual([log.status, log.cost], ["cancelled", 0n]);
  upstream.respond = () => ({ kind: "ok" });
});

test("GET /v1/models lists the image models, OpenAI-shaped, with shutdown dates", async () => {
  const pat = await customer(sql);
  const client = gw.client(pat.key);
  const models = [];
  for await (const model of client.models.list()) models.push(model);
  const ids = models.map((m) => m.id).filter((id) => id.startsWith("gpt-image")).sort();
  assert.deepEqual(ids, ["gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2"]);
  const mini = await client.models.retrieve("gpt-image-1-mini");
  assert.equal(mini.object, "model");
  assert.equal(mini.owned_by, "openai");
  assert.equal((mini as unknown as { shutdown_date: string }).shutdown_date, "2099-12-31");
  const missing = await client.models.retrieve("dall-e-2").then(() => null, (e) => e);
  assert.ok(missing instanceof OpenAI.NotFoundError);
});

test("a result that arrives after its hold expired is delivered and recorded, free", async () => {
  const quinn = await customer(sql, { balance: 1_000_000n });
  upstream.respond = () => ({ kind: "ok", delayMs: 600 });
  const call = gw.client(quinn.key).images.generate({
    model: "gpt-image-2",
    prompt: "late",
    size: "1024x1024",
    quality: "low",
  }).withResponse();
  await new Promise((r) => setTimeout(r, 300));
  // As if the call had outlived HOLD_TIMEOUT_SECONDS: the sweeper frees the money first.
  await sql`update ledger_open_holds set deadline = now() - interval '1 second'
            where account_id = ${quinn.accountId}`;
  assert.equal((await releaseExpiredHolds(sql, { onExpire: markInterrupted })).length, 1);
  const { data: result, response } = await call;
  assert.equal(result.data?.length, 1);
  await assertNothingCharged(quinn.accountId, 1_000_000n);
  const log = await logRow(response.headers.get("x-request-id"));
  assert.deepEqual([log.status, log.error_code, log.cost, log.images], [
    "ok",
    "hold_expired",
    0n,
    1,
  ]);
  await assertLedgerHolds(sql);
});
