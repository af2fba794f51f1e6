// The Images page's results: what was just sent from the composer (a running card with a timer,
// then its images, time and cost), then the account's history, newest first, loaded a page at a
// time as it scrolls into view. Click an image to zoom (a modal dialog: Escape closes, focus goes
// back); each image downloads alone, each generation as a ZIP.
import { type Signal, useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { Generation } from "../services/image_history.ts";
import type { Locale, MessageKey } from "../services/i18n/index.ts";
import { format } from "../services/i18n/format.ts";
import { displayUsd } from "../services/money.ts";
import { seconds, type Sent, sent } from "./images_state.ts";

export const RESULTS_MESSAGES = [
  "images.history",
  "images.empty",
  "images.running",
  "images.held",
  "images.seconds",
  "images.elapsed",
  "images.cost",
  "images.viaApi",
  "images.zip",
  "images.open",
  "images.download",
  "images.preview",
  "images.close",
  "images.downloadOne",
  "images.loading",
  "images.more",
  "images.moreFailed",
  "images.retry",
  "images.quality.low",
  "images.quality.medium",
  "images.quality.high",
] as const satisfies readonly MessageKey[];

type Messages = Record<typeof RESULTS_MESSAGES[number], string>;

interface Props {
  first: Generation[];
  /** The cursor of the next page, null when `first` is all there is. */
  next: string | null;
  m: Messages;
  locale: Locale;
}

interface Zoomed {
  generation: Generation;
  index: number;
}

export default function ImageResults({ first, next, m, locale }: Props) {
  const history = useSignal(first);
  const cursor = useSignal(next);
  const loading = useSignal(false);
  const failed = useSignal(false);
  const zoomed = useSignal<Zoomed | null>(null);
  const hydrated = useSignal(false);
  const now = useSignal(0);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);

  // The server renders times in UTC; the browser then shows them in its own time zone.
  useEffect(() => void (hydrated.value = true), []);
  const when = useMemo(
    () =>
      new Intl.DateTimeFormat(locale, {
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        timeZone: hydrated.value ? undefined : "UTC",
      }),
    [hydrated.value],
  );

  const running = sent.value.some((entry) => !entry.result);
  useEffect(() => {
    if (!running) return;
    now.value = performance.now();
    const timer = setInterval(() => (now.value = performance.now()), 100);
    return () => clearInterval(timer);
  }, [running]);

  const loadMore = async () => {
    if (loading.value || !cursor.value) return;
    loading.value = true;
    failed.value = false;
    try {
      const response = await fetch(`/generations?before=${cursor.value}`, {
        headers: { accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const page = await response.json() as { generations: Generation[]; next: string | null };
      history.value = [...history.value, ...page.generations];
      cursor.value = page.next;
    } catch {
      failed.value = true;
    } finally {
      loading.value = false;
    }
  };

  // A new observer after every page: it reports at once if the end is still in view.
  useEffect(() => {
    const end = sentinel.current;
    if (!end || !cursor.value || failed.value) return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((entry) => entry.isIntersecting) && loadMore(),
      { rootMargin: "800px 0px" },
    );
    observer.observe(end);
    return () => observer.disconnect();
  }, [history.value.length, cursor.value, failed.value]);

  useEffect(() => {
    if (zoomed.value && !dialog.current!.open) dialog.current!.showModal();
  }, [zoomed.value]);

  const zoom = (generation: Generation, index: number, from: HTMLElement) => {
    opener.current = from;
    zoomed.value = { generation, index };
  };
  const closeZoom = () => dialog.current!.close();

  const sentIds = new Set(sent.value.map((entry) => entry.result?.id));
  const older = history.value.filter((generation) => !sentIds.has(generation.id));
  const card = (generation: Generation) => (
    <Card key={generation.id} generation={generation} m={m} when={when} onZoom={zoom} />
  );
  const shown = zoomed.value && zoomed.value.generation.images[zoomed.value.index];

  return (
    <section class="results" aria-labelledby="results-title">
      <h2 id="results-title">{m["images.history"]}</h2>
      {sent.value.map((entry) =>
        entry.result
          ? card(entry.result)
          : <Running key={entry.key} entry={entry} now={now} m={m} />
      )}
      {older.map(card)}
      {sent.value.length === 0 && older.length === 0 && <p class="empty">{m["images.empty"]}</p>}
      {cursor.value && (
        <div class="more" ref={sentinel}>
          {failed.value
            ? (
              <p>
                {m["images.moreFailed"]}{" "}
                <button type="button" onClick={loadMore}>{m["images.retry"]}</button>
              </p>
            )
            : loading.value
            ? <p aria-live="polite">{m["images.loading"]}</p>
            : <button type="button" onClick={loadMore}>{m["images.more"]}</button>}
        </div>
      )}
      <dialog
        ref={dialog}
        class="zoom"
        aria-label={m["images.preview"]}
        onClose={() => {
          zoomed.value = null;
          opener.current?.focus();
        }}
        onClick={(event) => event.target === dialog.current && closeZoom()}
      >
        {shown && (
          <>
            <img
              src={shown.url}
              width={shown.width}
              height={shown.height}
              alt={zoomed.value!.generation.prompt}
            />
            <div class="zoom-bar">
              <p>{zoomed.value!.generation.prompt}</p>
              <a class="button" href={`${shown.url}?download`} download>
                <DownloadIcon /> {m["images.downloadOne"]}
              </a>
              <button type="button" autofocus onClick={closeZoom}>{m["images.close"]}</button>
            </div>
          </>
        )}
      </dialog>
    </section>
  );
}

function Card({ generation: g, m, when, onZoom }: {
  generation: Generation;
  m: Messages;
  when: Intl.DateTimeFormat;
  onZoom: (generation: Generation, index: number, from: HTMLElement) => void;
}) {
  const count = g.images.length;
  return (
    <article class="gen-card">
      <header>
        <p class="gen-prompt">{g.prompt}</p>
        <a class="button ghost" href={`/generations/${g.id}.zip`} download>
          <DownloadIcon /> {m["images.zip"]}
        </a>
      </header>
      <ul class="gen-meta">
        <li>{g.model}</li>
        {g.size && <li>{g.size.replace("x", "×")}</li>}
        {g.quality && <li>{m[`images.quality.${g.quality}` as keyof Messages] ?? g.quality}</li>}
        <li>
          <span class="sr-only">{m["images.elapsed"]}</span>
          {format(m["images.seconds"], { s: seconds(g.elapsedMs) })}
        </li>
        <li class="gen-cost">
          <span class="sr-only">{m["images.cost"]}</span>
          {displayUsd(g.cost)}
        </li>
        <li>
          <time dateTime={g.createdAt}>{when.format(new Date(g.createdAt))}</time>
        </li>
        {g.viaApi && <li class="tag">{m["images.viaApi"]}</li>}
      </ul>
      <div class="gen-grid">
        {g.images.map((image, index) => (
          <figure class="gen-image" key={image.id}>
            <button
              type="button"
              class="zoom-open"
              aria-label={format(m["images.open"], { i: index + 1, n: count })}
              onClick={(event) => onZoom(g, index, event.currentTarget)}
            >
              <img
                src={image.url}
                width={image.width}
                height={image.height}
                loading="lazy"
                decoding="async"
                alt=""
              />
            </button>
            <a
              class="image-download"
              href={`${image.url}?download`}
              download
              aria-label={format(m["images.download"], { i: index + 1 })}
            >
              <DownloadIcon />
            </a>
          </figure>
        ))}
      </div>
    </article>
  );
}

function Running({ entry, now, m }: { entry: Sent; now: Signal<number>; m: Messages }) {
  const elapsed = Math.max(0, now.value - entry.startedAt);
  return (
    <article class="gen-card running" aria-busy="true">
      <header>
        <p class="gen-prompt">{entry.prompt}</p>
      </header>
      <ul class="gen-meta">
        <li class="timer">{format(m["images.running"], { s: seconds(elapsed) })}</li>
        <li>{format(m["images.held"], { price: displayUsd(entry.held) })}</li>
      </ul>
      <div class="gen-grid">
        {Array.from(
          { length: entry.n },
          (_, index) => <div class={`placeholder s${entry.size}`} key={index} />,
        )}
      </div>
    </article>
  );
}

function DownloadIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path
        d="M10 3v9m0 0-4-4m4 4 4-4M4 15h12"
        fill="none"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}
