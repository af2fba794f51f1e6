// Argon2id off the event loop. A hash or a check takes tens of milliseconds of CPU: on a server
// thread, 20 wrong logins at once took image calls from 9 ms to 709 ms. So it runs on a hashing
// thread of its own (services/accounts/password_worker.ts), one job at a time, and the jobs waiting for it
// are bounded: past MAX_WAITING a job is refused at once (HashingBusy), so a flood of logins
// costs neither unbounded memory nor minutes of waiting.
//
// One hashing thread per server thread (each server thread loads this module afresh): with
// SERVER_THREADS at the cores but one, hashing can never take more cores than serving has. It is
// started on first use and, while idle, does not keep the process alive (node:worker_threads'
// unref: a Web Worker has none, and would keep an admin task from ending).
import { Worker } from "node:worker_threads";

export type HashJob =
  | { kind: "hash"; password: string }
  | { kind: "verify"; password: string; hash: string };
export type HashResult = { ok: true; value: string | boolean } | { ok: false; error: string };

/** Jobs that may wait behind the running one: ~0.5 s of hashing on this project's machine. */
export const MAX_WAITING = 16;

/** Too many passwords are being checked right now: try again in a moment. */
export class HashingBusy extends Error {
  constructor() {
    super(`more than ${MAX_WAITING} passwords are waiting to be hashed`);
  }
}

interface Pending {
  job: HashJob;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

class HashingThread {
  #worker: Worker | null = null;
  #running: Pending | null = null;
  #waiting: Pending[] = [];
  /** Jobs handed to a thread so far (tests check that the thread, not the caller, hashes). */
  jobsRun = 0;

  run(job: HashJob): Promise<string | boolean> {
    if (this.#waiting.length >= MAX_WAITING) return Promise.reject(new HashingBusy());
    return new Promise((resolve, reject) => {
      this.#waiting.push({ job, resolve, reject });
      this.#next();
    });
  }

  #next() {
    if (this.#running) return;
    const next = this.#waiting.shift();
    if (!next) {
      this.#worker?.unref();
      return;
    }
    this.#running = next;
    this.jobsRun++;
    const worker = this.#worker ??= this.#start();
    worker.ref();
    worker.postMessage(next.job);
  }

  #finish(outcome: HashResult) {
    const done = this.#running;
    this.#running = null;
    if (outcome.ok) done?.resolve(outcome.value);
    else done?.reject(new Error(`password hashing: ${outcome.error}`));
    this.#next();
  }

  #start(): Worker {
    const worker = new Worker(new URL("./password_worker.ts", import.meta.url));
    worker.on("message", (result: HashResult) => this.#finish(result));
    // A thread that died fails its job only; the next job starts a new thread.
    const lost = (reason: unknown) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      void worker.terminate();
      if (this.#running) this.#finish({ ok: false, error: `the thread stopped (${reason})` });
    };
    worker.on("error", lost);
    worker.on("exit", lost);
    return worker;
  }
}

const thread = new HashingThread();

/** An encoded Argon2id hash of `password` (OWASP's floor: 19 MiB, 2 passes, 1 lane). */
export async function hashPassword(password: string): Promise<string> {
  return await thread.run({ kind: "hash", password }) as string;
}

/** Whether `password` matches the encoded Argon2id `hash`. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return await thread.run({ kind: "verify", password, hash }) as boolean;
}

/** How many jobs this thread's hashing thread has taken (for tests). */
export function hashingJobsRun(): number {
  return thread.jobsRun;
}
