// A channel that speaks OpenAI's Chat Completions, called through the official openai SDK (raw
// answers: asResponse, so the body is read with our size bound and deadline). Streams always ask
// the upstream for usage (include_usage), since the call is billed on it; the customer's chunks
// carry it only when they asked. Retries are the failover's (the next channel), never the SDK's.
import OpenAI from "openai";
import { openStream, readJson, sendWithDeadline } from "../text_http.ts";
import type { TextCall, TextChannel, TextReply, TextStream, TextUpstream } from "../text_types.ts";
import { toUpstreamError } from "./images.ts";
import { openaiClient } from "./client.ts";
import { fromOpenAICompletion, OpenAIChunks } from "./chat_answer.ts";

export class OpenAITextUpstream implements TextUpstream {
  private readonly client: OpenAI;

  constructor(private readonly channel: TextChannel) {
    // The deadline is ours (sendWithDeadline): it must keep running while the body is read.
    this.client = openaiClient(channel, 24 * 3600 * 1000);
  }

  async complete(call: TextCall, signal: AbortSignal): Promise<TextReply> {
    const posted = await this.post(call, false, signal);
    return fromOpenAICompletion(await readJson(this.channel, posted), call.head, this.channel.name);
  }

  async stream(call: TextCall, signal: AbortSignal): Promise<TextStream> {
    const posted = await this.post(call, true, signal);
    const includeUsage = call.request.stream_options?.include_usage === true;
    return openStream(
      this.channel,
      posted,
      new OpenAIChunks(call.head, includeUsage, this.channel.name),
    );
  }

  private post(call: TextCall, stream: boolean, signal: AbortSignal) {
    const { request } = call;
    const body = {
      ...request,
      model: call.upstreamModel,
      stream,
      // The hold covers this many output tokens: the upstream must not produce more.
      ...(request.max_tokens == null && request.max_completion_tokens == null
        ? { max_completion_tokens: call.maxOutputTokens }
        : {}),
      ...(stream ? { stream_options: { ...request.stream_options, include_usage: true } } : {}),
    } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    return sendWithDeadline(
      this.channel,
      signal,
      (both) => this.client.chat.completions.create(body, { signal: both }).asResponse(),
      (error) => toUpstreamError(error, this.channel),
    );
  }
}
