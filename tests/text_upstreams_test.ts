// Claude, Gemini and OpenAI channels over real HTTP: the adapters against the stand-in servers,
// streamed and not, with every error form sorted for the failover, failures mid-stream, slow
// answers and blocked prompts.
import assert from "node:assert/strict";
import { AnthropicTextUpstream } from "../services/upstreams/anthropic/call.ts";
import { GeminiTextUpstream } from "../services/upstreams/gemini/call.ts";
import { OpenAITextUpstream } from "../services/upstreams/openai/chat.ts";
import type { TextCall, TextChannel, TextUpstream } from "../services/upstreams/text_types.ts";
import { isPolicyBlock, UpstreamError } from "../services/upstreams/types.ts";
import { parseChatRequest } from "../services/text/chat_request.ts";
import type { ChatCompletionChunk } from "../services/text/chat_response.ts";
import {
  type Provider,
  type Script,
  STANDIN_KEY,
  startStandinTextUpstreams,
} from "./_helpers/standin_text_upstreams.ts";

const head = { id: "chatcmpl-t", model: "our-model", created: 1_700_000_000 };

function call(body: Record<string, unknown> = {}): TextCall {
  return {
    request: parseChatRequest({
      model: "our-model",
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi there" }],
      ...body,
    }),
    upstreamModel: "upstream-model",
    maxOutputTokens: 512,
    head,
  };
}

async function withUpstreams(
  test: (
    standin: ReturnType<typeof startStandinTextUpstreams>,
    adapter: (provider: Provider, channel?: Partial<TextChannel>) => TextUpstream,
  ) => Promise<void>,
) {
  const standin = startStandinTextUpstreams();
  const adapter = (provider: Provider, channel: Partial<TextChannel> = {}) => {
    const full: TextChannel = {
      name: `${provider}-1`,
      baseUrl:
        { anthropic: standin.anthropicUrl, gemini: standin.geminiUrl, openai: standin.openaiUrl }[
          provider
        ],
      apiKey: STANDIN_KEY,
      timeoutMs: 5_000,
      ...channel,
    };
    return provider === "anthropic"
      ? new AnthropicTextUpstream(full)
      : provider === "openai"
      ? new OpenAITextUpstream(full)
      : new GeminiTextUpstream(full);
  };
  try {
    await test(standin, adapter);
  } finally {
    await standin.close();
  }
}

async function drain(chunks: AsyncIterable<ChatCompletionChunk>) {
  const all: ChatCompletionChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

const signal = () => new AbortController().signal;
const PROVIDERS: Provider[] = ["anthropic", "gemini"];

Deno.test("a whole answer comes back as a chat.completion, from each provider's own request", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({
      kind: "reply",
      text: "Hi! How can I help?",
      usage: { input: 20, output: 6 },
    });
    for (const provider of PROVIDERS) {
      const { completion, usage } = await adapter(provider).complete(call(), signal());
      assert.equal(completion.choices[0].message.content, "Hi! How can I help?");
      assert.equal(completion.choices[0].finish_reason, "stop");
      assert.equal(completion.model, "our-model");
      assert.deepEqual([usage.inputTokens, usage.outputTokens], [20, 6]);
    }
    const [anthropic, gemini] = standin.calls;
    assert.equal(anthropic.path, "/anthropic/v1/messages");
    assert.equal(anthropic.headers["anthropic-version"], "2023-06-01");
    assert.equal(anthropic.body.model, "upstream-model");
    assert.equal(anthropic.body.max_tokens, 512);
    assert.deepEqual(anthropic.body.system, [{ type: "text", text: "Be brief." }]);
    assert.equal(gemini.path, "/gemini/v1beta/models/upstream-model:generateContent");
    assert.deepEqual(gemini.body.systemInstruction, { parts: [{ text: "Be brief." }] });
  });
});

