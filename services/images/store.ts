// Where image bytes live. A small interface so an S3-compatible store can replace the folder;
// metadata (owner, prompt, cost) lives in Postgres, in the images table, with the key that `put`
// answered.
import { join } from "node:path";
import { newId } from "../platform/ids.ts";
import { ApiError } from "../platform/errors.ts";

export interface ImageStore {
  /** Stores `bytes` (`name`, e.g. "img_….png", says what they are); resolves with their key. */
  put(name: string, bytes: Uint8Array): Promise<string>;
  /** The bytes, or null when nothing is stored under the key. */
  get(key: string): Promise<Uint8Array | null>;
  /** Gives up the bytes; nothing happens when there are none. */
  delete(key: string): Promise<void>;
  /** Lets go of what it holds (open files, connections); for shutdown. */
  close(): void;
}

let fullDiskWarned = false;

/**
 * `store.put`, with a full disk answered as what it is: the operator's to fix, not the customer's
 * fault, and worth a retry later (503 storage_full, with x-should-retry). The server log says so
 * once, not once per call, until a write succeeds again.
 */
export async function storeImage(store: ImageStore, name: string, bytes: Uint8Array) {
  try {
    const key = await store.put(name, bytes);
    fullDiskWarned = false;
    return key;
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    if (code !== "ENOSPC" && code !== "EDQUOT") throw error;
    if (!fullDiskWarned) {
      fullDiskWarned = true;
      console.warn(`image store: the disk is full (${error}); calls answer 503 until it has room`);
    }
    throw new ApiError(
      503,
      "We could not store the generated image: our storage is full. Nothing was charged; retry later.",
      "server_error",
      "storage_full",
      null,
      {},
      { "x-should-retry": "true" },
    );
  }
}

/** Past this size a pack is closed and the next image starts a new one. */
const PACK_BYTES = 1 << 30;

/**
 * Image bytes appended to pack files under DATA_DIR/images/packs/YYYY-MM/. Each store (each
 * server thread has its own) appends to one pack of its own, and starts a new one each month or
 * past PACK_BYTES. A key names the pack, the offset and the length: `pack:<pack>:<offset>:<length>`.
 *
 * Why packs, not a file per image: creating a file is a journaled change to the file system's
 * metadata, which on our 2-core VM cost from 30 µs to over 1 ms of kernel time each, while an
 * append to an open file costs ~3 µs. Under `deno task bench`, the thread that created the files
 * took half a core. Appends are cheap enough to run on the calling thread.
 *
 * The bytes are appended before the image's record commits, so a record never names missing
 * bytes. A crash between the two, or a call that fails after storing, leaves bytes no record
 * names; `delete` cannot take bytes out of a pack. Reclaiming them is a compaction (not built):
 * copy the ranges the images table names into new packs, then swap the keys.
 *
 * Keys of single files (`2026/11/ab/img_….png`, written before packs) are still read.
 */
export class PackImageStore implements ImageStore {
  #pack: { file: Deno.FsFile; name: string; month: string; size: number } | null = null;

  constructor(private readonly root: string, private readonly packBytes = PACK_BYTES) {}

  // deno-lint-ignore require-await -- async for the interface: the append itself is synchronous
  async put(_name: string, bytes: Uint8Array): Promise<string> {
    const pack = this.#packFor(bytes.length);
    const offset = pack.size;
    try {
      for (let written = 0; written < bytes.length;) {
        written += pack.file.writeSync(bytes.subarray(written));
      }
    } catch (error) {
      // A failed append leaves the pack's end unknown: the next image starts a new pack.
      this.close();
      throw error;
    }
    pack.size += bytes.length;
    return `pack:${pack.name}:${offset}:${bytes.length}`;
  }

  async get(key: string): Promise<Uint8Array | null> {
    const packed = /^pack:([0-9]{4}-[0-9]{2}\/[0-9a-f-]+\.pack):([0-9]+):([0-9]+)$/.exec(key);
    if (!packed) return await readSingleFile(join(this.root, safeRelativePath(key)));
    const [, name, offset, length] = packed;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(join(this.root, "packs", name), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    try {
      await file.seek(Number(offset), Deno.SeekMode.Start);
      const bytes = new Uint8Array(Number(length));
      for (let read = 0; read < bytes.length;) {
        const n = await file.read(bytes.subarray(read));
        if (n === null) return null;
        read += n;
      }
      return bytes;
    } finally {
      file.close();
    }
  }

  async delete(key: string): Promise<void> {
    if (key.startsWith("pack:")) return;
    try {
      await Deno.remove(join(this.root, safeRelativePath(key)));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  close() {
    this.#pack?.file.close();
    this.#pack = null;
  }

  #packFor(length: number) {
    const month = new Date().toISOString().slice(0, 7);
    const pack = this.#pack;
    if (pack && pack.month === month && (pack.size === 0 || pack.size + length <= this.packBytes)) {
      return pack;
    }
    this.close();
    const folder = join(this.root, "packs", month);
    Deno.mkdirSync(folder, { recursive: true });
    const name = `${month}/${newId()}.pack`;
    const file = Deno.openSync(join(this.root, "packs", name), { createNew: true, append: true });
    return this.#pack = { file, name, month, size: 0 };
  }
}

async function readSingleFile(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function safeRelativePath(key: string): string {
  if (!/^[a-z0-9/_.-]+$/i.test(key) || key.includes("..")) {
    throw new Error(`bad storage key ${key}`);
  }
  return key;
}
