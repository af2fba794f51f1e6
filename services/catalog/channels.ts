// Upstream channels: where calls for a model go. The operator adds them (provider, base URL,
// key, models, priority); calls try them by priority, highest first.
//
// The built-in demo channel (the offline painter) is not routed from the table: a server that
// has the demo on in its own configuration (config DEMO) adds it for a model with no enabled real
// channel, as that model's only channel. So a server with the demo off never paints, and a model
// with a real channel gets that channel's failure when it fails (free), never a demo picture at
// the real price (issue 9). Its row, never enabled (migration 0011), is kept only as the channel
// the request log names for demo calls; no server writes it, so servers sharing a database with
// different DEMO settings cannot change each other's.
import type { Db } from "../platform/database.ts";
import { cachedPerDatabase } from "../platform/per_database_cache.ts";
import { catalog } from "../billing/pricing.ts";

export type Provider = "openai" | "anthropic" | "gemini" | "demo";

/** What each provider's channels can serve: Anthropic's and Gemini's APIs are translated for text. */
const SERVES: Record<Provider, readonly ("image" | "text")[]> = {
  openai: ["image", "text"],
  anthropic: ["text"],
  gemini: ["text"],
  demo: ["image", "text"],
};

export interface Channel {
  id: bigint;
  name: string;
  provider: Provider;
  baseUrl: string | null;
  apiKey: string | null;
  models: string[];
  priority: number;
  timeoutMs: number;
  enabled: boolean;
}

const columns = `id, name, provider, base_url as "baseUrl", api_key as "apiKey", models, priority,
  timeout_ms as "timeoutMs", enabled`;

const routing = cachedPerDatabase(2_000, async (db) => {
  const rows = await db.unsafe<Channel[]>(
    `select ${columns} from channels where enabled or provider = 'demo' order by priority desc, id`,
  );
  const demo = rows.find((c) => c.provider === "demo");
  return {
    real: rows.filter((c) => c.provider !== "demo"),
    demo: demo ? { ...demo, enabled: true } : null,
  };
});

/**
 * The channels an image call for `model` tries, best first: its enabled real channels, or, with
 * none and `demo` on (this server's configuration), the demo channel alone. Cached for 2 s:
 * changes apply within that.
 */
export async function channelsFor(
  db: Db,
  model: string,
  options: { demo: boolean },
): Promise<Channel[]> {
  const { real, demo } = await routing.get(db);
  const serving = real.filter((c) => c.models.includes(model));
  return serving.length === 0 && options.demo && demo ? [demo] : serving;
}

/** The models the demo channel would serve now, with the demo on: those with no enabled real
 *  channel (it paints images and writes short replies offline). */
export async function modelsForDemo(db: Db): Promise<string[]> {
  const [{ real }, { models }] = await Promise.all([routing.get(db), catalog(db)]);
  return [...models.values()]
    .filter((m) => !real.some((c) => c.models.includes(m.id)))
    .map((m) => m.id);
}

export class ChannelError extends Error {}

export async function addChannel(
  db: Db,
  input: {
    name: string;
    provider: Provider;
    baseUrl: string;
    apiKey: string;
    models: string[];
    priority: number;
    timeoutMs?: number;
  },
): Promise<Channel> {
  const { models } = await catalog(db);
  const unknown = input.models.filter((m) => !models.has(m));
  if (unknown.length) {
    throw new ChannelError(
      `unknown model(s): ${unknown.join(", ")} (add a new one with price:set first)`,
    );
  }
  const unservable = input.models.filter((m) =>
    !SERVES[input.provider].includes(models.get(m)!.kind)
  );
  if (unservable.length) {
    throw new ChannelError(
      `a channel of provider ${input.provider} cannot serve ${unservable.join(", ")} (${
        SERVES[input.provider].join(" and ")
      } models only)`,
    );
  }
  try {
    const [channel] = await db.unsafe<Channel[]>(
      `insert into channels (name, provider, base_url, api_key, models, priority, timeout_ms)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${columns}`,
      [
        input.name,
        input.provider,
        input.baseUrl,
        input.apiKey,
        input.models,
        input.priority,
        input.timeoutMs ?? 120_000,
      ],
    );
    routing.forget(db);
    return channel;
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new ChannelError(`a channel named ${input.name} exists already`);
    }
    throw error;
  }
}

export async function listChannels(db: Db): Promise<Channel[]> {
  return await db.unsafe<Channel[]>(`select ${columns} from channels order by priority desc, id`);
}

/** Turns a channel on or off; returns false when it already was. */
export async function setChannelEnabled(db: Db, name: string, enabled: boolean): Promise<boolean> {
  const [channel] = await db<{ provider: Provider }[]>`
    select provider from channels where name = ${name}`;
  if (!channel) throw new ChannelError(`no channel named ${name}`);
  if (channel.provider === "demo") {
    throw new ChannelError(
      `${name} is the built-in demo channel: it serves only on servers with the demo on ` +
        `(DEMO=on, the default with the embedded database), and only models with no enabled ` +
        `real channel; it is not switched here`,
    );
  }
  const changed =
    await db`update channels set enabled = ${enabled} where name = ${name} and enabled <> ${enabled} returning id`;
  routing.forget(db);
  return changed.length > 0;
}

/** Whether the built-in demo painter is the only enabled channel for `model`: the Images page
 *  then says its pictures are drawn locally. */
export async function servedOnlyByDemo(
  db: Db,
  model: string,
  options: { demo: boolean },
): Promise<boolean> {
  const channels = await channelsFor(db, model, options);
  return channels.length > 0 && channels.every((channel) => channel.provider === "demo");
}
