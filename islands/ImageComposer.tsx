// The Images page's composer: chip rows for size, quality, background and count (native radio
// groups: arrow keys move, only the checked chip is in the tab order), the model with its prices,
// and the one-sentence description. Enter sends; Shift+Enter is a new line; an Enter that belongs
// to an IME (pinyin) never sends. What is sent appears at once in the results island.
import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { ComposerModel } from "../services/images_page.ts";
import type { MessageKey } from "../services/i18n/index.ts";
import { format } from "../services/i18n/format.ts";
import { displayUsd } from "../services/money.ts";
import { randomKey, sent, showBalance } from "./images_state.ts";

export const COMPOSER_MESSAGES = [
  "images.demoOnly",
  "images.prompt",
  "images.placeholder",
  "images.hint",
  "images.size",
  "images.quality",
  "images.background",
  "images.count",
  "images.model",
  "images.auto",
  "images.size.1024x1024",
  "images.size.1536x1024",
  "images.size.1024x1536",
  "images.quality.low",
  "images.quality.medium",
  "images.quality.high",
  "images.background.opaque",
  "images.background.transparent",
  "images.notForModel",
  "images.option.each",
  "images.option.from",
  "images.price.exact",
  "images.price.times",
  "images.price.upTo",
  "images.price.upToTimes",
  "images.price.note",
  "images.balanceLow",
  "images.generate",
  "images.generating",
  "images.blocked.title",
  "images.blocked.body",
  "images.quota",
  "images.quota.link",
  "images.rateLimited",
  "images.unavailable",
  "images.session",
  "images.session.link",
  "images.failed",
  "images.offline",
  "images.dismiss",
] as const satisfies readonly MessageKey[];

type Messages = Record<typeof COMPOSER_MESSAGES[number], string>;

interface Props {
  models: ComposerModel[];
  /** Available money, in micro-dollars. */
  balance: string;
  m: Messages;
  /** Where to top up or see keys; where to log in again. */
  topUpUrl: string;
  loginUrl: string;
}

/** The chips' choices; the count as its chip's value ("1" to "4"). */
type Choice = Record<Row, string>;
type Row = "size" | "quality" | "background" | "n";

interface Notice {
  tone: "warn" | "error";
  title?: string;
  text: string;
  link?: { href: string; text: string };
}

const ROWS: { name: Row; legend: keyof Messages; values: string[] }[] = [
  { name: "size", legend: "images.size", values: ["auto", "1024x1024", "1536x1024", "1024x1536"] },
  { name: "quality", legend: "images.quality", values: ["auto", "low", "medium", "high"] },
  { name: "background", legend: "images.background", values: ["auto", "opaque", "transparent"] },
  { name: "n", legend: "images.count", values: ["1", "2", "3", "4"] },
];
const RATIOS: Record<string, string> = {
  "1024x1024": "1:1",
  "1536x1024": "3:2",
  "1024x1536": "2:3",
};
const AUTO: Choice = { size: "auto", quality: "auto", background: "auto", n: "1" };

/** Whether `model` takes `value` for the chip row `row`. */
function allows(model: ComposerModel, row: Row, value: string): boolean {
  if (row === "n") return Number(value) <= model.maxN;
  return (row === "size" ? model.sizes : row === "quality" ? model.qualities : model.backgrounds)
    .includes(value);
}
/** An Enter this soon after compositionend confirms the IME's text (Safari's order), not a send. */
const IME_GRACE_MS = 100;

