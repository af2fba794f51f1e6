// Operators' `deno task admin` commands: each prints what it did, refuses bad input clearly with
// a non-zero exit, and a create that would duplicate changes nothing.
import assert from "node:assert/strict";
import { freshDatabase, test } from "./_helpers/database.ts";
import { runScript } from "./_helpers/processes.ts";
import { authenticate } from "../services/accounts/api_keys.ts";

const { sql, url } = await freshDatabase();
const admin = (...args: string[]) => runScript("admin.ts", args, { DATABASE_URL: url });

test("user:create makes a user once; a second with the same email is refused and changes nothing", async () => {
  const created = await admin(
    "user:create",
    "--email",
    "Ops@Example.com",
    "--password",
    "s3cret-pass",
  );
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /created user ops@example.com/);
  const again = await admin(
    "user:create",
    "--email",
    "ops@example.com",
    "--password",
    "another-pass",
  );
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists already/);
  const [count] = await sql`select count(*)::int as n from users where email = 'ops@example.com'`;
  assert.equal(count.n, 1);
});

test("bad input is refused with one clear line and exit code 2", async () => {
  for (
    const [args, message] of [
      [
        ["user:create", "--email", "not-an-email", "--password", "longenough"],
        /--email not a valid email/,
      ],
      [["user:create", "--email", "x@example.com", "--password", "short"], /--password at least 8/],
      [["topup", "--email", "ops@example.com", "--usd", "-5"], /--usd/],
      [["topup", "--email", "ops@example.com", "--usd", "1.0000001"], /--usd not a USD amount/],
      [["topup", "--email", "ops@example.com"], /--usd is required/],
      [["topup", "--email", "nobody@example.com", "--usd", "1"], /no user with email/],
      [["key:create", "--email", "ops@example.com", "--bogus", "1"], /Unknown option '--bogus'/],
      [[
        "price:set",
        "--model",
        "gpt-image-2",
        "--size",
        "512x512",
        "--quality",
        "low",
        "--usd",
        "0.01",
      ], /--size/],
      [[
        "channel:add",
        "--name",
        "x",
        "--provider",
        "anthropic",
        "--base-url",
        "http://x",
        "--api-key",
        "k",
        "--models",
        "gpt-image-2",
      ], /a channel of provider anthropic cannot serve gpt-image-2/],
      [[
        "price:set",
        "--model",
        "gpt-5.1",
        "--usd",
        "0.01",
        "--input-usd-per-mtok",
        "1",
      ], /give either --size, --quality and --usd .* or --input-usd-per-mtok/],
      [[
        "price:set",
        "--model",
        "brand-new-model",
        "--input-usd-per-mtok",
        "1",
        "--output-usd-per-mtok",
        "2",
      ], /brand-new-model is a new model: give --max-output-tokens/],
      [[
        "price:set",
        "--model",
        "gpt-image-2",
        "--size",
        "1024x1024",
        "--quality",
        "low",
        "--usd",
        "0",
      ], /more than 0/],
      [["no-such-command"], /unknown command/],
    ] as const
  ) {
    const result = await admin(...args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, message, `${args.join(" ")}: ${result.stderr}`);
  }
});

test("topup, balance to the micro-dollar, and the same reference twice tops up once", async () => {
  const first = await admin(
    "topup",
    "--email",
    "ops@example.com",
    "--usd",
    "12.50",
    "--reference",
    "invoice-7",
  );
  assert.equal(first.code, 0, first.stderr);
  const second = await admin(
    "topup",
    "--email",
    "ops@example.com",
    "--usd",
    "12.50",
    "--reference",
    "invoice-7",
  );
  assert.equal(second.code, 0, second.stderr);
  const balance = await admin("balance", "--email", "ops@example.com");
  assert.equal(balance.stdout.trim().split("\n").at(-1), "12.500000");
});

test("key:create prints the new key alone on its last line; key:list shows only its prefix; key:revoke by prefix", async () => {
  const created = await admin(
    "key:create",
    "--email",
    "ops@example.com",
    "--name",
    "ci",
    "--limit-usd",
    "5",
  );
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim().split("\n").at(-1)!;
  assert.match(key, /^pk_live_[0-9A-Za-z]{40}$/);
  assert.ok(await authenticate(sql, `Bearer ${key}`));

  const listed = await admin("key:list", "--email", "ops@example.com");
  assert.ok(listed.stdout.includes(key.slice(0, 16)));
  assert.ok(!listed.stdout.includes(key), "the whole key is never shown again");
  assert.match(listed.stdout, /limit 5\.000000/);

  const revoked = await admin("key:revoke", "--prefix", key.slice(0, 16));
  assert.equal(revoked.code, 0, revoked.stderr);
  const twice = await admin("key:revoke", "--key", key);
  assert.equal(twice.code, 0);
  assert.match(twice.stdout, /revoked already/);
  await assert.rejects(authenticate(sql, `Bearer ${key}`), /revoked/);
});

