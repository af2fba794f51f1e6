import assert from "node:assert/strict";
import { type ChatCompletionChunk, ChunkBuilder } from "../../text/chat_response.ts";
import { UpstreamError } from "../types.ts";
import { AnthropicChunks } from "./stream.ts";

const head = { id: "chatcmpl-test", model: "claude-sonnet-4-5", created: 1_700_000_000 };

/** An SSE body's events as [event, data] pairs. */
function events(sse: string): [string, string][] {
  return sse.trim().split(/\n\n+/).map((block) => {
    const lines = block.split("\n");
    return [lines[0].slice("event: ".length), lines[1].slice("data: ".length)];
  });
}

function run(sse: string, includeUsage: boolean) {
  const translator = new AnthropicChunks(new ChunkBuilder(head, includeUsage), "claude-1");
  const chunks: ChatCompletionChunk[] = [];
  for (const [event, data] of events(sse)) chunks.push(...translator.push(data, event));
  chunks.push(...translator.end());
  return { chunks, translator };
}

// The basic streaming example of Anthropic's "Streaming Messages" guide
// (platform.claude.com/docs/en/build-with-claude/streaming).
const HELLO = `
event: message_start
data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-3-5-sonnet-20241022", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

event: message_stop
data: {"type": "message_stop"}
`;

// A tool-use stream as Anthropic sends it (shape of the recorded fixture in @ai-sdk/anthropic,
// anthropic-json-tool.1.chunks.txt), with a text block first and two tool calls after it.
const TOOLS = `
event: message_start
data: {"type":"message_start","message":{"model":"claude-haiku-4-5-20251001","id":"msg_01K2JbSUMYhez5RHoK9ZCj9U","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":849,"cache_creation_input_tokens":0,"cache_read_input_tokens":400,"output_tokens":10,"service_tier":"standard"}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking both."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_A","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": \\"Par"}}

event: ping
data: {"type":"ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"is\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_B","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": \\"Rome\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":849,"cache_creation_input_tokens":0,"cache_read_input_tokens":400,"output_tokens":47}}

event: message_stop
data: {"type":"message_stop"}
`;

Deno.test("a text stream: the role first, each delta, the finish, and the usage chunk last", () => {
  const { chunks, translator } = run(HELLO, true);
  assert.deepEqual(chunks.map((c) => [c.choices[0]?.delta, c.choices[0]?.finish_reason]), [
    [{ role: "assistant", content: "", refusal: null }, null],
    [{ content: "Hello" }, null],
    [{ content: "!" }, null],
    [{}, "stop"],
    [undefined, undefined],
  ]);
  for (const chunk of chunks.slice(0, -1)) {
    assert.equal(chunk.usage, null);
    assert.equal(chunk.object, "chat.completion.chunk");
    assert.equal(chunk.id, "chatcmpl-test");
    assert.equal(chunk.model, "claude-sonnet-4-5");
  }
  const last = chunks.at(-1)!;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, {
    prompt_tokens: 25,
    completion_tokens: 15,
    total_tokens: 40,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  });
  assert.equal(translator.finishReason, "stop");
  assert.equal(translator.deliveredBytes, 6);
});

Deno.test("without include_usage there is no usage field and no usage chunk", () => {
  const { chunks, translator } = run(HELLO, false);
  assert.equal(chunks.length, 4);
  assert.ok(chunks.every((c) => !("usage" in c) && c.choices.length === 1));
  // The usage is still known, for the bill.
  assert.equal(translator.usage.outputTokens, 15);
});

Deno.test("tool arguments are routed by block index to their own tool call", () => {
  const { chunks, translator } = run(TOOLS, true);
  const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
  assert.deepEqual(calls, [
    { index: 0, id: "toolu_A", type: "function", function: { name: "get_weather", arguments: "" } },
    { index: 0, function: { arguments: '{"city": "Par' } },
    { index: 0, function: { arguments: 'is"}' } },
    { index: 1, id: "toolu_B", type: "function", function: { name: "get_weather", arguments: "" } },
    { index: 1, function: { arguments: '{"city": "Rome"}' } },
  ]);
  assert.equal(chunks[1].choices[0].delta.content, "Checking both.");
  assert.equal(translator.finishReason, "tool_calls");
  assert.deepEqual(translator.usage, {
    inputTokens: 849,
    cacheReadTokens: 400,
    cacheWriteTokens: 0,
    outputTokens: 47,
    reasoningTokens: 0,
  });
  assert.equal(chunks.at(-1)!.usage?.prompt_tokens, 1249);
  assert.equal(chunks.at(-1)!.usage?.prompt_tokens_details.cached_tokens, 400);
});

Deno.test("the usage known so far stays readable when a stream is cut (the client left)", () => {
  const translator = new AnthropicChunks(new ChunkBuilder(head, false), "claude-1");
  for (const [event, data] of events(HELLO).slice(0, 4)) translator.push(data, event);
  assert.equal(translator.usage.inputTokens, 25);
  assert.equal(translator.usage.outputTokens, 1);
  assert.equal(translator.deliveredBytes, 5);
});

Deno.test("an error event mid-stream is thrown as the failure it names; an early end too", () => {
  const translator = new AnthropicChunks(new ChunkBuilder(head, false), "claude-1");
  translator.push(events(HELLO)[0][1]);
  assert.throws(
    () =>
      translator.push(
        '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
        "error",
      ),
    (e) => e instanceof UpstreamError && e.kind === "unavailable" && e.status === 529,
  );
  const cut = new AnthropicChunks(new ChunkBuilder(head, false), "claude-1");
  for (const [event, data] of events(HELLO).slice(0, 5)) cut.push(data, event);
  assert.throws(() => cut.end(), (e) => e instanceof UpstreamError && e.kind === "unavailable");
  assert.throws(() => cut.push("{not json"), UpstreamError);
  assert.throws(
    () =>
      cut.push(
        '{"type":"content_block_delta","index":9,"delta":{"type":"input_json_delta","partial_json":"{"}}',
      ),
    UpstreamError,
  );
  // Unknown events and deltas are skipped, as Anthropic's versioning policy asks.
  assert.deepEqual(cut.push('{"type":"future_event","x":1}'), []);
  assert.deepEqual(
    cut.push(
      '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"…"}}',
    ),
    [],
  );
});
