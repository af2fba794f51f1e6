// Starts the HTTP server for one database: used by main.ts and by tests that run the server in
// their own process.
import { join } from "node:path";
import { createApp } from "./app.ts";
import { type Config, ConfigError, publicUrl } from "../services/platform/config.ts";
import type { Sql } from "../services/platform/database.ts";
import { PackImageStore } from "../services/images/store.ts";
import { UrlSigner } from "../services/images/signed_urls.ts";
import { imageUpstreams, textUpstreams } from "../services/upstreams/registry.ts";
import { groupCommit } from "../services/billing/group_commit.ts";
import { KeyCache } from "../services/accounts/api_keys.ts";
import type { AppServices } from "./context.ts";

export interface RunningServer {
  /** Where it listens, e.g. http://localhost:8000. */
  url: string;
  /** The address it hands out in links (PUBLIC_URL). */
  publicUrl: string;
  services: AppServices;
  shutdown(): Promise<void>;
}

export async function startHttpServer(
  config: Config,
  sql: Sql,
  options: { reusePort?: boolean } = {},
): Promise<RunningServer> {
  // Listen first, so PORT=0 knows its port before the public URL is built from it.
  const ready: { app?: Awaited<ReturnType<typeof createApp>> } = {};
  const server = listen(
    config,
    options,
    // The connection info goes to the app as c.env (the client's address: framework/client_ip.ts).
    (request, info) =>
      ready.app ? ready.app.fetch(request, info) : new Response("starting", { status: 503 }),
  );
  const listening = { ...config, PORT: server.addr.port };
  const self = { port: server.addr.port, publicUrl: publicUrl(listening) };
  const services: AppServices = {
    sql,
    commits: groupCommit(sql),
    keys: await KeyCache.start(sql),
    config: listening,
    store: new PackImageStore(join(config.DATA_DIR, "images")),
    signer: await UrlSigner.fromConfig(config),
    upstreamFor: imageUpstreams({ demoDelayMs: config.DEMO_UPSTREAM_DELAY_MS, self }),
    textUpstreamFor: textUpstreams({ demoDelayMs: config.DEMO_UPSTREAM_DELAY_MS }),
    publicUrl: self.publicUrl,
  };
  ready.app = await createApp(services);
  return {
    url: `http://localhost:${server.addr.port}`,
    publicUrl: services.publicUrl,
    services,
    shutdown: async () => {
      await server.shutdown();
      await services.keys.stop();
      services.store.close();
    },
  };
}

function listen(
  config: Config,
  options: { reusePort?: boolean },
  handler: Deno.ServeHandler<Deno.NetAddr>,
): Deno.HttpServer<Deno.NetAddr> {
  try {
    return Deno.serve({
      port: config.PORT,
      hostname: config.HOST,
      reusePort: options.reusePort,
      onListen: () => {},
    }, handler);
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    throw new ConfigError(
      `PORT ${config.PORT} is in use by another program: set PORT to a free port (0 picks one)`,
    );
  }
}

/** Between main.ts and a server thread (framework/server_thread.ts). */
export type ThreadMessage =
  | { kind: "start"; config: Config; databaseUrl: string }
  | { kind: "listening" }
  | { kind: "stop" }
  | { kind: "stopped" };

/**
 * Starts `count` more server threads on the port `main` listens on (which must have been started
 * with reusePort); resolves once they all listen. stop() lets each finish the calls it has.
 */
export async function startServerThreads(
  main: RunningServer,
  config: Config,
  databaseUrl: string,
  count: number,
): Promise<{ stop(): Promise<void> }> {
  const port = Number(new URL(main.url).port);
  const threads = Array.from(
    { length: count },
    () => new Worker(new URL("./server_thread.ts", import.meta.url), { type: "module" }),
  );
  const next = (worker: Worker, kind: ThreadMessage["kind"]) =>
    new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<ThreadMessage>) => {
        if (event.data.kind === kind) resolve();
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`server thread: ${event.message}`));
      };
    });
  try {
    await Promise.all(threads.map((worker) => {
      const listening = next(worker, "listening");
      worker.postMessage(
        { kind: "start", config: { ...config, PORT: port }, databaseUrl } satisfies ThreadMessage,
      );
      return listening;
    }));
  } catch (error) {
    threads.forEach((worker) => worker.terminate());
    throw error;
  }
  return {
    async stop() {
      await Promise.all(threads.map(async (worker) => {
        const stopped = next(worker, "stopped");
        worker.postMessage({ kind: "stop" } satisfies ThreadMessage);
        await stopped.catch(() => {});
        worker.terminate();
      }));
    },
  };
}
