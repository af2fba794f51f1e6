// The Images page's results: what was just sent from the composer (a running card with a timer,
// then its images, time and cost), then the account's history, newest first, loaded a page at a
// time as it scrolls into view. Click an image to zoom (a modal dialog: Escape closes, focus goes
// back); each image downloads alone, each generation as a ZIP.
import { useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { Generation } from "../services/images/history.ts";
import type { Locale, MessageKey } from "../services/i18n/index.ts";
import { format } from "../services/i18n/format.ts";
import { displayUsd } from "../services/billing/money.ts";
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
  const pages = useHistoryPages(first, next);
  const zoomed = useSignal<Zoomed | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const when = useLocalTime(locale);

  const zoom = (generation: Generation, index: number, from: HTMLElement) => {
    opener.current = from;
    zoomed.value = { generation, index };
  };
  const sentIds = new Set(sent.value.map((entry) => entry.result?.id));
  const older = pages.history.value.filter((generation) => !sentIds.has(generation.id));
  const card = (generation: Generation) => (
    <Card key={generation.id} generation={generation} m={m} when={when} onZoom={zoom} />
  );

  return (
    <section class="results" aria-labelledby="results-title">
      <h2 id="results-title">{m["images.history"]}</h2>
      {sent.value.map((entry) =>
        entry.result ? card(entry.result) : <Running key={entry.key} entry={entry} m={m} />
      )}
      {older.map(card)}
      {sent.value.length === 0 && older.length === 0 && <p class="empty">{m["images.empty"]}</p>}
      {pages.cursor.value && (
        <div class="more" ref={pages.end}>
          {pages.failed.value
            ? (
              <p>
                {m["images.moreFailed"]}{" "}
                <button type="button" onClick={pages.loadMore}>{m["images.retry"]}</button>
              </p>
            )
            : pages.loading.value
            ? <p aria-live="polite">{m["images.loading"]}</p>
            : <button type="button" onClick={pages.loadMore}>{m["images.more"]}</button>}
        </div>
      )}
      <ZoomDialog
        zoomed={zoomed.value}
        m={m}
        onClosed={() => {
          zoomed.value = null;
          opener.current?.focus();
        }}
      />
    </section>
  );
}

/** The history after the first page: loaded when its end comes near the screen. */
function useHistoryPages(first: Generation[], next: string | null) {
  const history = useSignal(first);
  const cursor = useSignal(next);
  const loading = useSignal(false);
  const failed = useSignal(false);
  const end = useRef<HTMLDivElement>(null);

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
    if (!end.current || !cursor.value || failed.value) return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((entry) => entry.isIntersecting) && loadMore(),
      { rootMargin: "800px 0px" },
    );
    observer.observe(end.current);
    return () => observer.disconnect();
  }, [history.value.length, cursor.value, failed.value]);

  return { history, cursor, loading, failed, loadMore, end };
}

/** Dates as the reader's clock shows them. The server renders them in UTC; after hydration the
 *  browser's own time zone takes over. */
function useLocalTime(locale: Locale): Intl.DateTimeFormat {
  const hydrated = useSignal(false);
  useEffect(() => void (hydrated.value = true), []);
  return useMemo(
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
}

/** One image, large, in a modal dialog: Escape (or a click beside it) closes it. */
function ZoomDialog({ zoomed, m, onClosed }: {
  zoomed: Zoomed | null;
  m: Messages;
  onClosed: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (zoomed && !dialog.current!.open) dialog.current!.showModal();
  }, [zoomed]);
  const close = () => dialog.current!.close();
  const image = zoomed?.generation.images[zoomed.index];
  return (
    <dialog
      ref={dialog}
      class="zoom"
      aria-label={m["images.preview"]}
      onClose={onClosed}
      onClick={(event) => event.target === dialog.current && close()}
    >
      {zoomed && image && (
        <>
          <img
            src={image.url}
            width={image.width}
            height={image.height}
            alt={zoomed.generation.prompt}
          />
          <div class="zoom-bar">
            <p>{zoomed.generation.prompt}</p>
            <a class="button" href={`${image.url}?download`} download>
              <DownloadIcon /> {m["images.downloadOne"]}
            </a>
            <button type="button" autofocus onClick={close}>{m["images.close"]}</button>
          </div>
        </>
      )}
    </dialog>
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

function Running({ entry, m }: { entry: Sent; m: Messages }) {
  const now = useSignal(entry.startedAt);
  useEffect(() => {
    const timer = setInterval(() => (now.value = performance.now()), 100);
    return () => clearInterval(timer);
  }, []);
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
