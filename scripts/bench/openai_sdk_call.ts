// What one upstream image call costs this process in CPU: the openai SDK as our adapters make it
// (services/upstreams/openai/client.ts), the SDK as it comes, and a bare fetch of the same request,
// each against the bench's stand-in on 32 concurrent calls. Prints µs of CPU per call (user + system,
// every thread of this process) and each against the bare fetch.
//   deno run -A scripts/bench/openai_sdk_call.ts [calls per run (6000)]
import OpenAI from "openai";
import process from "node:process";
import { openaiClient } from "../../services/upstreams/openai/client.ts";
import { Child, stopAll } from "./processes.ts";

const calls = Number(Deno.args[0] ?? 6000);
const key = "sk-bench-standin";
const standin = new Child("stand-in", Deno.execPath(), ["run", "-A", "scripts/bench/standin.ts"], {
  STANDIN_KEY: key,
});
const [, url] = await standin.waitFor(/listening on (http:\/\/\S+)/);
const body = {
  model: "gpt-image-2",
  prompt: "bench",
  n: 1,
  size: "1024x1024",
  quality: "low",
} as const;

const ours = openaiClient({ apiKey: key, baseUrl: `${url}/v1` }, 60_000);
const stock = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, timeout: 60_000, maxRetries: 0 });
const ways: Record<string, () => Promise<unknown>> = {
  "bare fetch": async () => {
    const response = await fetch(`${url}/v1/images/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: new AbortController().signal,
    });
    return JSON.parse(await response.text());
  },
  "SDK, ours": () => ours.images.generate(body, { signal: new AbortController().signal }),
  "SDK, stock": () => stock.images.generate(body, { signal: new AbortController().signal }),
};

async function cpuPerCall(call: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (started++ < calls) await call();
  }));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

try {
  const results: Record<string, number[]> = {};
  // Two rounds, alternating, after a warm-up of each: the mean of the rounds is shown.
  for (const call of Object.values(ways)) await cpuPerCall(call);
  for (let round = 0; round < 2; round++) {
    for (const [name, call] of Object.entries(ways)) {
      (results[name] ??= []).push(await cpuPerCall(call));
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const baseline = mean(results["bare fetch"]);
  for (const [name, figures] of Object.entries(results)) {
    const us = mean(figures);
    console.log(
      `${name.padEnd(12)} ${us.toFixed(0).padStart(5)} µs CPU per call  ${
        (us / baseline).toFixed(2)
      }× bare fetch`,
    );
  }
} finally {
  await stopAll();
}