test("price:set changes the price from now on and keeps the old one on record; price:list shows it", async () => {
  const set = await admin(
    "price:set",
    "--model",
    "gpt-image-2",
    "--size",
    "1024x1024",
    "--quality",
    "low",
    "--usd",
    "0.0099",
  );
  assert.equal(set.code, 0, set.stderr);
  const list = await admin("price:list");
  assert.match(list.stdout, /gpt-image-2\s+1024x1024\s+low\s+0\.009900 USD/);
  const rows =
    await sql`select price from image_prices where model_id = 'gpt-image-2' and size = '1024x1024' and quality = 'low' order by valid_from`;
  assert.deepEqual(rows.map((r) => r.price), [7_200n, 9_900n]);
});

test("price:set for a text model: per-million-token rates with history; a new model is added by price:set and served by channel:add", async () => {
  const set = await admin(
    "price:set",
    "--model",
    "claude-haiku-4-5",
    "--input-usd-per-mtok",
    "1.1",
    "--output-usd-per-mtok",
    "5.5",
    "--cached-input-usd-per-mtok",
    "0.11",
  );
  assert.equal(set.code, 0, set.stderr);
  const rows = await sql`select input_per_mtok, cached_input_per_mtok, output_per_mtok
    from text_prices where model_id = 'claude-haiku-4-5' order by valid_from`;
  assert.deepEqual(rows.map((r) => r.output_per_mtok), [6_000_000n, 5_500_000n]);
  assert.equal(rows[1].cached_input_per_mtok, 110_000n);
  const list = await admin("price:list");
  assert.match(
    list.stdout,
    /claude-haiku-4-5\s+per million tokens: input 1\.100000, cached 0\.110000, .*output 5\.500000 USD/,
  );

  const added = await admin(
    "price:set",
    "--model",
    "claude-future-9",
    "--input-usd-per-mtok",
    "2",
    "--output-usd-per-mtok",
    "8",
    "--max-output-tokens",
    "32000",
    "--owned-by",
    "anthropic",
  );
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /added text model claude-future-9/);
  const channel = await admin(
    "channel:add",
    "--name",
    "anthropic-main",
    "--provider",
    "anthropic",
    "--base-url",
    "https://api.anthropic.example",
    "--api-key",
    "sk-ant-123456",
    "--models",
    "claude-future-9,claude-haiku-4-5",
  );
  assert.equal(channel.code, 0, channel.stderr);
  assert.match((await admin("channel:list")).stdout, /anthropic-main\s+anthropic/);
});

test("channel:add, a duplicate refused, channel:list, channel:disable twice", async () => {
  const args = [
    "--name",
    "openai-main",
    "--provider",
    "openai",
    "--base-url",
    "https://api.openai.example/v1",
    "--api-key",
    "sk-live-123456",
    "--models",
    "gpt-image-2,gpt-image-1.5",
    "--priority",
    "10",
  ];
  const added = await admin("channel:add", ...args);
  assert.equal(added.code, 0, added.stderr);
  const duplicate = await admin("channel:add", ...args);
  assert.equal(duplicate.code, 2);
  assert.match(duplicate.stderr, /exists already/);
  const unknownModel = await admin(
    "channel:add",
    "--name",
    "x2",
    "--provider",
    "openai",
    "--base-url",
    "https://x.example",
    "--api-key",
    "k",
    "--models",
    "gpt-9",
  );
  assert.equal(unknownModel.code, 2);
  assert.match(unknownModel.stderr, /unknown model/);
  const list = await admin("channel:list");
  assert.match(list.stdout, /openai-main\s+openai\s+priority 10\s+enabled/);
  assert.match(list.stdout, /^demo \(built-in\).*\(now: [^)]*gpt-image-1-mini\); currently: off/m);
  assert.ok(!list.stdout.includes("sk-live-123456"), "the upstream key is not printed whole");
  assert.equal((await admin("channel:disable", "--name", "openai-main")).code, 0);
  const again = await admin("channel:disable", "--name", "openai-main");
  assert.match(again.stdout, /disabled already/);
});

test("ledger:check passes on a consistent ledger, and fails with exit 1 when a total is tampered with", async () => {
  const ok = await admin("ledger:check");
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /ledger check passed/);
  await sql`update ledger_accounts set credits_posted = credits_posted + 1 where kind = 'customer'`;
  const broken = await admin("ledger:check");
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /FAIL\s+customer running totals/);
  await sql`update ledger_accounts set credits_posted = credits_posted - 1 where kind = 'customer'`;
});
