// A channel that speaks Gemini's API: POST {base}/v1beta/models/{model}:generateContent, or
// :streamGenerateContent?alt=sse, with x-goog-api-key. Retries are the failover's, never ours.
import { ChunkBuilder } from "../../text/chat_response.ts";
import { endpoint, openStream, type Posted, postJson, readJson, readText } from "../text_http.ts";
import type { TextCall, TextChannel, TextReply, TextStream, TextUpstream } from "../text_types.ts";
import { geminiError } from "./errors.ts";
import { toGeminiRequest } from "./request.ts";
import { fromGeminiResponse } from "./response.ts";
import { GeminiChunks } from "./stream.ts";

export const GEMINI_BASE_URL = "https://generativelanguage.googleapis.com";

export class GeminiTextUpstream implements TextUpstream {
  constructor(private readonly channel: TextChannel) {}

  async complete(call: TextCall, signal: AbortSignal): Promise<TextReply> {
    const posted = await this.post(call, "generateContent", signal);
    return fromGeminiResponse(await readJson(this.channel, posted), call.head, this.channel.name);
  }

  async stream(call: TextCall, signal: AbortSignal): Promise<TextStream> {
    const posted = await this.post(call, "streamGenerateContent?alt=sse", signal);
    const chunks = new ChunkBuilder(
      call.head,
      call.request.stream_options?.include_usage === true,
    );
    return openStream(this.channel, posted, new GeminiChunks(chunks, this.channel.name));
  }

  private async post(call: TextCall, method: string, signal: AbortSignal): Promise<Posted> {
    const model = encodeURIComponent(call.upstreamModel.replace(/^models\//, ""));
    const posted = await postJson(
      this.channel,
      endpoint(this.channel.baseUrl ?? GEMINI_BASE_URL, "v1beta", `models/${model}:${method}`),
      { "x-goog-api-key": this.channel.apiKey ?? "" },
      toGeminiRequest(call.request, call.maxOutputTokens),
      signal,
    );
    if (!posted.response.ok) {
      const text = await readText(this.channel, posted, 64 * 1024).catch(() => "");
      throw geminiError(posted.response.status, text, this.channel.name);
    }
    return posted;
  }
}
