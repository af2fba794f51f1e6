// One call of the request log in full (routes/(dashboard)/logs/[id].tsx): what was asked, which
// channel served it and what was tried before, the money (the hold, and the charge or release,
// from the ledger), and what it made (its images, or its tokens and how the answer ended).
import type { ComponentChildren } from "preact";
import type { AppContext } from "../framework/context.ts";
import type { ApiKey } from "../services/accounts/api_keys.ts";
import { displayUsd } from "../services/billing/money.ts";
import type { LogDetail } from "../services/metering/log_queries.ts";
import type { FailedAttempt } from "../services/upstreams/failover.ts";
import { type Locale, pick, tFor } from "../services/i18n/index.ts";
import { dayAndClock } from "../services/i18n/time.ts";
import { imagePath } from "../services/images/answers.ts";
import { Island } from "./Island.tsx";
import CopyButton from "../islands/CopyButton.tsx";
import { ChevronLeftIcon } from "./icons.tsx";
import { keyLabel, latency, qualityLabel, StatusBadge, usageParts } from "./request_log.tsx";

type T = ReturnType<typeof tFor>;

export function LogDetailView(
  { c, call, keys }: { c: AppContext; call: LogDetail; keys: Map<bigint, ApiKey> },
) {
  const locale = c.var.locale;
  const t = tFor(locale);
  c.set("title", `${t("logs.detail.title")} ${call.requestId}`);
  const key = keyLabel(t, keys, call.apiKeyId);
  return (
    <div class="log-detail">
      <p class="crumb">
        <a href="/logs">
          <ChevronLeftIcon />
          <span>{t("logs.detail.back")}</span>
        </a>
      </p>
      <header class="page-head detail-head">
        <div>
          <h1>
            {call.modelId ?? t("logs.detail.title")}
            <span class={`kind-tag kind-${call.kind}`}>{t(`logs.kind.${call.kind}`)}</span>
          </h1>
          <p class="request-id">
            <code id="request-id">{call.requestId}</code>
            <Island
              of={CopyButton}
              props={{ text: call.requestId, labels: pick(locale, ["copy.copy", "copy.copied"]) }}
            />
          </p>
        </div>
        <div class="detail-outcome">
          <StatusBadge t={t} status={call.status} />
          <data
            class={call.cost === 0n ? "detail-cost zero" : "detail-cost"}
            value={String(call.cost)}
          >
            {displayUsd(call.cost)}
          </data>
        </div>
      </header>
      <div class="detail-grid">
        <section class="card" aria-labelledby="detail-call">
          <h2 id="detail-call">{t("logs.detail.call")}</h2>
          <dl class="facts">
            <Fact label={t("logs.detail.time")}>
              <time datetime={call.createdAt.toISOString()}>
                {moment(locale, call.createdAt)}
              </time>
            </Fact>
            <Fact label={t("logs.col.key")}>
              {key.name}
              {key.prefix && <code class="key-prefix">{key.prefix}…</code>}
            </Fact>
            <Fact label={t("logs.detail.endpoint")}>
              <code>{call.endpoint}</code>
            </Fact>
            <Fact label={t("logs.detail.httpStatus")}>{call.httpStatus || "—"}</Fact>
            {call.errorCode && (
              <Fact label={t("logs.detail.errorCode")}>
                <code>{call.errorCode}</code>
              </Fact>
            )}
            <Fact label={t("logs.detail.latency")}>
              {latency(call.latencyMs)}
              {call.upstreamLatencyMs !== null && (
                <span class="muted">
                  {` · ${t("logs.detail.upstreamLatency")} ${latency(call.upstreamLatencyMs)}`}
                </span>
              )}
            </Fact>
            {call.idempotencyKey && (
              <Fact label={t("logs.detail.idempotencyKey")}>
                <code>{call.idempotencyKey}</code>
              </Fact>
            )}
          </dl>
        </section>
        <Money t={t} call={call} />
        <Parameters t={t} call={call} />
        <Routing t={t} call={call} />
        <Output c={c} call={call} />
      </div>
    </div>
  );
}

