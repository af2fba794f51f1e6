// The thread that makes FolderImageStore's file system calls (see services/image_store.ts for
// why). One request at a time, in arrival order.
import { dirname } from "node:path";
import type { FileReply, FileRequest } from "./image_store.ts";

/** Folders made already: one mkdir per folder, not per image. */
const folders = new Set<string>();

function serve(request: FileRequest): Uint8Array | null | undefined {
  switch (request.op) {
    case "put": {
      const folder = dirname(request.path);
      if (!folders.has(folder)) {
        Deno.mkdirSync(folder, { recursive: true });
        folders.add(folder);
      }
      // Written in place: nobody can ask for a file before its record commits, which is after
      // this write, so no half-written file is ever served.
      Deno.writeFileSync(request.path, request.bytes, { createNew: true });
      return undefined;
    }
    case "get":
      try {
        return Deno.readFileSync(request.path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    case "delete":
      try {
        Deno.removeSync(request.path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return undefined;
  }
}

self.onmessage = (event: MessageEvent<FileRequest>) => {
  const { id } = event.data;
  try {
    const bytes = serve(event.data);
    // Read bytes move over without a copy.
    self.postMessage({ id, bytes } satisfies FileReply, {
      transfer: bytes ? [bytes.buffer as ArrayBuffer] : [],
    });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    self.postMessage({ id, error: { name, message } } satisfies FileReply);
  }
};
