// Samples a running Deno process's CPU through its inspector and prints where the time went,
// by package and by function (self time). Pair it with the bench:
//   BENCH_GATEWAY_DENO_FLAGS=--inspect=127.0.0.1:9239 BENCH_TARGETS=tokensmart deno task bench
//   deno run -A scripts/bench/profile.ts 9239 6 [out.cpuprofile]   (while a measured run is going)
// The optional third argument keeps the whole profile (Chrome DevTools' .cpuprofile format), to
// read call trees or compare two profiles afterwards.
// Time shown against "(native)" frames is Deno's Rust side (HTTP, fetch, sockets, files) or the
// event loop waiting; only the JavaScript is broken down further.
const [port, seconds, savePath] = [Deno.args[0] ?? "9229", Number(Deno.args[1] ?? 5), Deno.args[2]];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const socket = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve) => (socket.onopen = resolve));
const replies = new Map<number, (result: unknown) => void>();
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  replies.get(message.id)?.(message.result);
  replies.delete(message.id);
};
let nextId = 0;
function send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  const id = ++nextId;
  return new Promise((resolve) => {
    replies.set(id, resolve as (result: unknown) => void);
    socket.send(JSON.stringify({ id, method, params }));
  });
}

await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 200 });
await send("Profiler.start");
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const { profile } = await send<{ profile: { nodes: ProfileNode[]; samples: number[] } }>(
  "Profiler.stop",
);
socket.close();
if (savePath) await Deno.writeTextFile(savePath, JSON.stringify(profile));

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const id of profile.samples) {
  const frame = nodes.get(id)!.callFrame;
  const file = (frame.url || "(native)")
    .replace(/.*node_modules\/\.deno\//, "npm:")
    .replace(/^file:\/\/.*?\/(services|routes|framework|scripts)\//, "$1/");
  const where = `${frame.functionName || "(anonymous)"}  ${file}:${frame.lineNumber}`;
  byFunction.set(where, (byFunction.get(where) ?? 0) + 1);
  const pkg = file.startsWith("npm:") ? file.split("/")[0] : file.split("/").slice(0, 2).join("/");
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
}
const top = (counts: Map<string, number>, n: number) =>
  [...counts].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, count]) =>
      `${(100 * count / profile.samples.length).toFixed(1).padStart(5)}%  ${name}`
    );
console.log(`${profile.samples.length} samples over ${seconds} s\n\nby package:`);
console.log(top(byPackage, 20).join("\n"));
console.log("\nby function (self time):");
console.log(top(byFunction, 30).join("\n"));
