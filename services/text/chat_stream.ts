// A streamed chat call: OpenAI's SSE, chunk by chunk as the upstream gives them, then the settle,
// then `data: [DONE]`. The money follows what was produced:
// - a client that leaves early pays for what was produced: the upstream is read on to its final
//   usage without sending anything (a drain), at most STREAM_DRAIN_SECONDS after the client left
//   and at most MAX_DRAINS at once per server thread (past that, the drain stops at once); a
//   drain stopped short is billed like a failure, for what was delivered;
// - an upstream that fails mid-stream ends the stream with an error event, and the call is
//   charged for what was delivered: the usage reported so far, its output at least the delivered
//   text's bytes / 4, and when no prompt count came at all, the prompt estimated the same way.
import { formatUsd } from "../billing/money.ts";
import { ApiError } from "../platform/errors.ts";
import type { CallContext, HeldCall } from "../metering/metered_call.ts";
import { SSE_DONE, sseData } from "../upstreams/sse.ts";
import type { ChatCompletion, ChatCompletionChunk, TextUsage } from "./chat_response.ts";
import { CompletionAssembly, replayChunks } from "./chat_assembly.ts";
import type { ChatResult, TextCallPlan, TextServices } from "./chat.ts";
import { chargeOf, tokenFields } from "./charges.ts";
import { UpstreamError } from "../upstreams/types.ts";

/** Streams read on at once, per server thread, for clients that left. */
const MAX_DRAINS = 64;
let drains = 0;

export async function streamChat(
  s: TextServices,
  ctx: CallContext,
  held: HeldCall,
  plan: TextCallPlan,
): Promise<ChatResult> {
  // The upstream is not stopped when the client leaves (it is drained), only at the hold's
  // deadline or when the drain ends.
  const drain = new AbortController();
  const upstreamSignal = AbortSignal.any([held.deadline, drain.signal]);
  let delivered;
  try {
    delivered = await held.call(
      (channel, signal) => s.textUpstreamFor(channel).stream(plan.call, signal),
      upstreamSignal,
    );
  } catch (error) {
    await held.fail(error);
    throw error;
  }
  const { chunks, progress } = delivered.result;
  const assembly = new CompletionAssembly(plan.call.head);
  let clientGone = false;
  const clientLeft = () => {
    if (clientGone) return;
    clientGone = true;
    if (drains >= MAX_DRAINS) return drain.abort();
    drains++;
    const timer = setTimeout(() => drain.abort(), s.config.STREAM_DRAIN_SECONDS * 1000);
    finished.finally(() => {
      clearTimeout(timer);
      drains--;
    });
  };
  let finished: Promise<void> = Promise.resolve();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (bytes: Uint8Array) => {
        if (clientGone) return;
        try {
          controller.enqueue(bytes);
        } catch {
          clientLeft();
        }
      };
      finished = pump(send).finally(() => {
        if (!clientGone) controller.close();
      });
    },
    cancel: () => clientLeft(),
  });

  async function pump(send: (bytes: Uint8Array) => void): Promise<void> {
    let failure: unknown = null;
    try {
      for await (const chunk of chunks) {
        assembly.add(chunk);
        send(sseData(chunk.usage ? withCostChunk(chunk, progress.usage) : chunk));
      }
    } catch (error) {
      failure = error;
    }
    const usage = failure ? billableSoFar(progress, plan.promptTokens) : progress.usage;
    const cost = chargeOf(plan.price, usage, held.amount);
    const answer: ChatCompletion = assembly.completion(usage);
    answer.usage.cost = formatUsd(cost);
    try {
      await held.settle({
        cost,
        logFields: {
          ...tokenFields(usage, progress.finishReason),
          // A drain cut short fails the upstream read too: the client leaving is what happened.
          ...(clientGone
            ? { errorCode: "client_left_stream" }
            : failure
            ? { errorCode: "upstream_failed_mid_stream" }
            : {}),
        },
        answer,
        // A stream cut short is no answer to replay: a retry under its Idempotency-Key runs again.
        partial: failure !== null,
      }, delivered!);
    } catch (error) {
      console.error(`[${ctx.requestId}] the stream's settle failed:`, error);
      failure ??= error;
    }
    send(failure ? sseData(errorEnvelope(failure, plan.chat.model)) : SSE_DONE);
  }

  function withCostChunk(chunk: ChatCompletionChunk, usage: TextUsage): ChatCompletionChunk {
    const cost = chargeOf(plan.price, usage, held.amount);
    return { ...chunk, usage: { ...chunk.usage!, cost: formatUsd(cost) } };
  }

  return { kind: "stream", body, requestId: ctx.requestId, replayed: false };
}

/** What a stream cut short delivered, as it is billed (see the header). */
function billableSoFar(
  progress: { usage: TextUsage; deliveredBytes: number },
  promptTokens: number,
): TextUsage {
  const u = progress.usage;
  const promptReported = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens > 0;
  return {
    ...u,
    inputTokens: promptReported ? u.inputTokens : Math.ceil(promptTokens / 4),
    outputTokens: Math.max(u.outputTokens, Math.ceil(progress.deliveredBytes / 4)),
  };
}

/** The error event that ends a stream, in OpenAI's envelope. */
function errorEnvelope(error: unknown, model: string) {
  if (error instanceof UpstreamError) {
    return new ApiError(
      502,
      `The upstream for ${model} failed mid-stream; you were charged only for what was delivered.`,
      "server_error",
      "upstream_error",
    ).envelope();
  }
  return new ApiError(
    500,
    "The server had an error while finishing the stream.",
    "server_error",
    "internal_error",
  ).envelope();
}

/** A replayed streaming call (same Idempotency-Key): the kept answer, streamed again, free. */
export function replayStream(
  answer: ChatCompletion,
  includeUsage: boolean,
): ReadableStream<Uint8Array> {
  const events = [...replayChunks(answer, includeUsage).map((chunk) => sseData(chunk)), SSE_DONE];
  return new ReadableStream({
    start(controller) {
      for (const event of events) controller.enqueue(event);
      controller.close();
    },
  });
}
