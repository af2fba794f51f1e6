// Starts the HTTP server for one database: used by main.ts and by tests that run the server in
// their own process.
import { join } from "node:path";
import { createApp } from "./app.ts";
import { type Config, publicUrl } from "../services/config.ts";
import type { Sql } from "../services/database.ts";
import { FolderImageStore } from "../services/image_store.ts";
import { UrlSigner } from "../services/signed_urls.ts";
import { imageUpstreams } from "../services/upstreams/index.ts";
import { groupCommit } from "../services/group_commit.ts";
import { KeyCache } from "../services/api_keys.ts";
import type { AppServices } from "./context.ts";

export interface RunningServer {
  /** Where it listens, e.g. http://localhost:8000. */
  url: string;
  /** The address it hands out in links (PUBLIC_URL). */
  publicUrl: string;
  services: AppServices;
  shutdown(): Promise<void>;
}

export async function startHttpServer(config: Config, sql: Sql): Promise<RunningServer> {
  // Listen first, so PORT=0 knows its port before the public URL is built from it.
  const ready: { app?: Awaited<ReturnType<typeof createApp>> } = {};
  const server = Deno.serve(
    { port: config.PORT, hostname: config.HOST, onListen: () => {} },
    (request) => ready.app ? ready.app.fetch(request) : new Response("starting", { status: 503 }),
  );
  const listening = { ...config, PORT: server.addr.port };
  const services: AppServices = {
    sql,
    commits: groupCommit(sql),
    keys: await KeyCache.start(sql),
    config: listening,
    store: new FolderImageStore(join(config.DATA_DIR, "images")),
    signer: await UrlSigner.fromConfig(config),
    upstreamFor: imageUpstreams({ demoDelayMs: config.DEMO_UPSTREAM_DELAY_MS }),
    publicUrl: publicUrl(listening),
  };
  ready.app = await createApp(services);
  return {
    url: `http://localhost:${server.addr.port}`,
    publicUrl: services.publicUrl,
    services,
    shutdown: async () => {
      await server.shutdown();
      await services.keys.stop();
    },
  };
}
