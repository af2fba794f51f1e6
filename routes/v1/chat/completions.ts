// POST /v1/chat/completions — OpenAI's Chat Completions, for every text model (GPT, Claude,
// Gemini), streamed or not; see services/text/chat.ts for what happens.
import type { Handlers } from "../../../framework/context.ts";
import { completeChat } from "../../../services/text/chat.ts";
import { SSE_HEADERS } from "../../../services/upstreams/sse.ts";

export const handler: Handlers = {
  async POST(c) {
    const result = await completeChat(c.var.services, c.req.raw, c.var);
    if (result.replayed) {
      c.header("idempotent-replayed", "true");
      c.header("x-original-request-id", result.requestId);
    }
    if (result.kind === "stream") return c.body(result.body, 200, SSE_HEADERS);
    c.header("x-tokensmart-cost", result.body.usage.cost);
    return c.json(result.body);
  },
};
