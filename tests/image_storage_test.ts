// Images are ours to keep: their bytes, appended to pack files under DATA_DIR, come back exactly.
import assert from "node:assert/strict";
import { join } from "node:path";
import { PackImageStore } from "../services/images/store.ts";

const bytesOf = (length: number, seed: number) =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 256);

Deno.test("stored bytes come back exactly, from packs that roll over at their size limit", async () => {
  const root = await Deno.makeTempDir({ prefix: "tokensmart-packs-" });
  const store = new PackImageStore(root, 10_000);
  try {
    const images = Array.from({ length: 12 }, (_, i) => bytesOf(1_500 + i * 700, i));
    const keys = [];
    for (const [i, bytes] of images.entries()) keys.push(await store.put(`img_${i}.png`, bytes));
    for (const [i, key] of keys.entries()) assert.deepEqual(await store.get(key), images[i]);

    const packs = new Set(keys.map((key) => key.split(":")[1]));
    assert.ok(packs.size > 1, "a full pack is closed and a new one started");
    for (const pack of packs) {
      assert.ok((await Deno.stat(join(root, "packs", pack))).size <= 10_000);
    }
    // A store that restarts (a new process) appends to a pack of its own; old keys still read.
    store.close();
    const again = new PackImageStore(root, 10_000);
    const later = await again.put("img_later.png", bytesOf(3_000, 99));
    assert.ok(!packs.has(later.split(":")[1]));
    assert.deepEqual(await again.get(keys[0]), images[0]);
    assert.deepEqual(await again.get(later), bytesOf(3_000, 99));
    again.close();
  } finally {
    store.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("keys of single image files (stored before packs) still read; unknown keys read as null", async () => {
  const root = await Deno.makeTempDir({ prefix: "tokensmart-packs-" });
  const store = new PackImageStore(root);
  try {
    await Deno.mkdir(join(root, "2026/11/ab"), { recursive: true });
    await Deno.writeFile(join(root, "2026/11/ab/img_old.png"), bytesOf(100, 1));
    assert.deepEqual(await store.get("2026/11/ab/img_old.png"), bytesOf(100, 1));
    await store.delete("2026/11/ab/img_old.png");
    assert.equal(await store.get("2026/11/ab/img_old.png"), null);

    const key = await store.put("img_new.png", bytesOf(10, 2));
    const [, pack, offset] = key.split(":");
    assert.equal(await store.get(`pack:${pack}:${offset}:11`), null, "past the end of the pack");
    assert.equal(await store.get("pack:2026-11/0000.pack:0:10"), null, "no such pack");
    await assert.rejects(store.get("../../etc/passwd"), /bad storage key/);
  } finally {
    store.close();
    await Deno.remove(root, { recursive: true });
  }
});
