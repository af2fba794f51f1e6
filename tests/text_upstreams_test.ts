// Claude and Gemini channels over real HTTP: the adapters against the stand-in servers, streamed
// and not, with every error form sorted for the failover, failures mid-stream, slow answers and
// blocked prompts.
import assert from "node:assert/strict";
import { AnthropicTextUpstream } from "../services/upstreams/anthropic/call.ts";
import { GeminiTextUpstream } from "../services/upstreams/gemini/call.ts";
import type { TextCall, TextChannel, TextUpstream } from "../services/upstreams/text_types.ts";
import { UpstreamError } from "../services/upstreams/types.ts";
import { parseChatRequest } from "../services/text/chat_request.ts";
import type { ChatCompletionChunk } from "../services/text/chat_response.ts";
import {
  type Provider,
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
      baseUrl: provider === "anthropic" ? standin.anthropicUrl : standin.geminiUrl,
      apiKey: STANDIN_KEY,
      timeoutMs: 5_000,
      ...channel,
    };
    return provider === "anthropic"
      ? new AnthropicTextUpstream(full)
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
