// Where image bytes live. A small interface so an S3-compatible store can replace the folder;
// metadata (owner, prompt, cost) lives in Postgres, in the images table.
import { dirname, join } from "node:path";

export interface ImageStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or null when nothing is stored under the key. */
  get(key: string): Promise<Uint8Array | null>;
  /** Removes the bytes; nothing happens when there are none. */
  delete(key: string): Promise<void>;
}

/** Files under DATA_DIR/images. */
export class FolderImageStore implements ImageStore {
  /** Folders made already: one mkdir per month, not per image. */
  private readonly folders = new Set<string>();

  constructor(private readonly root: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const folder = dirname(path);
    if (!this.folders.has(folder)) {
      await Deno.mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    // Written in place: nobody can ask for a file before its record commits, which is after this
    // write, so no half-written file is ever served.
    await Deno.writeFile(path, bytes, { createNew: true });
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return await Deno.readFile(this.pathOf(key));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await Deno.remove(this.pathOf(key)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  private pathOf(key: string): string {
    if (!/^[a-z0-9/_.-]+$/i.test(key) || key.includes("..")) {
      throw new Error(`bad storage key ${key}`);
    }
    return join(this.root, key);
  }
}