export default function ImageComposer({ models, balance, m, topUpUrl, loginUrl }: Props) {
  const modelId = useSignal(models.find((model) => model.isDefault)?.id ?? models[0]?.id);
  const choice = useSignal<Choice>(AUTO);
  const notice = useSignal<Notice | null>(null);
  const busy = useSignal(false);
  const available = useSignal(balance);
  const prompt = useRef<HTMLTextAreaElement>(null);
  const ime = useRef({ composing: false, endedAt: -Infinity });

  const model = models.find((candidate) => candidate.id === modelId.value);
  if (!model) return <p class="notice error">{m["images.unavailable"]}</p>;
  const { size, quality, background } = choice.value;
  const n = Number(choice.value.n);
  const quoteKey = `${size}|${quality}`;
  const [min, max] = model.quotes[quoteKey] ?? ["0", "0"];
  const held = BigInt(max) * BigInt(n);
  const price = format(
    m[
      min === max
        ? (n === 1 ? "images.price.exact" : "images.price.times")
        : n === 1
        ? "images.price.upTo"
        : "images.price.upToTimes"
    ],
    { n, each: displayUsd(max), total: displayUsd(held) },
  );

  const choose = (change: Partial<Choice>) => (choice.value = { ...choice.value, ...change });
  const pickModel = (id: string) => {
    const next = models.find((candidate) => candidate.id === id)!;
    modelId.value = id;
    // A choice the new model does not allow falls back to Auto (the count to 1).
    choice.value = Object.fromEntries(
      ROWS.map((
        { name },
      ) => [name, allows(next, name, choice.value[name]) ? choice.value[name] : AUTO[name]]),
    ) as Choice;
  };

  const send = async () => {
    const text = prompt.current!.value;
    if (busy.value || !text.trim()) return;
    busy.value = true;
    notice.value = null;
    const key = randomKey();
    sent.value = [
      {
        key,
        prompt: text,
        n,
        size,
        held: String(held),
        startedAt: performance.now(),
        result: null,
      },
      ...sent.value,
    ];
    const drop = () => (sent.value = sent.value.filter((entry) => entry.key !== key));
    try {
      const response = await fetch("/generations", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          // A retry of this very request (a flaky network) is charged once.
          "idempotency-key": key,
        },
        body: JSON.stringify({ model: model.id, prompt: text, n, size, quality, background }),
      });
      const answer = await response.json().catch(() => null);
      if (response.ok && answer?.generation) {
        sent.value = sent.value.map((entry) =>
          entry.key === key ? { ...entry, result: answer.generation } : entry
        );
        available.value = answer.balance;
        showBalance(answer.balance);
      } else {
        drop();
        notice.value = noticeFor(response.status, answer?.error, displayUsd(held));
      }
    } catch {
      drop();
      notice.value = { tone: "error", text: m["images.offline"] };
    } finally {
      busy.value = false;
    }
  };

  const noticeFor = (
    status: number,
    error: { code?: string; message?: string } | undefined,
    upTo: string,
  ): Notice => {
    const code = error?.code;
    if (code === "moderation_blocked" || code === "content_policy_violation") {
      return { tone: "warn", title: m["images.blocked.title"], text: m["images.blocked.body"] };
    }
    if (code === "insufficient_quota") {
      return {
        tone: "warn",
        text: format(m["images.quota"], { price: upTo }),
        link: { href: topUpUrl, text: m["images.quota.link"] },
      };
    }
    if (status === 429) return { tone: "warn", text: m["images.rateLimited"] };
    if (status === 401) {
      return {
        tone: "warn",
        text: m["images.session"],
        link: { href: loginUrl, text: m["images.session.link"] },
      };
    }
    if (status >= 500 || !error?.message) return { tone: "error", text: m["images.unavailable"] };
    return { tone: "error", text: format(m["images.failed"], { message: error.message }) };
  };

  const onKeyDown = (event: KeyboardEvent) => {
    // Chrome marks keys during composition (isComposing; on Windows key "Process"); Safari ends
    // the composition first, then sends the confirming Enter with isComposing false but keyCode
    // 229, so the flag and the grace window after compositionend catch what the event does not.
    const fromIme = event.isComposing || event.keyCode === 229 || event.key === "Process" ||
      ime.current.composing || performance.now() - ime.current.endedAt < IME_GRACE_MS;
    if (event.key !== "Enter" || event.shiftKey || fromIme) return;
    event.preventDefault();
    send();
  };

  const sizeName = (value: string) => m[`images.size.${value}` as keyof Messages];
  const sizeHint = (row: Row, value: string) =>
    row === "size" && value !== "auto"
      ? `${sizeName(value)} · ${value.replace("x", "×")}`
      : undefined;
  const chipLabel = (row: Row, value: string) => {
    if (value === "auto") return m["images.auto"];
    if (row === "n") return value;
    if (row !== "size") return m[`images.${row}.${value}` as keyof Messages];
    return (
      <>
        <i class={`shape s${value}`} aria-hidden="true" />
        <span class="sr-only">{sizeName(value)}</span>
        {RATIOS[value]}
      </>
    );
  };
  const notFor = format(m["images.notForModel"], { model: model.id });

  return (
    <div class="composer-wrap">
      {model.demoOnly && <p class="demo-note">{m["images.demoOnly"]}</p>}
      <div class="notice-slot" role="status" aria-live="polite">
        {notice.value && (
          <div class={`notice ${notice.value.tone}`}>
            <p>
              {notice.value.title && <strong>{notice.value.title}</strong>} {notice.value.text}
              {notice.value.link && (
                <>
                  {" "}
                  <a href={notice.value.link.href}>{notice.value.link.text}</a>
                </>
              )}
            </p>
            <button
              type="button"
              class="notice-close"
              aria-label={m["images.dismiss"]}
              onClick={() => (notice.value = null)}
            >
              ×
            </button>
          </div>
        )}
      </div>
      <form
        class="composer"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <div class="chip-rows">
          {ROWS.map(({ name, legend, values }) => (
            <fieldset class="chip-row" key={name}>
              <legend>{m[legend]}</legend>
              <div class="chips">
                {values.map((value) => {
                  const allowed = allows(model, name, value);
                  return (
                    <label
                      class="chip"
                      key={value}
                      title={allowed ? sizeHint(name, value) : notFor}
                    >
                      <input
                        type="radio"
                        name={name}
                        value={value}
                        checked={choice.value[name] === value}
                        disabled={!allowed}
                        onChange={() => choose({ [name]: value })}
                      />
                      <span>{chipLabel(name, value)}</span>
                    </label>
                  );
                })}
              </div>
            </fieldset>
          ))}
        </div>
        <label class="prompt">
          <span class="sr-only">{m["images.prompt"]}</span>
          <textarea
            ref={prompt}
            name="prompt"
            rows={3}
            required
            maxLength={32000}
            placeholder={m["images.placeholder"]}
            onKeyDown={onKeyDown}
            onCompositionStart={() => (ime.current.composing = true)}
            onCompositionEnd={() => {
              ime.current.composing = false;
              ime.current.endedAt = performance.now();
            }}
          />
        </label>
        <div class="composer-bar">
          <label class="model-pick">
            <span class="sr-only">{m["images.model"]}</span>
            <select
              name="model"
              value={model.id}
              onChange={(event) => pickModel(event.currentTarget.value)}
            >
              {models.map((option) => {
                const [low, high] = option.quotes[quoteKey] ?? ["0", "0"];
                return (
                  <option value={option.id} key={option.id}>
                    {format(m[low === high ? "images.option.each" : "images.option.from"], {
                      model: option.id,
                      price: displayUsd(low),
                    })}
                  </option>
                );
              })}
            </select>
          </label>
          <p class="price" title={m["images.price.note"]}>
            <span class="price-total">{price}</span>
            {held > BigInt(available.value) && (
              <span class="price-warn">
                {format(m["images.balanceLow"], { balance: displayUsd(available.value) })}
              </span>
            )}
          </p>
          <button type="submit" class="generate" disabled={busy.value}>
            {busy.value ? m["images.generating"] : m["images.generate"]}
          </button>
        </div>
        <p class="composer-hint">{m["images.hint"]}</p>
      </form>
    </div>
  );
}
