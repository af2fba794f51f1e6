// GPT, Claude and Gemini on the same key, balance and log: POST /v1/chat/completions through the
// official openai SDK, translated for each provider's stand-in server, billed per token exactly.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { addTextChannel, startGateway, startServerOn } from "./_helpers/app.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { startStandinTextUpstreams } from "./_helpers/standin_text_upstreams.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import { catalog, textCost } from "../services/billing/pricing.ts";

const gw = await startGateway();
const { sql } = gw;
const text = startStandinTextUpstreams();
await addTextChannel(sql, text, "anthropic", ["claude-sonnet-4-5", "claude-haiku-4-5"], {
  name: "anthropic",
  priority: 10,
  timeoutMs: 5_000,
});
await addTextChannel(sql, text, "openai", ["gpt-5.1", "gpt-5-mini"], {
  name: "openai-text",
  priority: 10,
  timeoutMs: 5_000,
});
await addTextChannel(sql, text, "gemini", ["gemini-2.5-flash"], {
  name: "gemini",
  priority: 10,
  timeoutMs: 5_000,
});

async function logRow(requestId: string) {
  const [row] = await sql`select * from request_log where request_id = ${requestId}`;
  return row;
}

/** The charge of `usage` at the model's current rates, as the settle computes it. */
async function priced(model: string, usage: Parameters<typeof textCost>[1]) {
  return textCost((await catalog(sql)).textPrices.get(model)!, usage);
}

test("a Claude call, not streamed: translated answer, the charge from its usage to the micro-dollar, one log line", async () => {
  const cora = await customer(sql, { balance: 5_000_000n });
  text.respond = () => ({
    kind: "reply",
    text: "Bonjour!",
    usage: { input: 1_200, output: 30, cacheRead: 800, cacheWrite: 100 },
  });
  const { data, response } = await gw.client(cora.key).chat.completions.create({
    model: "claude-sonnet-4-5",
    // A prompt the size of the usage the stand-in reports (the hold bounds it by its bytes).
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Say hello. ".repeat(300) },
    ],
    max_tokens: 100,
  }).withResponse();
  assert.equal(data.choices[0].message.content, "Bonjour!");
  assert.equal(data.choices[0].finish_reason, "stop");
  assert.equal(data.model, "claude-sonnet-4-5");
  // OpenAI's prompt_tokens include the cached ones.
  assert.equal(data.usage?.prompt_tokens, 2_100);
  assert.equal(data.usage?.prompt_tokens_details?.cached_tokens, 800);
  const cost = await priced("claude-sonnet-4-5", {
    input: 1_200,
    cachedInput: 800,
    cacheWrite: 100,
    output: 30,
  });
  assert.equal(response.headers.get("x-tokensmart-cost"), (Number(cost) / 1e6).toFixed(6));
  const row = await logRow(response.headers.get("x-request-id")!);
  assert.equal(row.kind, "text");
  assert.equal(row.status, "ok");
  assert.equal(row.cost, cost);
  assert.deepEqual(
    [row.input_tokens, row.cached_tokens, row.cache_write_tokens, row.output_tokens],
    [1_200, 800, 100, 30],
  );
  assert.equal(row.finish_reason, "stop");
  assert.equal((await balanceOf(sql, cora.accountId)).available, 5_000_000n - cost);
  const sent = text.calls.at(-1)!;
  assert.equal(sent.provider, "anthropic");
  assert.deepEqual(sent.body.system, [{ type: "text", text: "Be brief." }]);
  assert.equal(sent.body.max_tokens, 100);
  await assertLedgerHolds(sql);
});

