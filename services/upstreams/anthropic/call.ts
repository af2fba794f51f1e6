// A channel that speaks Anthropic's Messages API: POST {base}/v1/messages with x-api-key and
// anthropic-version, streamed or not. Retries are the failover's (the next channel), never ours.
import { ChunkBuilder } from "../../text/chat_response.ts";
import { endpoint, openStream, type Posted, postJson, readJson, readText } from "../text_http.ts";
import type { TextCall, TextChannel, TextReply, TextStream, TextUpstream } from "../text_types.ts";
import { anthropicError } from "./errors.ts";
import { toAnthropicRequest } from "./request.ts";
import { fromAnthropicMessage } from "./response.ts";
import { AnthropicChunks } from "./stream.ts";

export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";
export const ANTHROPIC_VERSION = "2023-06-01";

export class AnthropicTextUpstream implements TextUpstream {
  constructor(private readonly channel: TextChannel) {}

  async complete(call: TextCall, signal: AbortSignal): Promise<TextReply> {
    const posted = await this.post(call, false, signal);
    return fromAnthropicMessage(await readJson(this.channel, posted), call.head, this.channel.name);
  }

  async stream(call: TextCall, signal: AbortSignal): Promise<TextStream> {
    const posted = await this.post(call, true, signal);
    const chunks = new ChunkBuilder(
      call.head,
      call.request.stream_options?.include_usage === true,
    );
    return openStream(this.channel, posted, new AnthropicChunks(chunks, this.channel.name));
  }

  private async post(call: TextCall, stream: boolean, signal: AbortSignal): Promise<Posted> {
    const body = toAnthropicRequest(call.request, {
      model: call.upstreamModel,
      maxTokens: call.maxOutputTokens,
      stream,
    });
    const posted = await postJson(
      this.channel,
      endpoint(this.channel.baseUrl ?? ANTHROPIC_BASE_URL, "v1", "messages"),
      { "x-api-key": this.channel.apiKey ?? "", "anthropic-version": ANTHROPIC_VERSION },
      body,
      signal,
    );
    if (!posted.response.ok) {
      const text = await readText(this.channel, posted, 64 * 1024).catch(() => "");
      throw anthropicError(posted.response.status, text, this.channel.name);
    }
    return posted;
  }
}
