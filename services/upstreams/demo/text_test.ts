import assert from "node:assert/strict";
import { parseChatRequest } from "../../text/chat_request.ts";
import type { ChatCompletionChunk } from "../../text/chat_response.ts";
import { DemoTextUpstream } from "./text.ts";
import type { TextCall } from "../text_types.ts";
import { UpstreamError } from "../types.ts";

const head = { id: "chatcmpl-demo", model: "gpt-4.1-mini", created: 1_700_000_000 };
const call = (content: string, extra: Record<string, unknown> = {}, maxOutputTokens = 1000) =>
  ({
    request: parseChatRequest({
      model: "gpt-4.1-mini",
      messages: [{ role: "user", content }],
      ...extra,
    }),
    upstreamModel: "demo",
    maxOutputTokens,
    head,
  }) satisfies TextCall;
const demo = new DemoTextUpstream(0);
const signal = new AbortController().signal;

async function streamed(c: TextCall) {
  const { chunks, progress } = await demo.stream(c, signal);
  const all: ChatCompletionChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return { all, progress };
}

Deno.test("the demo answers the same prompt the same way, a few sentences quoting it", async () => {
  const first = await demo.complete(call("What is the capital of France?"), signal);
  const again = await demo.complete(call("What is the capital of France?"), signal);
  const text = first.completion.choices[0].message.content!;
  assert.equal(text, again.completion.choices[0].message.content);
  assert.match(text, /^This is the Tokensmart demo model/);
  assert.match(text, /You asked: “What is the capital of France\?”/);
  assert.equal(first.completion.choices[0].finish_reason, "stop");
  // Usage is bytes / 4, rounded up, and what the answer says is what is billed.
  assert.equal(first.usage.outputTokens, Math.ceil(new TextEncoder().encode(text).length / 4));
  assert.equal(first.completion.usage.completion_tokens, first.usage.outputTokens);
  assert.ok(first.usage.inputTokens > 0);
});

Deno.test("a prompt with Chinese characters is answered in Chinese", async () => {
  const { completion } = await demo.complete(call("法国的首都是哪里？"), signal);
  assert.match(completion.choices[0].message.content!, /^这是 Tokensmart 的演示模型/);
  assert.match(completion.choices[0].message.content!, /你的问题是：“法国的首都是哪里？”/);
});

Deno.test("streamed word by word, the chunks join into the same reply, with the usage last", async () => {
  const whole = await demo.complete(call("Tell me a story"), signal);
  const { all, progress } = await streamed(call("Tell me a story", {
    stream: true,
    stream_options: { include_usage: true },
  }));
  const words = all.flatMap((c) => c.choices[0]?.delta.content ? [c.choices[0].delta.content] : []);
  assert.ok(words.length > 10);
  assert.equal(words.join(""), whole.completion.choices[0].message.content);
  assert.deepEqual(all[0].choices[0].delta, { role: "assistant", content: "", refusal: null });
  assert.equal(all.at(-2)!.choices[0].finish_reason, "stop");
  assert.deepEqual(all.at(-1)!.choices, []);
  assert.deepEqual(all.at(-1)!.usage, whole.completion.usage);
  assert.deepEqual(progress.usage, whole.usage);
  const chinese = await streamed(call("讲个故事", { stream: true }));
  assert.ok(chinese.all.length > 10);
});

Deno.test("the reply stops at max tokens with finish_reason length, never over the hold", async () => {
  const { completion, usage } = await demo.complete(call("Tell me a story", {}, 5), signal);
  assert.equal(completion.choices[0].finish_reason, "length");
  assert.ok(usage.outputTokens <= 5);
});

Deno.test("a prompt on the demo's word list is refused like a provider's safety block", async () => {
  await assert.rejects(
    () => demo.complete(call("draw a forbidden-test-word"), signal),
    (e) =>
      e instanceof UpstreamError && e.kind === "refused" &&
      e.body?.code === "content_policy_violation",
  );
  await assert.rejects(() => demo.stream(call("gore"), signal), UpstreamError);
});

Deno.test("a client that leaves mid-stream stops the demo; the usage so far counts what was sent", async () => {
  const controller = new AbortController();
  const slow = new DemoTextUpstream(5);
  const { chunks, progress } = await slow.stream(
    call("Tell me a story", { stream: true }),
    controller.signal,
  );
  let seen = 0;
  await assert.rejects(async () => {
    for await (const _ of chunks) {
      if (++seen === 4) controller.abort();
    }
  }, (e) => e instanceof UpstreamError && e.status === 499);
  assert.ok(progress.deliveredBytes > 0);
  assert.equal(progress.usage.outputTokens, Math.ceil(progress.deliveredBytes / 4));
  assert.equal(progress.finishReason, null);
});