/** "Nov 30, 2026 17:00:12 UTC": a log's moment, to the second. */
function moment(locale: Locale, at: Date): string {
  const { day, clock } = dayAndClock(locale, at);
  return `${day} ${clock} UTC`;
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Money({ t, call }: { t: T; call: LogDetail }) {
  const { hold, resolution, charge } = call;
  const charged = charge?.amount ?? 0n;
  return (
    <section class="card" aria-labelledby="detail-money">
      <h2 id="detail-money">{t("logs.detail.money")}</h2>
      {hold
        ? (
          <dl class="facts money">
            <Fact label={t("logs.detail.held")}>
              <Amount amount={hold.amount} id={hold.id} t={t} />
            </Fact>
            {charge && (
              <Fact label={t("logs.detail.charged")}>
                <Amount amount={charge.amount} id={charge.id} t={t} />
              </Fact>
            )}
            {resolution?.kind === "settle" && hold.amount > charged && (
              <Fact label={t("logs.detail.releasedRest")}>{displayUsd(hold.amount - charged)}</Fact>
            )}
            {resolution?.kind === "release" && (
              <Fact label={t("logs.detail.released")}>
                <Amount amount={resolution.amount} id={resolution.id} t={t} />
              </Fact>
            )}
            {resolution?.kind === "expire" && (
              <Fact label={t("logs.detail.expired")}>
                <Amount amount={resolution.amount} id={resolution.id} t={t} />
              </Fact>
            )}
            {!resolution && (
              <Fact label={t("logs.detail.stillHeld")}>{displayUsd(hold.amount)}</Fact>
            )}
            {call.unitPrice !== null && call.kind === "image" && (
              <Fact label={t("logs.detail.unitPrice")}>{displayUsd(call.unitPrice)}</Fact>
            )}
          </dl>
        )
        : <p class="muted">{t("logs.detail.noHold")}</p>}
      <p class="money-total">
        <span>{t("logs.detail.cost")}</span>
        <strong>{displayUsd(call.cost)}</strong>
      </p>
    </section>
  );
}

/** An amount with the ledger transfer it came from (for support, and the curious). */
function Amount({ t, amount, id }: { t: T; amount: bigint; id: string }) {
  return (
    <>
      <span class="num">{displayUsd(amount)}</span>
      <small class="transfer-id">{t("logs.detail.transfer", { id })}</small>
    </>
  );
}

function Parameters({ t, call }: { t: T; call: LogDetail }) {
  const first = call.made[0];
  return (
    <section class="card" aria-labelledby="detail-params">
      <h2 id="detail-params">{t("logs.detail.params")}</h2>
      <dl class="facts">
        <Fact label={t("logs.col.model")}>
          <code>{call.modelId ?? "—"}</code>
        </Fact>
        {call.kind === "image"
          ? (
            <>
              <Fact label={t("logs.detail.size")}>{call.size?.replace("x", "×") ?? "—"}</Fact>
              <Fact label={t("logs.detail.quality")}>
                {call.quality ? qualityLabel(t, call.quality) : "—"}
              </Fact>
              <Fact label={t("logs.detail.imageCount")}>{call.images}</Fact>
            </>
          )
          : (
            <Fact label={t("logs.detail.stream")}>
              {t(call.stream ? "logs.detail.yes" : "logs.detail.no")}
            </Fact>
          )}
      </dl>
      {first && (
        <div class="prompt">
          <h3>{t("logs.detail.prompt")}</h3>
          <p>{first.prompt}</p>
          {first.revisedPrompt && first.revisedPrompt !== first.prompt && (
            <>
              <h3>{t("logs.detail.revisedPrompt")}</h3>
              <p>{first.revisedPrompt}</p>
            </>
          )}
        </div>
      )}
    </section>
  );
}

function outcomeOf(attempt: FailedAttempt) {
  if (attempt.kind === "refused") return "logs.detail.attempt.refused" as const;
  if (attempt.status === 504 || attempt.status === 499) {
    return "logs.detail.attempt.timeout" as const;
  }
  if (attempt.status === 429) return "logs.detail.attempt.rateLimited" as const;
  return "logs.detail.attempt.failed" as const;
}

function Routing({ t, call }: { t: T; call: LogDetail }) {
  const served = call.status === "ok" && call.channelName;
  return (
    <section class="card" aria-labelledby="detail-routing">
      <h2 id="detail-routing">{t("logs.detail.routing")}</h2>
      <dl class="facts">
        <Fact label={t("logs.detail.channel")}>
          {served ? <strong>{call.channelName}</strong> : t("logs.detail.noChannel")}
        </Fact>
      </dl>
      {call.failover.length > 0 && (
        <>
          <h3>{t(served ? "logs.detail.tried" : "logs.detail.triedAll")}</h3>
          <ol class="attempts">
            {call.failover.map((attempt) => (
              <li>
                <strong>{attempt.channel}</strong> {t(outcomeOf(attempt))}{" "}
                <span class="muted">(HTTP {attempt.status}, {latency(attempt.ms)})</span>
              </li>
            ))}
          </ol>
        </>
      )}
      {!served && call.failover.length === 0 && (
        <p class="muted small">{t("logs.detail.noChannelNote")}</p>
      )}
    </section>
  );
}

function Output({ c, call }: { c: AppContext; call: LogDetail }) {
  const locale = c.var.locale;
  const t = tFor(locale);
  return (
    <section class="card detail-output" aria-labelledby="detail-output">
      <h2 id="detail-output">{t("logs.detail.output")}</h2>
      {call.kind === "image"
        ? (call.made.length
          ? (
            <ul class="thumbs">
              {call.made.map((image, i) => {
                const [width, height] = image.size.split("x").map(Number);
                const src = imagePath(image.id, image.format);
                return (
                  <li>
                    <a href={src} aria-label={t("logs.detail.openImage", { n: i + 1 })}>
                      <img src={src} alt="" width={width} height={height} loading="lazy" />
                    </a>
                  </li>
                );
              })}
            </ul>
          )
          : <p class="muted">{t("logs.detail.noImages")}</p>)
        : <Tokens t={t} call={call} billed={usageParts(t, locale, call).length > 0} />}
    </section>
  );
}

function Tokens({ t, call, billed }: { t: T; call: LogDetail; billed: boolean }) {
  if (!billed && !call.finishReason) return <p class="muted">{t("logs.detail.noTokens")}</p>;
  const n = (value: number | null) => value === null ? "—" : value.toLocaleString("en");
  return (
    <dl class="facts tokens">
      <Fact label={t("logs.detail.inputTokens")}>{n(call.inputTokens)}</Fact>
      <Fact label={t("logs.detail.cachedTokens")}>{n(call.cachedTokens)}</Fact>
      {call.cacheWriteTokens !== null && (
        <Fact label={t("logs.detail.cacheWriteTokens")}>{n(call.cacheWriteTokens)}</Fact>
      )}
      <Fact label={t("logs.detail.outputTokens")}>{n(call.outputTokens)}</Fact>
      <Fact label={t("logs.detail.finishReason")}>
        {call.finishReason ? <code>{call.finishReason}</code> : "—"}
      </Fact>
    </dl>
  );
}

export function LogNotFound({ c }: { c: AppContext }) {
  const t = tFor(c.var.locale);
  c.set("title", t("logs.notFound.title"));
  return (
    <section class="card empty">
      <h1>{t("logs.notFound.title")}</h1>
      <p class="muted">{t("logs.notFound.body")}</p>
      <p>
        <a href="/logs" class="button">{t("logs.detail.back")}</a>
      </p>
    </section>
  );
}
