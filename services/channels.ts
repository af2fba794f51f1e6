// Upstream channels: where calls for a model go. The operator adds them (provider, base URL,
// key, models, priority); calls try them by priority, highest first. The built-in demo channel
// sits at the bottom, so the product works with no keys until a real channel is added.
import type { Db } from "./database.ts";
import { cachedPerDatabase } from "./per_database_cache.ts";

export type Provider = "openai" | "demo";

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

const enabledChannels = cachedPerDatabase(
  2_000,
  (db) =>
    db.unsafe<Channel[]>(
      `select ${columns} from channels where enabled order by priority desc, id`,
    ),
);

/** Enabled channels serving `model`, best first. Cached for 2 s: changes apply within that. */
export async function channelsFor(db: Db, model: string): Promise<Channel[]> {
  return (await enabledChannels.get(db)).filter((c) => c.models.includes(model));
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
  const unknown = await db<{ id: string }[]>`
    select m from unnest(${input.models}::text[]) m where m not in (select id from models)`;
  if (unknown.length) {
    throw new ChannelError(
      `unknown model(s): ${unknown.map((r) => Object.values(r)[0]).join(", ")}`,
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
    enabledChannels.forget(db);
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
  const exists = await db`select 1 from channels where name = ${name}`;
  if (exists.length === 0) throw new ChannelError(`no channel named ${name}`);
  const changed =
    await db`update channels set enabled = ${enabled} where name = ${name} and enabled <> ${enabled} returning id`;
  enabledChannels.forget(db);
  return changed.length > 0;
}

/** Whether the built-in demo painter is the only enabled channel for `model`: the Images page
 *  then says its pictures are drawn locally. */
export async function servedOnlyByDemo(db: Db, model: string): Promise<boolean> {
  const channels = await channelsFor(db, model);
  return channels.length > 0 && channels.every((channel) => channel.provider === "demo");
}
