// The demo model's answer: a short, deterministic reply to the last user message (the same prompt
// always gets the same reply), in Chinese when the prompt has Chinese characters, with usage counted
// the way a tokenizer roughly would (UTF-8 bytes / 4, rounded up), so the product runs and bills
// end to end with no keys.
import type { ChatRequest } from "../../text/chat_request.ts";
import type { FinishReason, TextUsage } from "../../text/chat_response.ts";
import { utf8Bytes } from "../../text/token_bounds.ts";

export interface DemoReply {
  /** The reply cut into words (Chinese into its words too), to stream one at a time. */
  words: string[];
  finishReason: FinishReason;
  usage: TextUsage;
}

const ENGLISH = [
  "This is the Tokensmart demo model, answering offline.",
  "A real model will answer once the operator adds a channel with a provider key.",
  "Until then, the same question always gets this same reply, billed like any other call.",
  "Every token here is counted, held and settled exactly as a real answer would be.",
];
const CHINESE = [
  "这是 Tokensmart 的演示模型，正在离线作答。",
  "运营者添加带有服务商密钥的渠道后，真实模型就会回答。",
  "在此之前，同样的问题总会得到同样的回答，计费方式与其他调用相同。",
  "这里的每个 token 都会像真实回答一样被计数、预扣和结算。",
];

/** Chinese characters (CJK ideographs) in the prompt mean a Chinese reply. */
const HAN = /\p{Script=Han}/u;

export function demoReply(request: ChatRequest, maxOutputTokens: number): DemoReply {
  const prompt = lastUserText(request);
  const chinese = HAN.test(prompt);
  const sentences = chinese ? CHINESE : ENGLISH;
  const quoted = quote(prompt, chinese);
  // The prompt picks which of the sentences follow the first: deterministic, yet not all alike.
  const seed = [...prompt].reduce((h, c) => (h * 31 + c.codePointAt(0)!) >>> 0, 7);
  const picked = [sentences[0], quoted, sentences[1 + (seed % 3)]];
  const words = segment(picked.join(chinese ? "" : " "), chinese);
  let output = 0;
  let kept = 0;
  for (const word of words) {
    const next = Math.ceil((output + utf8Bytes(word)) / 4);
    if (next > maxOutputTokens) break;
    output += utf8Bytes(word);
    kept++;
  }
  return {
    words: words.slice(0, kept),
    finishReason: kept < words.length ? "length" : "stop",
    usage: {
      inputTokens: promptTokens(request),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: Math.ceil(output / 4),
      reasoningTokens: 0,
    },
  };
}

function lastUserText(request: ChatRequest): string {
  const last = request.messages.findLast((m) => m.role === "user");
  if (!last) return "";
  return typeof last.content === "string"
    ? last.content
    : last.content.flatMap((p) => p.type === "text" ? [p.text] : []).join(" ");
}

function quote(prompt: string, chinese: boolean): string {
  const short = [...prompt.replace(/\s+/g, " ").trim()];
  const shown = short.length > 60 ? `${short.slice(0, 60).join("")}…` : short.join("");
  if (chinese) return shown ? `你的问题是：“${shown}”。` : "你没有提出问题。";
  return shown ? `You asked: “${shown}”.` : "You asked nothing.";
}

/** Words with the space before them kept on, so the chunks join back into the text. */
function segment(text: string, chinese: boolean): string[] {
  const segmenter = new Intl.Segmenter(chinese ? "zh" : "en", { granularity: "word" });
  const words: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    if (words.length && /^\s+$/.test(words.at(-1)!)) words[words.length - 1] += segment;
    else words.push(segment);
  }
  return words;
}

/** Bytes / 4 of every message's text, and a few per message, as a tokenizer would roughly count. */
function promptTokens(request: ChatRequest): number {
  let bytes = 0;
  for (const m of request.messages) {
    const content = m.content ?? "";
    bytes += 16;
    if (typeof content === "string") bytes += utf8Bytes(content);
    else {
      for (const part of content) {
        bytes += part.type === "text"
          ? utf8Bytes(part.text)
          : part.type === "refusal"
          ? utf8Bytes(part.refusal)
          : 1024;
      }
    }
  }
  return Math.ceil(bytes / 4);
}
