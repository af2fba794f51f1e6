// The whole server in the test's own process, on a fresh database, with the official openai SDK
// as its client — and stand-in upstreams configured as channels, as an operator would.
import OpenAI from "openai";
import { loadConfig } from "../../services/platform/config.ts";
import { type RunningServer, startHttpServer } from "../../framework/server.ts";
import { addChannel } from "../../services/catalog/channels.ts";
import type { Sql } from "../../services/platform/database.ts";
import { freshDatabase } from "./database.ts";
import { type StandinUpstream, startStandinUpstream } from "./standin_upstream.ts";
import { STANDIN_KEY, type StandinTextUpstreams } from "./standin_text_upstreams.ts";

export interface TestGateway {
  sql: Sql;
  dbUrl: string;
  server: RunningServer;
  /** The stand-in serving every gpt-image model at top priority. The demo is off: DATABASE_URL
   *  without DEMO=on, unless `env` says otherwise. */
  upstream: StandinUpstream;
  client(key: string): OpenAI;
}

export async function startGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const { sql, url } = await freshDatabase({ max: 40 });
  const { server, client } = await startServerOn(sql, url, env);
  const upstream = startStandinUpstream();
  await addStandinChannel(sql, "stand-in", upstream, 100);
  return { sql, dbUrl: url, server, upstream, client };
}

/** One more server on a gateway's database, with settings of its own (e.g. DEMO), as a
 *  deployment of several servers sharing one database could have. */
export async function startServerOn(
  sql: Sql,
  dbUrl: string,
  env: Record<string, string> = {},
): Promise<{ server: RunningServer; client(key: string): OpenAI }> {
  const config = loadConfig({
    DATABASE_URL: dbUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: await Deno.makeTempDir({ prefix: "tokensmart-test-data-" }),
    DEMO_UPSTREAM_DELAY_MS: "0",
    ...env,
  });
  const server = await startHttpServer(config, sql);
  return {
    server,
    client: (key) => new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 }),
  };
}

/** A channel of `provider` on the text stand-ins (tests/_helpers/standin_text_upstreams.ts), as
 *  an operator would add it. */
export async function addTextChannel(
  sql: Sql,
  upstreams: StandinTextUpstreams,
  provider: "openai" | "anthropic" | "gemini",
  models: string[],
  options: { name: string; priority?: number; timeoutMs?: number },
) {
  const baseUrl = {
    openai: upstreams.openaiUrl,
    anthropic: upstreams.anthropicUrl,
    gemini: upstreams.geminiUrl,
  }[provider];
  await addChannel(sql, {
    name: options.name,
    provider,
    baseUrl,
    apiKey: STANDIN_KEY,
    models,
    priority: options.priority ?? 10,
    timeoutMs: options.timeoutMs ?? 5_000,
  });
}

export async function addStandinChannel(
  sql: Sql,
  name: string,
  upstream: StandinUpstream,
  priority: number,
  timeoutMs = 10_000,
) {
  await addChannel(sql, {
    name,
    provider: "openai",
    baseUrl: upstream.url,
    apiKey: "sk-standin",
    models: ["gpt-image-2", "gpt-image-1.5", "gpt-image-1-mini"],
    priority,
    timeoutMs,
  });
}
