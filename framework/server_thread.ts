// A server thread (a Web Worker): the same app as the main thread, on the same port
// (SO_REUSEPORT: the kernel spreads connections over the threads), with a connection pool, a
// group commit and caches of its own. main.ts starts SERVER_THREADS − 1 of them through
// startServerThreads (framework/server.ts); the hold sweeper and other chores stay on the main
// thread.
import { connect } from "../services/platform/database.ts";
import { type RunningServer, startHttpServer, type ThreadMessage } from "./server.ts";

let running: { server: RunningServer; close(): Promise<void> } | null = null;

self.onmessage = async (event: MessageEvent<ThreadMessage>) => {
  const message = event.data;
  if (message.kind === "start") {
    const sql = connect(message.databaseUrl, { max: message.config.DATABASE_POOL_SIZE });
    const server = await startHttpServer(message.config, sql, { reusePort: true });
    running = { server, close: () => sql.end({ timeout: 5 }) };
    self.postMessage({ kind: "listening" } satisfies ThreadMessage);
  } else if (message.kind === "stop") {
    await running?.server.shutdown();
    await running?.close();
    self.postMessage({ kind: "stopped" } satisfies ThreadMessage);
  }
};
