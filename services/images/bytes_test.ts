// An image is only what is whole: every complete PNG, JPEG and WebP sharp writes reads with its
// size; a header alone, any file cut short, or a chunk whose CRC is wrong does not.
import assert from "node:assert/strict";
import sharp from "sharp";
import { crc32 } from "node:zlib";
import { Buffer } from "node:buffer";
import { checkImage } from "./bytes.ts";

const base = () =>
  sharp({
    create: {
      width: 48,
      height: 32,
      channels: 4,
      background: { r: 200, g: 40, b: 90, alpha: 0.5 },
    },
  }).composite([{
    input: Buffer.from(
      '<svg width="48" height="32"><circle cx="20" cy="16" r="11" fill="#2a6"/></svg>',
    ),
  }]);

const kinds: [string, () => Promise<Buffer>][] = [
  ["PNG", () => base().png().toBuffer()],
  ["interlaced PNG", () => base().png({ progressive: true }).toBuffer()],
  ["JPEG", () => base().jpeg().toBuffer()],
  ["progressive JPEG", () => base().jpeg({ progressive: true }).toBuffer()],
  ["lossy WebP with alpha (VP8X)", () => base().webp({ quality: 80 }).toBuffer()],
  ["lossy WebP (VP8)", () => base().flatten().webp({ quality: 80 }).toBuffer()],
  ["lossless WebP (VP8L)", () => base().webp({ lossless: true }).toBuffer()],
  [
    "WebP with metadata",
    () => base().flatten().webp().withMetadata({ exif: { IFD0: { Copyright: "t" } } }).toBuffer(),
  ],
];

const formatOf = (name: string) =>
  name.includes("PNG") ? "png" : name.includes("JPEG") ? "jpeg" : "webp";

Deno.test("complete images read with their format and size", async () => {
  for (const [name, make] of kinds) {
    assert.deepEqual(
      checkImage(new Uint8Array(await make())),
      { format: formatOf(name), width: 48, height: 32 },
      name,
    );
  }
});

Deno.test("every image cut short is refused, wherever the cut falls", async () => {
  for (const [name, make] of kinds) {
    const bytes = new Uint8Array(await make());
    for (let length = 0; length < bytes.length; length += Math.max(1, bytes.length >> 6)) {
      assert.equal(checkImage(bytes.subarray(0, length)), null, `${name} cut to ${length}`);
    }
    assert.equal(checkImage(bytes.subarray(0, bytes.length - 1)), null, `${name} less one byte`);
  }
});

Deno.test("a PNG signature and IHDR alone (29 bytes), a 0x0 PNG, or a bad CRC is not an image", async () => {
  const png = new Uint8Array(await base().png().toBuffer());
  assert.equal(checkImage(png.subarray(0, 29)), null);
  assert.equal(checkImage(png.subarray(0, 33)), null, "with the IHDR's CRC, still no data");

  const empty = png.slice();
  const view = new DataView(empty.buffer);
  view.setUint32(16, 0);
  view.setUint32(20, 0);
  view.setUint32(29, crc32(empty.subarray(12, 29)));
  assert.equal(checkImage(empty), null, "0x0");

  const flipped = png.slice();
  flipped[png.length - 20] ^= 0x40;
  assert.equal(checkImage(flipped), null, "a flipped bit in the image data");
});

Deno.test("a WebP whose RIFF size is not its length, and text, are not images", async () => {
  const webp = new Uint8Array(await base().webp().toBuffer());
  const longer = new Uint8Array(webp.length + 2);
  longer.set(webp);
  assert.equal(checkImage(longer), null);
  assert.equal(checkImage(new TextEncoder().encode("this is not an image")), null);
  assert.equal(checkImage(new Uint8Array()), null);
});
