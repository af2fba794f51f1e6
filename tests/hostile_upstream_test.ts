// A hostile or broken upstream cannot make us fetch what we must not, have us deliver and charge
// what is not a whole image of what was asked, set its own price, put text we cannot store in our
// records, or speak to our customers in more than OpenAI's words. What it fails to deliver moves
// the call to the next channel, free.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { addStandinChannel, startGateway } from "./_helpers/app.ts";
import {
  standinImage,
  type StandinUpstream,
  startStandinUpstream,
} from "./_helpers/standin_upstream.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { setChannelEnabled } from "../services/catalog/channels.ts";
import { checkImage } from "../services/images/bytes.ts";
import { crc32 } from "node:zlib";

const gw = await startGateway();
const { sql, upstream } = gw;
upstream.respond = () => ({ kind: "ok" });

const SQUARE_MEDIUM = 63_600n; // gpt-image-2 1024x1024 medium
const OBLONG_MEDIUM = 49_200n; // gpt-image-2 1536x1024 medium
const BALANCE = 1_000_000n;

const squarePng = await standinImage("1024x1024");
const served = (bytes: Uint8Array) => () => new Response(bytes as Uint8Array<ArrayBuffer>);
const answerWith = (data: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  ({ kind: "answer", body: { created: 1, data, size: "1024x1024", ...extra } }) as const;
const refusing = (error: Record<string, unknown>) =>
  ({ kind: "answer", status: 400, body: { error } }) as const;

/** A hostile stand-in as a channel for the image models for the length of `body`: the only one,
 *  or ahead of the honest stand-in, which then serves what it fails to. */
async function withHostile(
  place: "only" | "first",
  body: (hostile: StandinUpstream) => Promise<void>,
) {
  const hostile = startStandinUpstream();
  const name = `hostile-${crypto.randomUUID().slice(0, 8)}`;
  await addStandinChannel(sql, name, hostile, 1_000, 2_000);
  if (place === "only") await setChannelEnabled(sql, "stand-in", false);
  try {
    await body(hostile);
  } finally {
    await setChannelEnabled(sql, name, false);
    await setChannelEnabled(sql, "stand-in", true);
    await hostile.close();
  }
  await assertLedgerHolds(sql);
}

function mediumSquare(key: string, extra: Record<string, unknown> = {}) {
  return gw.client(key).images.generate({
    model: "gpt-image-2",
    prompt: "a lighthouse at dusk",
    size: "1024x1024",
    quality: "medium",
    response_format: "b64_json",
    ...extra,
  }).withResponse();
}

/** The call failed as an upstream fault: 502, nothing charged, its log line says so. */
async function assertFailedFree(error: unknown, accountId: bigint) {
  assert.ok(error instanceof OpenAI.APIError, String(error));
  assert.equal(error.status, 502);
  assert.equal(error.code, "upstream_error");
  assert.deepEqual(await balanceOf(sql, accountId), {
    posted: BALANCE,
    pending: 0n,
    available: BALANCE,
  });
  const [log] = await sql`select status, cost from request_log where request_id = ${
    error.requestID ?? ""
  }`;
  assert.deepEqual([log.status, log.cost], ["failed", 0n]);
}

function deliveredImage(result: OpenAI.ImagesResponse) {
  return checkImage(Uint8Array.fromBase64(result.data![0].b64_json!));
}

// Image URLs.

test("an image URL is fetched when it is the channel's own: delivered and charged", async () => {
  const ann = await customer(sql, { balance: BALANCE });
  await withHostile("only", async (own) => {
    own.files.set("cat.png", served(squarePng));
    own.respond = () => answerWith([{ url: `${new URL(own.url).origin}/files/cat.png` }]);
    const { data } = await mediumSquare(ann.key);
    assert.deepEqual(deliveredImage(data), { format: "png", width: 1024, height: 1024 });
    assert.deepEqual(own.fileRequests, ["cat.png"]);
    assert.equal((await balanceOf(sql, ann.accountId)).available, BALANCE - SQUARE_MEDIUM);
  });
});

test("a data: URL is taken as b64_json is: its bytes are in the answer", async () => {
  const bea = await customer(sql, { balance: BALANCE });
  await withHostile("only", async (hostile) => {
    hostile.respond = () => answerWith([{ url: `data:image/png;base64,${squarePng.toBase64()}` }]);
    const { data } = await mediumSquare(bea.key);
    assert.deepEqual(deliveredImage(data), { format: "png", width: 1024, height: 1024 });
  });
});

test("an image URL on another host over plain http is never requested: the call fails free", async () => {
  const cal = await customer(sql, { balance: BALANCE });
  const elsewhere = startStandinUpstream();
  elsewhere.files.set("cat.png", served(squarePng));
  try {
    await withHostile("only", async (hostile) => {
      hostile.respond = () =>
        answerWith([{ url: `${new URL(elsewhere.url).origin}/files/cat.png` }]);
      await assertFailedFree(await mediumSquare(cal.key).then(() => null, (e) => e), cal.accountId);
      assert.deepEqual(elsewhere.fileRequests, []);
    });
  } finally {
    await elsewhere.close();
  }
});

test("a file: URL is never read from our disk", async () => {
  const dee = await customer(sql, { balance: BALANCE });
  const path = await Deno.makeTempFile({ suffix: ".png" });
  await Deno.writeFile(path, squarePng);
  try {
    await withHostile("only", async (hostile) => {
      hostile.respond = () => answerWith([{ url: `file://${path}` }]);
      await assertFailedFree(await mediumSquare(dee.key).then(() => null, (e) => e), dee.accountId);
    });
  } finally {
    await Deno.remove(path);
  }
});

test("this server's own URLs are never requested, even one that serves a real image", async () => {
  const eli = await customer(sql, { balance: BALANCE });
  const mine = await gw.client(eli.key).images.generate({
    model: "gpt-image-2",
    prompt: "ours",
    size: "1024x1024",
    quality: "medium",
  });
  const ours = new URL(mine.data![0].url!);
  const spent = SQUARE_MEDIUM;
  await withHostile("only", async (hostile) => {
    for (const host of [ours.host, `127.0.0.1:${ours.port}`, `[::1]:${ours.port}`]) {
      hostile.respond = () => answerWith([{ url: `http://${host}${ours.pathname}${ours.search}` }]);
      const error = await mediumSquare(eli.key).then(() => null, (e) => e);
      assert.ok(error instanceof OpenAI.APIError, `${host}: ${error}`);
      assert.equal(error.status, 502, host);
    }
  });
  assert.equal((await balanceOf(sql, eli.accountId)).available, BALANCE - spent);
});

test("an image URL that never finishes, or never ends, is given up and the next channel serves", async () => {
  const fay = await customer(sql, { balance: BALANCE });
  await withHostile("first", async (hostile) => {
    const origin = new URL(hostile.url).origin;
    hostile.files.set("slow.png", () => new Response(new ReadableStream({ start() {} })));
    const MiB = new Uint8Array(2 ** 20);
    hostile.files.set(
      "endless.png",
      () => new Response(new ReadableStream({ pull: (controller) => controller.enqueue(MiB) })),
    );
    for (const file of ["slow.png", "endless.png"]) {
      hostile.respond = () => answerWith([{ url: `${origin}/files/${file}` }]);
      const { data } = await mediumSquare(fay.key);
      assert.deepEqual(deliveredImage(data), { format: "png", width: 1024, height: 1024 }, file);
    }
    assert.deepEqual(hostile.fileRequests, ["slow.png", "endless.png"]);
  });
  assert.equal((await balanceOf(sql, fay.accountId)).available, BALANCE - 2n * SQUARE_MEDIUM);
});

// Images that are not whole.

const jpeg = await standinImage("1024x1024", "jpeg");
const webp = await standinImage("1024x1024", "webp");
const zeroByZeroPng = (() => {
  const bytes = squarePng.slice();
  const view = new DataView(bytes.buffer);
  view.setUint32(16, 0);
  view.setUint32(20, 0);
  view.setUint32(29, crc32(bytes.subarray(12, 29)));
  return bytes;
})();
const flipped = squarePng.slice();
flipped[flipped.length - 20] ^= 0x40;
const webpTooShort = webp.slice(0, webp.length - 2);
new DataView(webpTooShort.buffer).setUint32(4, webp.length - 8, true);

const broken: [string, Uint8Array][] = [
  ["a PNG signature and IHDR alone (29 bytes)", squarePng.subarray(0, 29)],
  ["a PNG cut in half", squarePng.subarray(0, squarePng.length >> 1)],
  ["a PNG without its IEND", squarePng.subarray(0, squarePng.length - 12)],
  ["a 0x0 PNG", zeroByZeroPng],
  ["a PNG with a corrupted chunk", flipped],
  ["a JPEG without its end", jpeg.subarray(0, jpeg.length - 2)],
  ["a WebP shorter than its RIFF size", webpTooShort],
];
for (const [what, bytes] of broken) {
  test(`${what} is not an image: not delivered, not charged`, async () => {
    const gus = await customer(sql, { balance: BALANCE });
    await withHostile("only", async (hostile) => {
      hostile.respond = () => answerWith([{ b64_json: bytes.toBase64() }]);
      await assertFailedFree(await mediumSquare(gus.key).then(() => null, (e) => e), gus.accountId);
    });
  });
}

test("a channel that answers a broken image is passed over: the next one delivers, charged once", async () => {
  const hal = await customer(sql, { balance: BALANCE });
  await withHostile("first", async (hostile) => {
    hostile.respond = () => answerWith([{ b64_json: squarePng.subarray(0, 29).toBase64() }]);
    const { data } = await mediumSquare(hal.key);
    assert.deepEqual(deliveredImage(data), { format: "png", width: 1024, height: 1024 });
    assert.equal(hostile.calls.length, 1);
  });
  assert.equal((await balanceOf(sql, hal.accountId)).available, BALANCE - SQUARE_MEDIUM);
});

// What the charge is.

test("an image smaller than the size asked for is the upstream's fault: the next channel serves", async () => {
  const ida = await customer(sql, { balance: BALANCE });
  const tiny = await standinImage("16x16");
  await withHostile("first", async (hostile) => {
    hostile.respond = () => answerWith([{ b64_json: tiny.toBase64() }], { size: "1024x1024" });
    const { data } = await mediumSquare(ida.key);
    assert.deepEqual(deliveredImage(data), { format: "png", width: 1024, height: 1024 });
  });
  assert.equal((await balanceOf(sql, ida.accountId)).available, BALANCE - SQUARE_MEDIUM);
});

test("a requested size is charged at its price, whatever size and quality the upstream claims", async () => {
  const jo = await customer(sql, { balance: BALANCE });
  await withHostile("only", async (hostile) => {
    hostile.respond = () =>
      answerWith([{ b64_json: squarePng.toBase64() }], { size: "16x16", quality: "low" });
    const { data, response } = await mediumSquare(jo.key);
    assert.deepEqual([data.size, data.quality], ["1024x1024", "medium"]);
    assert.equal((await balanceOf(sql, jo.accountId)).available, BALANCE - SQUARE_MEDIUM);
    const [log] = await sql`select size, quality, cost from request_log
                            where request_id = ${response.headers.get("x-request-id")}`;
    assert.deepEqual([log.size, log.quality, log.cost], ["1024x1024", "medium", SQUARE_MEDIUM]);
  });
});

test("size auto is charged for the size the image really has, not the size claimed", async () => {
  const kit = await customer(sql, { balance: BALANCE });
  const oblong = await standinImage("1536x1024");
  await withHostile("only", async (hostile) => {
    hostile.respond = () => answerWith([{ b64_json: oblong.toBase64() }], { size: "1024x1024" });
    const { data } = await mediumSquare(kit.key, { size: "auto" });
    assert.equal(data.size, "1536x1024");
    assert.equal((await balanceOf(sql, kit.accountId)).available, BALANCE - OBLONG_MEDIUM);

    // A size the model does not make is no answer to "auto".
    const tiny = await standinImage("16x16");
    hostile.respond = () => answerWith([{ b64_json: tiny.toBase64() }], { size: "1024x1024" });
    const error = await mediumSquare(kit.key, { size: "auto" }).then(() => null, (e) => e);
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 502);
  });
  assert.equal((await balanceOf(sql, kit.accountId)).available, BALANCE - OBLONG_MEDIUM);
});

