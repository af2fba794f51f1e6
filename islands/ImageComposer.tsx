// The Images page's composer: chip rows for size, quality, background and count (native radio
// groups: arrow keys move, only the checked chip is in the tab order), the model with its prices,
// and the one-sentence description. Enter sends; Shift+Enter is a new line; an Enter that belongs
// to an IME (pinyin) never sends. What is sent appears at once in the results island.
import { useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useRef } from "preact/hooks";
import type { ComposerModel } from "../services/images/page.ts";
import type { MessageKey } from "../services/i18n/index.ts";
import { format } from "../services/i18n/format.ts";
import { displayUsd } from "../services/billing/money.ts";
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
/** An Enter this soon after compositionend confirms the IME's text (Safari's order), not a send. */
const IME_GRACE_MS = 100;

export default function ImageComposer({ models, balance, m, topUpUrl, loginUrl }: Props) {
  const modelId = useSignal(models.find((model) => model.isDefault)?.id ?? models[0]?.id);
  const choice = useSignal<Choice>(AUTO);
  const notice = useSignal<Notice | null>(null);
  const busy = useSignal(false);
  const available = useSignal(balance);
  const prompt = useRef<HTMLTextAreaElement>(null);

  const model = models.find((candidate) => candidate.id === modelId.value);
  if (!model) return <p class="notice error">{m["images.unavailable"]}</p>;
  const { size, quality, background } = choice.value;
  const n = Number(choice.value.n);
  const held = BigInt(model.quotes[`${size}|${quality}`]?.[1] ?? "0") * BigInt(n);

  const pickModel = (id: string) => {
    const next = models.find((candidate) => candidate.id === id)!;
    modelId.value = id;
    // A choice the new model does not allow falls back to Auto (the count to 1).
    const kept = { ...AUTO };
    for (const { name } of ROWS) {
      if (allows(next, name, choice.value[name])) kept[name] = choice.value[name];
    }
    choice.value = kept;
  };

  const send = async () => {
    const text = prompt.current!.value;
    if (busy.value || !text.trim()) return;
    busy.value = true;
    notice.value = null;
    const key = randomKey();
    const startedAt = performance.now();
    sent.value = [
      { key, prompt: text, n, size, held: String(held), startedAt, result: null },
      ...sent.value,
    ];
    const drop = () => (sent.value = sent.value.filter((entry) => entry.key !== key));
    try {
      const body = { model: model.id, prompt: text, n, size, quality, background };
      const { status, answer } = await postGeneration(body, key);
      if (status === 200 && answer?.generation) {
        sent.value = sent.value.map((entry) =>
          entry.key === key ? { ...entry, result: answer.generation } : entry
        );
        available.value = answer.balance;
        showBalance(answer.balance);
      } else {
        drop();
        const urls = { topUpUrl, loginUrl };
        notice.value = noticeFor(m, urls, status, answer?.error, displayUsd(held));
      }
    } catch {
      drop();
      notice.value = { tone: "error", text: m["images.offline"] };
    } finally {
      busy.value = false;
    }
  };

  return (
    <div class="composer-wrap">
      {model.demoOnly && <p class="demo-note">{m["images.demoOnly"]}</p>}
      <div class="notice-slot" role="status" aria-live="polite">
        {notice.value && (
          <NoticeBox notice={notice.value} m={m} onDismiss={() => (notice.value = null)} />
        )}
      </div>
      <form
        class="composer"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <Chips
          model={model}
          choice={choice.value}
          m={m}
          onChoose={(row, value) => (choice.value = { ...choice.value, [row]: value })}
        />
        <PromptBox inputRef={prompt} m={m} onEnter={send} />
        <ComposerBar
          models={models}
          model={model}
          quoteKey={`${size}|${quality}`}
          n={n}
          available={available.value}
          busy={busy.value}
          m={m}
          onPick={pickModel}
        />
        <p class="composer-hint">{m["images.hint"]}</p>
      </form>
    </div>
  );
}

/** The model with its prices, the price of the choice, and the button. */
function ComposerBar({ models, model, quoteKey, n, available, busy, m, onPick }: {
  models: ComposerModel[];
  model: ComposerModel;
  quoteKey: string;
  n: number;
  /** In micro-dollars. */
  available: string;
  busy: boolean;
  m: Messages;
  onPick: (id: string) => void;
}) {
  const [min, max] = model.quotes[quoteKey] ?? ["0", "0"];
  return (
    <div class="composer-bar">
      <label class="model-pick">
        <span class="sr-only">{m["images.model"]}</span>
        <select
          name="model"
          value={model.id}
          onChange={(event) => onPick(event.currentTarget.value)}
        >
          {models.map((option) => (
            <option value={option.id} key={option.id}>{optionText(m, option, quoteKey)}</option>
          ))}
        </select>
      </label>
      <p class="price" title={m["images.price.note"]}>
        <span class="price-total">{priceText(m, min, max, n)}</span>
        {BigInt(max) * BigInt(n) > BigInt(available) && (
          <span class="price-warn">
            {format(m["images.balanceLow"], { balance: displayUsd(available) })}
          </span>
        )}
      </p>
      <button type="submit" class="generate" disabled={busy}>
        {busy ? m["images.generating"] : m["images.generate"]}
      </button>
    </div>
  );
}