Deno.test("a stream comes back as OpenAI chunks, tool calls and usage included", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({
      kind: "reply",
      text: "Let me check.",
      toolCalls: [{ name: "get_weather", args: { city: "Paris" } }],
      usage: { input: 30, output: 9, cacheRead: 10 },
    });
    const request = {
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: "function", function: { name: "get_weather" } }],
    };
    for (const provider of PROVIDERS) {
      const { chunks, progress } = await adapter(provider).stream(call(request), signal());
      const all = await drain(chunks);
      const text = all.map((c) => c.choices[0]?.delta.content ?? "").join("");
      assert.equal(text, "Let me check.", provider);
      const args = all.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
        .map((t) => t.function.arguments).join("");
      assert.equal(args, '{"city":"Paris"}', provider);
      assert.equal(progress.finishReason, "tool_calls", provider);
      assert.equal(all.at(-1)!.usage?.prompt_tokens, 40, provider);
      assert.equal(all.at(-1)!.usage?.prompt_tokens_details.cached_tokens, 10, provider);
      assert.equal(progress.usage.outputTokens, 9, provider);
    }
    assert.equal(standin.calls[0].body.stream, true);
    assert.equal(
      standin.calls[1].path,
      "/gemini/v1beta/models/upstream-model:streamGenerateContent?alt=sse",
    );
  });
});

Deno.test("errors before any answer are sorted: the request's fault is refused, the channel's moves on", async () => {
  await withUpstreams(async (standin, adapter) => {
    const cases: [Provider, number, string | undefined, "refused" | "unavailable"][] = [
      ["anthropic", 400, undefined, "refused"],
      ["anthropic", 401, undefined, "unavailable"],
      ["anthropic", 403, undefined, "unavailable"],
      ["anthropic", 404, undefined, "unavailable"],
      ["anthropic", 413, undefined, "refused"],
      ["anthropic", 429, undefined, "unavailable"],
      ["anthropic", 500, undefined, "unavailable"],
      ["anthropic", 529, undefined, "unavailable"],
      ["gemini", 400, undefined, "refused"],
      ["gemini", 400, "API_KEY_INVALID", "unavailable"],
      ["gemini", 403, undefined, "unavailable"],
      ["gemini", 429, undefined, "unavailable"],
      ["gemini", 500, undefined, "unavailable"],
      ["gemini", 503, undefined, "unavailable"],
    ];
    for (const [provider, status, reason, kind] of cases) {
      standin.respond = () => ({ kind: "error", status, reason });
      for (const stream of [false, true]) {
        const upstream = adapter(provider);
        const attempt = stream
          ? upstream.stream(call({ stream: true }), signal())
          : upstream.complete(call(), signal());
        await assert.rejects(attempt, (e) => {
          assert.ok(e instanceof UpstreamError);
          assert.equal(e.kind, kind, `${provider} ${status} ${reason ?? ""}`);
          if (kind === "refused") assert.equal(e.body?.type, "invalid_request_error");
          return true;
        });
      }
    }
    // A wrong key of ours is the channel's problem too.
    await assert.rejects(
      adapter("anthropic", { apiKey: "wrong" }).complete(call(), signal()),
      (e) => e instanceof UpstreamError && e.kind === "unavailable" && e.status === 401,
    );
  });
});

Deno.test("a blocked prompt is a free policy refusal; Claude's refusal is a content_filter finish", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({ kind: "blocked", reason: "PROHIBITED_CONTENT" });
    for (const stream of [false, true]) {
      const gemini = adapter("gemini");
      await assert.rejects(
        stream
          ? gemini.stream(call({ stream: true }), signal())
          : gemini.complete(call(), signal()),
        (e) =>
          e instanceof UpstreamError && e.kind === "refused" &&
          e.body?.code === "content_policy_violation",
      );
    }
    const { completion } = await adapter("anthropic").complete(call(), signal());
    assert.equal(completion.choices[0].finish_reason, "content_filter");
  });
});

Deno.test("an error event first is thrown by stream() itself, so the next channel can still be tried", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({ kind: "fail_mid_stream", afterWords: 0, how: "error_event" });
    for (const provider of PROVIDERS) {
      await assert.rejects(
        adapter(provider).stream(call({ stream: true }), signal()),
        (e) => e instanceof UpstreamError && e.kind === "unavailable",
        provider,
      );
    }
  });
});