test("a Gemini call, streamed with include_usage: chunks then one usage chunk with the cost, then [DONE]; charged once", async () => {
  const gil = await customer(sql, { balance: 5_000_000n });
  text.respond = () => ({
    kind: "reply",
    text: "One two three four",
    usage: { input: 40, output: 12, thoughts: 5 },
  });
  const stream = await gw.client(gil.key).chat.completions.create({
    model: "gemini-2.5-flash",
    messages: [{ role: "user", content: "Count" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let content = "";
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    content += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(content.trim(), "One two three four");
  // Thinking counts as output.
  assert.equal(usage?.completion_tokens, 17);
  const cost = await priced("gemini-2.5-flash", {
    input: 40,
    cachedInput: 0,
    cacheWrite: 0,
    output: 17,
  });
  assert.equal((usage as unknown as { cost: string }).cost, (Number(cost) / 1e6).toFixed(6));
  const [row] = await sql`select * from request_log where user_id = ${gil.id}`;
  assert.equal(row.stream, true);
  assert.equal(row.cost, cost);
  assert.equal((await balanceOf(sql, gil.accountId)).available, 5_000_000n - cost);
  await assertLedgerHolds(sql);
});

test("a GPT call through the openai SDK, with a tool call; a flagged prompt is blocked free", async () => {
  const gus = await customer(sql, { balance: 5_000_000n });
  text.respond = () => ({
    kind: "reply",
    toolCalls: [{ name: "weather", args: { city: "Paris" } }],
    usage: { input: 30, cacheRead: 10, output: 8 },
  });
  const { data, response } = await gw.client(gus.key).chat.completions.create({
    model: "gpt-5.1",
    messages: [{ role: "user", content: "Weather in Paris? ".repeat(5) }],
    tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }],
  }).withResponse();
  assert.equal(data.choices[0].finish_reason, "tool_calls");
  const call = data.choices[0].message
    .tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
  assert.deepEqual(JSON.parse(call.function.arguments), { city: "Paris" });
  const cost = await priced("gpt-5.1", { input: 30, cachedInput: 10, cacheWrite: 0, output: 8 });
  assert.equal((await logRow(response.headers.get("x-request-id")!)).cost, cost);
  const sent = text.calls.at(-1)!;
  assert.equal(sent.provider, "openai");
  assert.equal(sent.body.model, "gpt-5.1");

  text.respond = () => ({ kind: "blocked" });
  const blocked = await gw.client(gus.key).chat.completions.create({
    model: "gpt-5.1",
    messages: [{ role: "user", content: "something flagged" }],
  }).then(() => null, (e) => e);
  assert.ok(blocked instanceof OpenAI.BadRequestError);
  assert.equal(blocked.code, "invalid_prompt");
  const [row] = await sql`select status, cost from request_log
    where user_id = ${gus.id} order by created_at desc limit 1`;
  assert.deepEqual([row.status, row.cost], ["blocked", 0n]);
  assert.equal((await balanceOf(sql, gus.accountId)).available, 5_000_000n - cost);
  await assertLedgerHolds(sql);
});

test("usage reported beyond what the hold bounds is charged the hold, never more", async () => {
  const hal = await customer(sql, { balance: 5_000_000n });
  text.respond = () => ({ kind: "reply", text: "ok", usage: { input: 900_000, output: 10 } });
  const { response } = await gw.client(hal.key).chat.completions.create({
    model: "claude-haiku-4-5",
    messages: [{ role: "user", content: "hi" }],
    max_tokens: 50,
  }).withResponse();
  const [hold] = await sql`select amount from ledger_transfers
    where kind = 'hold' and request_id = ${response.headers.get("x-request-id")}`;
  const row = await logRow(response.headers.get("x-request-id")!);
  assert.equal(row.cost, hold.amount);
  assert.equal((await balanceOf(sql, hal.accountId)).available, 5_000_000n - hold.amount);
  await assertLedgerHolds(sql);
});

test("a blocked prompt is refused free, in OpenAI's envelope; an unknown model is a 404; no money is a 429", async () => {
  const bo = await customer(sql, { balance: 5_000_000n });
  text.respond = () => ({ kind: "blocked", reason: "SAFETY" });
  const blocked = await gw.client(bo.key).chat.completions.create({
    model: "gemini-2.5-flash",
    messages: [{ role: "user", content: "something bad" }],
  }).then(() => null, (e) => e);
  assert.ok(blocked instanceof OpenAI.BadRequestError);
  assert.equal(blocked.code, "content_policy_violation");
  const missing = await gw.client(bo.key).chat.completions.create({
    model: "gpt-9000",
    messages: [{ role: "user", content: "hi" }],
  }).then(() => null, (e) => e);
  assert.ok(missing instanceof OpenAI.NotFoundError);
  const poor = await customer(sql, { balance: 10n });
  const refused = await gw.client(poor.key).chat.completions.create({
    model: "claude-sonnet-4-5",
    messages: [{ role: "user", content: "hi" }],
  }).then(() => null, (e) => e);
  assert.ok(refused instanceof OpenAI.RateLimitError);
  assert.equal(refused.code, "insufficient_quota");
  assert.equal((await balanceOf(sql, bo.accountId)).available, 5_000_000n);
  const rows =
    await sql`select status, cost from request_log where user_id = ${bo.id} order by created_at`;
  assert.deepEqual(rows.map((r) => [r.status, r.cost]), [["blocked", 0n], ["invalid", 0n]]);
  await assertLedgerHolds(sql);
});

test("the demo channel answers text models offline, streamed word by word, on a server with the demo on", async () => {
  const demo = await startServerOn(sql, gw.dbUrl, { DEMO: "on" });
  try {
    const dee = await customer(sql, { balance: 5_000_000n });
    const answer = await demo.client(dee.key).chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "Tell me about cats" }],
    });
    assert.ok((answer.choices[0].message.content ?? "").length > 10);
    const stream = await demo.client(dee.key).chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "你好" }],
      stream: true,
    });
    let words = 0;
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) words++;
    assert.ok(words > 2, "streamed in pieces");
    const models = [];
    for await (const model of demo.client(dee.key).models.list()) models.push(model.id);
    assert.ok(models.includes("claude-sonnet-4-5") && models.includes("gpt-image-2"));
  } finally {
    await demo.server.shutdown();
  }
  await assertLedgerHolds(sql);
});