/** POST /generations; its status and JSON answer (null when it has none). */
async function postGeneration(body: Record<string, unknown>, key: string) {
  const response = await fetch("/generations", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      // A retry of this very request (a flaky network) is charged once.
      "idempotency-key": key,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, answer: await response.json().catch(() => null) };
}

/** Whether `model` takes `value` for the chip row `row`. */
function allows(model: ComposerModel, row: Row, value: string): boolean {
  if (row === "n") return Number(value) <= model.maxN;
  return (row === "size" ? model.sizes : row === "quality" ? model.qualities : model.backgrounds)
    .includes(value);
}

/** The price before sending: exact for a fixed size and quality, else the most it can cost. */
function priceText(m: Messages, min: string, max: string, n: number): string {
  const key = min === max
    ? (n === 1 ? "images.price.exact" : "images.price.times")
    : (n === 1 ? "images.price.upTo" : "images.price.upToTimes");
  return format(m[key], { n, each: displayUsd(max), total: displayUsd(BigInt(max) * BigInt(n)) });
}

/** A model in the dropdown with its price per image for the chosen size and quality. */
function optionText(m: Messages, model: ComposerModel, quoteKey: string): string {
  const [low, high] = model.quotes[quoteKey] ?? ["0", "0"];
  return format(m[low === high ? "images.option.each" : "images.option.from"], {
    model: model.id,
    price: displayUsd(low),
  });
}

/** What a refused generation means, and what to do about it. */
function noticeFor(
  m: Messages,
  urls: { topUpUrl: string; loginUrl: string },
  status: number,
  error: { code?: string; message?: string } | undefined,
  upTo: string,
): Notice {
  const code = error?.code;
  if (code === "moderation_blocked" || code === "content_policy_violation") {
    return { tone: "warn", title: m["images.blocked.title"], text: m["images.blocked.body"] };
  }
  if (code === "insufficient_quota") {
    return {
      tone: "warn",
      text: format(m["images.quota"], { price: upTo }),
      link: { href: urls.topUpUrl, text: m["images.quota.link"] },
    };
  }
  if (status === 429) return { tone: "warn", text: m["images.rateLimited"] };
  if (status === 401) {
    return {
      tone: "warn",
      text: m["images.session"],
      link: { href: urls.loginUrl, text: m["images.session.link"] },
    };
  }
  if (status >= 500 || !error?.message) return { tone: "error", text: m["images.unavailable"] };
  return { tone: "error", text: format(m["images.failed"], { message: error.message }) };
}

function NoticeBox(
  { notice, m, onDismiss }: { notice: Notice; m: Messages; onDismiss: () => void },
) {
  return (
    <div class={`notice ${notice.tone}`}>
      <p>
        {notice.title && <strong>{notice.title}</strong>} {notice.text}
        {notice.link && (
          <>
            {" "}
            <a href={notice.link.href}>{notice.link.text}</a>
          </>
        )}
      </p>
      <button
        type="button"
        class="notice-close"
        aria-label={m["images.dismiss"]}
        onClick={onDismiss}
      >
        ×
      </button>
    </div>
  );
}

/** The chip rows: native radio groups (arrow keys move, one tab stop per row). */
function Chips({ model, choice, m, onChoose }: {
  model: ComposerModel;
  choice: Choice;
  m: Messages;
  onChoose: (row: Row, value: string) => void;
}) {
  const sizeName = (value: string) => m[`images.size.${value}` as keyof Messages];
  const label = (row: Row, value: string) => {
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
  const hint = (row: Row, value: string) =>
    row === "size" && value !== "auto"
      ? `${sizeName(value)} · ${value.replace("x", "×")}`
      : undefined;
  const notFor = format(m["images.notForModel"], { model: model.id });
  return (
    <div class="chip-rows">
      {ROWS.map(({ name, legend, values }) => (
        <fieldset class="chip-row" key={name}>
          <legend>{m[legend]}</legend>
          <div class="chips">
            {values.map((value) => {
              const allowed = allows(model, name, value);
              return (
                <label class="chip" key={value} title={allowed ? hint(name, value) : notFor}>
                  <input
                    type="radio"
                    name={name}
                    value={value}
                    checked={choice[name] === value}
                    disabled={!allowed}
                    onChange={() => onChoose(name, value)}
                  />
                  <span>{label(name, value)}</span>
                </label>
              );
            })}
          </div>
        </fieldset>
      ))}
    </div>
  );
}

/** The description. Enter sends, Shift+Enter is a new line, and an IME's Enter never sends. */
function PromptBox({ inputRef, m, onEnter }: {
  inputRef: RefObject<HTMLTextAreaElement | null>;
  m: Messages;
  onEnter: () => void;
}) {
  const ime = useRef({ composing: false, endedAt: -Infinity });
  const onKeyDown = (event: KeyboardEvent) => {
    // Chrome marks keys during composition (isComposing; on Windows key "Process"); Safari ends
    // the composition first, then sends the confirming Enter with isComposing false but keyCode
    // 229, so the flag and the grace window after compositionend catch what the event does not.
    const fromIme = event.isComposing || event.keyCode === 229 || event.key === "Process" ||
      ime.current.composing || performance.now() - ime.current.endedAt < IME_GRACE_MS;
    if (event.key !== "Enter" || event.shiftKey || fromIme) return;
    event.preventDefault();
    onEnter();
  };
  return (
    <label class="prompt">
      <span class="sr-only">{m["images.prompt"]}</span>
      <textarea
        ref={inputRef}
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
  );
}