Deno.test("a failure mid-stream ends the chunks with an error, the usage so far still readable", async () => {
  await withUpstreams(async (standin, adapter) => {
    for (const how of ["error_event", "cut"] as const) {
      standin.respond = () => ({
        kind: "fail_mid_stream",
        afterWords: 3,
        how,
        text: "one two three four five",
      });
      for (const provider of PROVIDERS) {
        const { chunks, progress } = await adapter(provider).stream(
          call({ stream: true }),
          signal(),
        );
        const seen: string[] = [];
        await assert.rejects(
          async () => {
            for await (const chunk of chunks) seen.push(chunk.choices[0]?.delta.content ?? "");
          },
          (e) => e instanceof UpstreamError && e.kind === "unavailable",
          `${provider} ${how}`,
        );
        assert.equal(seen.join(""), "one two three", `${provider} ${how}`);
        assert.equal(progress.deliveredBytes, "one two three".length);
        assert.equal(progress.finishReason, null);
        assert.equal(progress.usage.inputTokens, 12);
      }
    }
  });
});

Deno.test("a channel that answers too slowly times out (504); a caller who leaves aborts (499)", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({ kind: "hang" });
    for (const provider of PROVIDERS) {
      await assert.rejects(
        adapter(provider, { timeoutMs: 50 }).complete(call(), signal()),
        (e) => e instanceof UpstreamError && e.kind === "unavailable" && e.status === 504,
      );
      const controller = new AbortController();
      const attempt = adapter(provider).stream(call({ stream: true }), controller.signal);
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(attempt, (e) => e instanceof UpstreamError && e.status === 499);
    }
    // A slow stream that has started is not cut by the channel's deadline: 20 words at 25 ms
    // apart outlast the 300 ms deadline, while the first arrives well within it.
    const long = Array.from({ length: 20 }, (_, i) => `word${i}`).join(" ");
    standin.respond = () => ({ kind: "reply", text: long, eventDelayMs: 25 });
    const slow = adapter("anthropic", { timeoutMs: 300 });
    const { chunks } = await slow.stream(call({ stream: true }), signal());
    const text = (await drain(chunks)).map((c) => c.choices[0]?.delta.content ?? "").join("");
    assert.equal(text, long);
  });
});

// OpenAI channels: the request passes through the openai SDK as the customer sent it, to the
// channel's base URL (…/v1) with a Bearer key; the answer is rebuilt under our head.

const streamed = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

/** The text a stream delivered before it threw, and what it threw. */
async function readToFailure(chunks: AsyncIterable<ChatCompletionChunk>) {
  let text = "";
  try {
    for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? "";
  } catch (error) {
    return { text, error };
  }
  throw new Error(`the stream ended without an error after "${text}"`);
}

Deno.test("an OpenAI channel's whole answer: content, tool calls, finish reason and usage with cached tokens split", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({
      kind: "reply",
      text: "Let me check.",
      toolCalls: [{ name: "get_weather", args: { city: "Paris" } }],
      usage: { input: 20, cacheRead: 80, output: 6, thoughts: 4 },
    });
    const { completion, usage } = await adapter("openai").complete(call(), signal());
    assert.equal(completion.id, "chatcmpl-t");
    assert.equal(completion.model, "our-model");
    const [choice] = completion.choices;
    assert.equal(choice.message.content, "Let me check.");
    assert.deepEqual(choice.message.tool_calls, [{
      id: "call_standin_0",
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
    }]);
    assert.equal(choice.finish_reason, "tool_calls");
    // OpenAI counts cached tokens inside prompt_tokens and reasoning inside completion_tokens.
    assert.deepEqual(usage, {
      inputTokens: 20,
      cacheReadTokens: 80,
      cacheWriteTokens: 0,
      outputTokens: 10,
      reasoningTokens: 4,
    });
    assert.equal(completion.usage.prompt_tokens, 100);
    assert.equal(completion.usage.prompt_tokens_details.cached_tokens, 80);
    const [sent] = standin.calls;
    assert.equal(sent.path, "/openai/v1/chat/completions");
    assert.equal(sent.headers.authorization, `Bearer ${STANDIN_KEY}`);
    assert.equal(sent.stream, false);
    assert.equal(sent.body.model, "upstream-model");
    assert.deepEqual(sent.body.messages, [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi there" },
    ]);
    assert.equal("stream_options" in sent.body, false);

    for (const stop of ["stop", "length", "content_filter"] as const) {
      standin.respond = () => ({ kind: "reply", text: "Fine.", stop });
      const { completion } = await adapter("openai").complete(call(), signal());
      assert.equal(completion.choices[0].finish_reason, stop);
    }
  });
});

