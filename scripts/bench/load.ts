// One load run: autocannon (from the bench's tools, run with Node in its own process) sends
// POST requests on `connections` keep-alive connections for `seconds`, as fast as answers come.
import { Child, TOOLS } from "./processes.ts";

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Authorization headers to take turns with, one request after another on each connection. */
  authorizations?: string[];
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok2xx: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
}

const AUTOCANNON = `${TOOLS}autocannon/autocannon.js`;

/** Starts the run; `done` resolves with autocannon's figures when it ends. */
export function startLoad(
  target: Target,
  connections: number,
  seconds: number,
): { pid: number; done: Promise<LoadResult> } {
  const rotating = (target.authorizations?.length ?? 0) > 1;
  const headers = Object.entries({ "content-type": "application/json", ...target.headers })
    .filter(([name]) => !(rotating && name === "authorization"))
    .flatMap(([name, value]) => ["--headers", `${name}=${value}`]);
  const har = rotating ? harFile(target) : null;
  const child = new Child(`autocannon ${target.name}`, "node", [
    AUTOCANNON,
    "--json",
    "--connections",
    String(connections),
    "--duration",
    String(seconds),
    "--timeout",
    "30",
    "--method",
    "POST",
    ...headers,
    ...(har ? ["--har", har] : []),
    "--body",
    target.body,
    target.url,
  ]);
  const done = (async () => {
    const status = await child.process.status;
    if (har) await Deno.remove(har);
    // With --json, stdout is one JSON line; stderr is empty unless something went wrong.
    const line = child.output().split("\n").find((l) => l.startsWith("{"));
    if (!status.success || !line) {
      throw new Error(`autocannon against ${target.name} failed:\n${child.output()}`);
    }
    return parseResult(JSON.parse(line));
  })();
  return { pid: child.pid, done };
}

/** A HAR file of one request per authorization: autocannon sends them in turn on each connection. */
function harFile(target: Target): string {
  const path = Deno.makeTempFileSync({ prefix: "tokensmart-bench-", suffix: ".har" });
  const entries = target.authorizations!.map((authorization) => ({
    request: {
      method: "POST",
      url: target.url,
      headers: [{ name: "authorization", value: authorization }],
      postData: { mimeType: "application/json", text: target.body },
    },
  }));
  Deno.writeTextFileSync(path, JSON.stringify({ log: { entries } }));
  return path;
}

interface AutocannonJson {
  requests: { average: number };
  latency: { p50: number; p99: number };
  "2xx": number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function parseResult(json: AutocannonJson): LoadResult {
  return {
    requestsPerSecond: json.requests.average,
    p50Ms: json.latency.p50,
    p99Ms: json.latency.p99,
    ok2xx: json["2xx"],
    non2xx: json.non2xx,
    errors: json.errors + json.timeouts,
  };
}
