// Where image bytes live. A small interface so an S3-compatible store can replace the folder;
// metadata (owner, prompt, cost) lives in Postgres, in the images table.
import { join } from "node:path";

export interface ImageStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or null when nothing is stored under the key. */
  get(key: string): Promise<Uint8Array | null>;
  /** Removes the bytes; nothing happens when there are none. */
  delete(key: string): Promise<void>;
  /** Lets go of what it holds (threads, connections); for shutdown. */
  close(): void;
}

/**
 * Files under DATA_DIR/images. The file system calls run on a thread of their own
 * (services/image_store_thread.ts): in Deno even the async file APIs make their system calls on
 * the calling thread, and creating a file in a busy folder took up to a few hundred µs of the
 * event loop that serves every call (a profile under `deno task bench`: 12% of it).
 */
export class FolderImageStore implements ImageStore {
  #thread: Worker | null = null;
  #nextId = 0;
  readonly #waiting = new Map<
    number,
    { resolve(bytes: Uint8Array | null | undefined): void; reject(error: Error): void }
  >();

  constructor(private readonly root: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    // Copied on the way (structured clone): the caller keeps its bytes for the answer.
    await this.#ask({ op: "put", path: this.#pathOf(key), bytes });
  }

  async get(key: string): Promise<Uint8Array | null> {
    return (await this.#ask({ op: "get", path: this.#pathOf(key) })) ?? null;
  }

  async delete(key: string): Promise<void> {
    await this.#ask({ op: "delete", path: this.#pathOf(key) });
  }

  close() {
    this.#thread?.terminate();
    this.#thread = null;
    for (const { reject } of this.#waiting.values()) reject(new Error("image store closed"));
    this.#waiting.clear();
  }

  #ask(request: DistributiveOmit<FileRequest, "id">): Promise<Uint8Array | null | undefined> {
    const thread = this.#thread ??= this.#startThread();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      thread.postMessage({ ...request, id });
    });
  }

  #startThread(): Worker {
    const thread = new Worker(new URL("./image_store_thread.ts", import.meta.url), {
      type: "module",
    });
    thread.onmessage = (event: MessageEvent<FileReply>) => {
      const reply = event.data;
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (!waiting) return;
      if ("error" in reply) {
        waiting.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      } else {
        waiting.resolve(reply.bytes);
      }
    };
    return thread;
  }

  #pathOf(key: string): string {
    if (!/^[a-z0-9/_.-]+$/i.test(key) || key.includes("..")) {
      throw new Error(`bad storage key ${key}`);
    }
    return join(this.root, key);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The messages between FolderImageStore and its thread. */
export type FileRequest =
  | { id: number; op: "put"; path: string; bytes: Uint8Array }
  | { id: number; op: "get" | "delete"; path: string };

export type FileReply =
  | { id: number; bytes?: Uint8Array | null }
  | { id: number; error: { name: string; message: string } };
