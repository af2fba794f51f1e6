// Chat completions, end to end: one call to POST /v1/chat/completions, streamed or not, for GPT
// (OpenAI-compatible channels), Claude (Anthropic's Messages API) and Gemini, translated by the
// channel's adapter (services/upstreams/), on the metered call every model kind shares:
//
//   validate → hold the prompt's upper bound (UTF-8 bytes) and the output bound (max tokens, else
//   the model's limit), each at its own rate → channels by priority → settle the tokens the
//   upstream reported, each at its rate, rounded up once per call → answer, with its cost
//
// A stream is answered as it comes (chat_stream.ts) and settled when it ends.
import { demoEnabled } from "../platform/config.ts";
import type { Caller } from "../accounts/api_keys.ts";
import { ApiError } from "../platform/errors.ts";
import {
  type Catalog,
  catalog,
  maxTextCost,
  type Model,
  type TextPrice,
} from "../billing/pricing.ts";
import { channelsFor } from "../catalog/channels.ts";
import { liveModel } from "../catalog/models.ts";
import type { TextUpstreamFor } from "../upstreams/registry.ts";
import type { TextCall } from "../upstreams/text_types.ts";
import { readBodyText } from "../../framework/body.ts";
import {
  admit,
  type CallContext,
  holdFor,
  logWithoutMoney,
  type MeteredServices,
  withIdempotencyKey,
} from "../metering/metered_call.ts";
import { type ChatRequest, parseChatRequest } from "./chat_request.ts";
import { answerHead, type ChatCompletion } from "./chat_response.ts";
import { holdTokens } from "./token_bounds.ts";
import { replayStream, streamChat } from "./chat_stream.ts";
import { chargeOf, tokenFields, withCost } from "./charges.ts";

export const CHAT_ENDPOINT = "/v1/chat/completions";

/** A chat body carries its images inline (base64), as OpenAI's does: up to 32 MiB. */
export const MAX_CHAT_BODY_BYTES = 32 * 1024 * 1024;

export interface TextServices extends MeteredServices {
  textUpstreamFor: TextUpstreamFor;
}

export type ChatResult =
  | { kind: "completion"; body: ChatCompletion; requestId: string; replayed: boolean }
  | { kind: "stream"; body: ReadableStream<Uint8Array>; requestId: string; replayed: boolean };

/** One HTTP request's chat call: its body read with a cap, its Idempotency-Key honoured. */
export async function completeChat(
  s: TextServices,
  request: Request,
  call: { caller: Caller; requestId: string; startedAt: number },
): Promise<ChatResult> {
  const ctx: CallContext = {
    ...call,
    signal: request.signal,
    idempotencyKey: request.headers.get("idempotency-key"),
    endpoint: CHAT_ENDPOINT,
    kind: "text",
  };
  let bodyText: string;
  try {
    bodyText = await readBodyText(request, MAX_CHAT_BODY_BYTES);
  } catch (error) {
    if (error instanceof ApiError) {
      await logWithoutMoney(s, { ...ctx, idempotencyKey: null }, error, "invalid", {
        modelId: null,
      });
    }
    throw error;
  }
  const cat = await catalog(s.sql);
  const admission = await admit(s, ctx, bodyText, (body) => {
    const chat = parseChatRequest(body);
    const model = liveModel(cat, chat.model, "text");
    // Here, so that max tokens above the model's limit is refused as invalid input, logged.
    return { chat, model, bounds: holdTokens(chat, model.maxOutputTokens!) };
  }, ({ chat }) => chat.model);
  if (admission.kind === "replay") {
    const kept = admission.answer as ChatCompletion;
    const asked = JSON.parse(bodyText) as ChatRequest;
    return asked.stream
      ? {
        kind: "stream",
        body: replayStream(kept, asked.stream_options?.include_usage === true),
        requestId: admission.requestId,
        replayed: true,
      }
      : { kind: "completion", body: kept, requestId: admission.requestId, replayed: true };
  }
  const { chat, model, bounds } = admission.request;
  return await withIdempotencyKey(s, ctx, () => chatOnce(s, ctx, cat, chat, model, bounds));
}

/** What a text call prices, holds and asks of its channel. */
export interface TextCallPlan {
  chat: ChatRequest;
  price: TextPrice;
  call: TextCall;
  promptTokens: number;
}

async function chatOnce(
  s: TextServices,
  ctx: CallContext,
  cat: Catalog,
  chat: ChatRequest,
  model: Model,
  bounds: { promptTokens: number; outputTokens: number },
): Promise<ChatResult> {
  const price = cat.textPrices.get(model.id) ?? null;
  const stream = chat.stream === true;
  const held = await holdFor(s, ctx, {
    model: model.id,
    logFields: { stream, textPriceFrom: price?.priceFrom ?? null },
    maxCost: price && maxTextCost(price, bounds.promptTokens, bounds.outputTokens),
    channels: await channelsFor(s.sql, model.id, { demo: demoEnabled(s.config) }),
  });
  const plan: TextCallPlan = {
    chat,
    price: price!,
    promptTokens: bounds.promptTokens,
    call: {
      request: chat,
      upstreamModel: model.id,
      maxOutputTokens: bounds.outputTokens / (chat.n ?? 1),
      head: answerHead(chat.model),
    },
  };
  if (stream) return await streamChat(s, ctx, held, plan);
  try {
    const delivered = await held.call((channel, signal) =>
      s.textUpstreamFor(channel).complete(plan.call, signal)
    );
    const { completion, usage } = delivered.result;
    const cost = chargeOf(plan.price, usage, held.amount);
    const body = withCost(completion, cost);
    await held.settle({
      cost,
      logFields: tokenFields(usage, completion.choices[0]?.finish_reason ?? null),
      answer: body,
    }, delivered);
    return { kind: "completion", body, requestId: ctx.requestId, replayed: false };
  } catch (error) {
    await held.fail(error);
    throw error;
  }
}
