// The thread that hashes and verifies passwords (started by services/accounts/password_hashing.ts):
// Argon2id takes tens of milliseconds of CPU, which on a server thread would stall every call.
import { parentPort } from "node:worker_threads";
import { argon2id, argon2Verify } from "hash-wasm";
import type { HashJob, HashResult } from "./password_hashing.ts";

// OWASP's Argon2id floor: 19 MiB, 2 passes, 1 lane.
function hash(password: string): Promise<string> {
  return argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    parallelism: 1,
    iterations: 2,
    memorySize: 19_456,
    hashLength: 32,
    outputType: "encoded",
  });
}

parentPort!.on("message", async (job: HashJob) => {
  let result: HashResult;
  try {
    result = job.kind === "hash"
      ? { ok: true, value: await hash(job.password) }
      : { ok: true, value: await argon2Verify({ password: job.password, hash: job.hash }) };
  } catch (error) {
    result = { ok: false, error: String(error) };
  }
  parentPort!.postMessage(result);
});