// What reaches our records and our customers.

test("an upstream refusal reaches the customer as OpenAI's four fields, nothing more", async () => {
  const lea = await customer(sql, { balance: BALANCE });
  await withHostile("only", async (hostile) => {
    hostile.respond = () =>
      refusing({
        message: "Your request was rejected by the safety system.",
        type: "image_generation_user_error",
        param: null,
        code: "moderation_blocked",
        internal_org: "org-internal-4711",
        key_hint: "sk-...9f3a",
        moderation_details: { categories: ["violence"] },
      });
    const response = await fetch(`${gw.server.url}/v1/images/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${lea.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-image-2", prompt: "something flagged" }),
    });
    const text = await response.text();
    assert.equal(response.status, 400);
    assert.deepEqual(JSON.parse(text), {
      error: {
        message: "Your request was rejected by the safety system.",
        type: "image_generation_user_error",
        param: null,
        code: "moderation_blocked",
      },
    });
    assert.ok(!text.includes("org-internal") && !text.includes("9f3a"));
    assert.equal(response.headers.get("x-should-retry"), "false");
  });
  assert.equal((await balanceOf(sql, lea.accountId)).available, BALANCE);
});

test("an upstream refusal's outsized, unstorable words are bounded and mended; the call is logged", async () => {
  const max = await customer(sql, { balance: BALANCE });
  await withHostile("only", async (hostile) => {
    hostile.respond = () =>
      refusing({
        message: `bad \ud800 \u0000 prompt ${"!".repeat(100_000)}`,
        type: "made_up_type",
        param: "prompt\u0000",
        code: "invalid\u0000value",
      });
    const error = await mediumSquare(max.key).then(() => null, (e) => e);
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    const body = error.error as Record<string, string | null>;
    assert.ok(body.message!.length <= 1_000);
    assert.ok(body.message!.isWellFormed() && !body.message!.includes("\u0000"));
    assert.equal(body.type, "invalid_request_error");
    assert.equal(body.param, "prompt");
    assert.equal(body.code, null);
    const [log] = await sql`select status, http_status, cost from request_log
                            where request_id = ${error.requestID ?? ""}`;
    assert.deepEqual([log.status, log.http_status, log.cost], ["failed", 400, 0n]);
  });
  assert.equal((await balanceOf(sql, max.accountId)).available, BALANCE);
});

test("text an upstream sends that we cannot store (a lone surrogate, NUL) is mended: delivered and charged", async () => {
  const ned = await customer(sql, { balance: BALANCE });
  await withHostile("only", async (hostile) => {
    hostile.respond = () =>
      answerWith([{ b64_json: squarePng.toBase64(), revised_prompt: "fox \ud800 in\u0000 snow" }], {
        background: "\u0000",
        quality: "medium",
        usage: {
          input_tokens: 12,
          output_tokens: 1056,
          note: "\u0000",
          "\ud800": 1,
          input_tokens_details: { text_tokens: 12, image_tokens: 0, x: "\ud800" },
        },
      });
    // With an Idempotency-Key, the answer (usage and all) is kept for a replay, in PostgreSQL too.
    const call = () =>
      gw.client(ned.key).images.generate({
        model: "gpt-image-2",
        prompt: "a fox",
        size: "1024x1024",
        quality: "medium",
      }, { headers: { "Idempotency-Key": key } }).withResponse();
    const key = crypto.randomUUID();
    const { data, response } = await call();
    assert.equal(data.data![0].revised_prompt, "fox \ufffd in snow");
    assert.equal(data.background, "opaque", "a background it cannot name is not taken");
    assert.deepEqual(data.usage, {
      input_tokens: 12,
      output_tokens: 1056,
      input_tokens_details: { text_tokens: 12, image_tokens: 0 },
    });
    const [image] = await sql`select revised_prompt, cost from images
                              where request_id = ${response.headers.get("x-request-id")}`;
    assert.deepEqual([image.revised_prompt, image.cost], ["fox \ufffd in snow", SQUARE_MEDIUM]);
    const replay = await call();
    assert.equal(replay.response.headers.get("idempotent-replayed"), "true");
  });
  assert.equal((await balanceOf(sql, ned.accountId)).available, BALANCE - SQUARE_MEDIUM);
});