Deno.test("an OpenAI stream: words, tool calls routed by index, the finish, then usage when asked", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({
      kind: "reply",
      text: "Let me check both.",
      toolCalls: [
        { name: "get_weather", args: { city: "Paris" } },
        { id: "call_time", name: "get_time", args: { zone: "Europe/Paris" } },
      ],
      usage: { input: 30, cacheRead: 10, output: 9 },
    });
    const request = {
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        { type: "function", function: { name: "get_weather" } },
        { type: "function", function: { name: "get_time" } },
      ],
    };
    const { chunks, progress } = await adapter("openai").stream(call(request), signal());
    const all = await drain(chunks);
    assert.equal(all[0].choices[0].delta.role, "assistant");
    assert.equal(streamed(all), "Let me check both.");
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    for (const delta of all.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])) {
      const seen = calls.get(delta.index) ?? { args: "" };
      calls.set(delta.index, {
        id: seen.id ?? delta.id,
        name: seen.name ?? delta.function.name,
        args: seen.args + delta.function.arguments,
      });
    }
    assert.deepEqual([...calls.entries()], [
      [0, { id: "call_standin_0", name: "get_weather", args: '{"city":"Paris"}' }],
      [1, { id: "call_time", name: "get_time", args: '{"zone":"Europe/Paris"}' }],
    ]);
    assert.equal(progress.finishReason, "tool_calls");
    // Usage comes once, last, with no choices; every chunk before carries usage: null.
    const last = all.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage?.prompt_tokens, 40);
    assert.equal(last.usage?.prompt_tokens_details.cached_tokens, 10);
    assert.ok(all.slice(0, -1).every((c) => c.usage === null));
    assert.deepEqual([progress.usage.inputTokens, progress.usage.cacheReadTokens], [30, 10]);
    assert.equal(progress.usage.outputTokens, 9);
    assert.equal(standin.calls[0].stream, true);
  });
});

Deno.test("an OpenAI stream always asks the upstream for usage, and bounds the output to what the hold covers", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({ kind: "reply", text: "Three words here.", usage: { output: 3 } });
    // The customer did not ask for usage: the call is billed on it all the same, and the
    // customer's chunks carry none.
    const { chunks, progress } = await adapter("openai").stream(
      call({ stream: true }),
      signal(),
    );
    const all = await drain(chunks);
    assert.equal(streamed(all), "Three words here.");
    assert.ok(all.every((c) => c.usage === undefined && c.choices.length === 1));
    assert.deepEqual([progress.usage.inputTokens, progress.usage.outputTokens], [12, 3]);
    const [asked] = standin.calls;
    assert.deepEqual(asked.body.stream_options, { include_usage: true });
    // No max tokens in the request: the bound the hold was made for is sent.
    assert.equal(asked.body.max_completion_tokens, 512);
    assert.equal("max_tokens" in asked.body, false);

    // A bound the customer set is theirs, and nothing is added beside it.
    for (const own of [{ max_tokens: 100 }, { max_completion_tokens: 64 }]) {
      await drain(
        (await adapter("openai").stream(call({ stream: true, ...own }), signal())).chunks,
      );
      await adapter("openai").complete(call(own), signal());
    }
    assert.deepEqual(
      standin.calls.slice(1).map((c) => [c.body.max_tokens, c.body.max_completion_tokens]),
      [[100, undefined], [100, undefined], [undefined, 64], [undefined, 64]],
    );
  });
});

