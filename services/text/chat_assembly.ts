// A streamed answer put back together as one chat.completion: what an Idempotency-Key keeps of a
// stream, and what a replay of it streams again (replayChunks).
import {
  type AnswerHead,
  type ChatCompletion,
  type ChatCompletionChunk,
  ChunkBuilder,
  type FinishReason,
  openAIUsage,
  type TextUsage,
} from "./chat_response.ts";

interface Choice {
  content: string;
  refusal: string | null;
  tools: Map<number, { id: string; name: string; arguments: string }>;
  finish: FinishReason | null;
}

export class CompletionAssembly {
  private readonly choices = new Map<number, Choice>();

  constructor(private readonly head: AnswerHead) {}

  add(chunk: ChatCompletionChunk): void {
    for (const { index, delta, finish_reason } of chunk.choices) {
      let choice = this.choices.get(index);
      if (!choice) {
        choice = { content: "", refusal: null, tools: new Map(), finish: null };
        this.choices.set(index, choice);
      }
      if (delta.content) choice.content += delta.content;
      if (delta.refusal) choice.refusal = (choice.refusal ?? "") + delta.refusal;
      for (const call of delta.tool_calls ?? []) {
        const tool = choice.tools.get(call.index) ?? { id: "", name: "", arguments: "" };
        if (call.id) tool.id = call.id;
        if (call.function.name) tool.name += call.function.name;
        tool.arguments += call.function.arguments ?? "";
        choice.tools.set(call.index, tool);
      }
      if (finish_reason) choice.finish = finish_reason;
    }
  }

  completion(usage: TextUsage): ChatCompletion {
    const indexes = [...this.choices.keys()].sort((a, b) => a - b);
    return {
      ...this.head,
      object: "chat.completion",
      choices: (indexes.length ? indexes : [0]).map((index) => {
        const choice = this.choices.get(index) ??
          { content: "", refusal: null, tools: new Map(), finish: null };
        const tools = [...choice.tools.entries()].sort(([a], [b]) => a - b).map(([, tool]) => ({
          id: tool.id,
          type: "function" as const,
          function: { name: tool.name, arguments: tool.arguments },
        }));
        return {
          index,
          message: {
            role: "assistant" as const,
            content: choice.content === "" && tools.length ? null : choice.content,
            refusal: choice.refusal,
            ...(tools.length ? { tool_calls: tools } : {}),
          },
          logprobs: null,
          finish_reason: choice.finish ?? "stop",
        };
      }),
      usage: openAIUsage(usage),
    };
  }
}

/** A kept completion as a stream again (a replayed streaming call): one chunk per part. */
export function replayChunks(answer: ChatCompletion, includeUsage: boolean): ChatCompletionChunk[] {
  const head = { id: answer.id, model: answer.model, created: answer.created };
  const builder = new ChunkBuilder(head, includeUsage);
  const chunks: ChatCompletionChunk[] = [builder.role()];
  const choice = answer.choices[0];
  if (choice?.message.content) chunks.push(builder.text(choice.message.content));
  for (const [index, call] of (choice?.message.tool_calls ?? []).entries()) {
    chunks.push(builder.toolCall(index, call.id, call.function.name, call.function.arguments));
  }
  chunks.push(builder.finish(choice?.finish_reason ?? "stop"));
  if (includeUsage) {
    chunks.push({ ...head, object: "chat.completion.chunk", choices: [], usage: answer.usage });
  }
  return chunks;
}