Deno.test("an OpenAI channel's errors are sorted: a request it names is refused, the channel's own move on", async () => {
  await withUpstreams(async (standin, adapter) => {
    const cases: [Extract<Script, { kind: "error" }>, "refused" | "unavailable"][] = [
      [{ kind: "error", status: 400 }, "refused"],
      [
        { kind: "error", status: 400, param: "temperature", reason: "unsupported_value" },
        "refused",
      ],
      // A 400 that names no field is our upstream account's (billing), not the customer's.
      [{
        kind: "error",
        status: 400,
        param: null,
        type: "insufficient_quota",
        reason: "billing_hard_limit_reached",
      }, "unavailable"],
      [{ kind: "error", status: 401 }, "unavailable"],
      [{ kind: "error", status: 403 }, "unavailable"],
      [{ kind: "error", status: 404 }, "unavailable"],
      [{ kind: "error", status: 429 }, "unavailable"],
      [
        { kind: "error", status: 429, type: "insufficient_quota", reason: "insufficient_quota" },
        "unavailable",
      ],
      [{ kind: "error", status: 500 }, "unavailable"],
      [{ kind: "error", status: 503 }, "unavailable"],
    ];
    for (const [script, kind] of cases) {
      standin.respond = () => script;
      for (const stream of [false, true]) {
        const upstream = adapter("openai");
        const attempt = stream
          ? upstream.stream(call({ stream: true }), signal())
          : upstream.complete(call(), signal());
        const what = `${script.status} ${script.reason ?? ""} ${stream ? "stream" : "whole"}`;
        await assert.rejects(attempt, (e) => {
          assert.ok(e instanceof UpstreamError, what);
          assert.equal(e.kind, kind, what);
          assert.equal(e.status, script.status, what);
          if (kind === "refused") {
            assert.equal(e.body?.type, "invalid_request_error", what);
            assert.equal(e.body?.param, script.param ?? "messages", what);
          }
          return true;
        });
      }
    }
    // A wrong key of ours is the channel's problem too, in OpenAI's words.
    await assert.rejects(
      adapter("openai", { apiKey: "wrong" }).complete(call(), signal()),
      (e) =>
        e instanceof UpstreamError && e.kind === "unavailable" && e.status === 401 &&
        e.body?.code === "invalid_api_key",
    );
  });
});

Deno.test("a prompt OpenAI's safety system flags is refused before any answer, streamed or not", async () => {
  await withUpstreams(async (standin, adapter) => {
    // invalid_prompt is what OpenAI answers a flagged chat prompt; content_policy_violation is
    // the code its image prompts got, and the one our own refusals carry.
    for (const reason of [undefined, "content_policy_violation"]) {
      standin.respond = () => ({ kind: "blocked", reason });
      for (const stream of [false, true]) {
        const upstream = adapter("openai");
        await assert.rejects(
          stream
            ? upstream.stream(call({ stream: true }), signal())
            : upstream.complete(call(), signal()),
          (e) => {
            assert.ok(e instanceof UpstreamError);
            assert.equal(e.kind, "refused");
            assert.equal(e.status, 400);
            assert.equal(e.body?.code, reason ?? "invalid_prompt");
            if (reason) assert.ok(isPolicyBlock(e.body));
            return true;
          },
        );
      }
    }
  });
});

Deno.test("an OpenAI stream that fails mid-answer ends its chunks with an error after the words delivered", async () => {
  await withUpstreams(async (standin, adapter) => {
    for (const how of ["error_event", "cut"] as const) {
      standin.respond = () => ({
        kind: "fail_mid_stream",
        afterWords: 3,
        how,
        text: "one two three four five",
      });
      for (const includeUsage of [false, true]) {
        const { chunks, progress } = await adapter("openai").stream(
          call({ stream: true, stream_options: { include_usage: includeUsage } }),
          signal(),
        );
        const { text, error } = await readToFailure(chunks);
        assert.equal(text, "one two three", how);
        assert.ok(error instanceof UpstreamError && error.kind === "unavailable", how);
        // The upstream's own words reach the log, not only that the stream ended early.
        if (how === "error_event") assert.match(error.message, /The server had an error/);
        assert.equal(progress.deliveredBytes, "one two three".length);
        assert.equal(progress.finishReason, null);
      }
    }
    // Failing before any word: stream() itself throws, while the next channel can be tried.
    for (const how of ["error_event", "cut"] as const) {
      standin.respond = () => ({ kind: "fail_mid_stream", afterWords: 0, how });
      await assert.rejects(
        adapter("openai").stream(call({ stream: true }), signal()),
        (e) => e instanceof UpstreamError && e.kind === "unavailable",
        how,
      );
    }
  });
});

Deno.test("an OpenAI channel that does not answer times out (504); a caller who leaves aborts (499)", async () => {
  await withUpstreams(async (standin, adapter) => {
    standin.respond = () => ({ kind: "hang" });
    for (const stream of [false, true]) {
      const upstream = adapter("openai", { timeoutMs: 50 });
      await assert.rejects(
        stream
          ? upstream.stream(call({ stream: true }), signal())
          : upstream.complete(call(), signal()),
        (e) => e instanceof UpstreamError && e.kind === "unavailable" && e.status === 504,
      );
    }
    const controller = new AbortController();
    const attempt = adapter("openai").stream(call({ stream: true }), controller.signal);
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(attempt, (e) => e instanceof UpstreamError && e.status === 499);
  });
});
