// The offline demo upstream's painter and policy: the images are what the request asked for
// (format, exact size, transparency), the same prompt always paints the same images, and the
// policy refuses whole words only. No database needed.
import assert from "node:assert/strict";
import sharp from "sharp";
import {
  clearPaintCache,
  type ImageFormat,
  paint,
  type PaintRequest,
} from "../services/upstreams/demo/painter.ts";
import { BLOCKED_TERMS, demoPolicyViolation } from "../services/upstreams/demo/policy.ts";

const request = (overrides: Partial<PaintRequest> = {}): PaintRequest => ({
  prompt: "a lighthouse on a cliff at sunset",
  width: 1024,
  height: 1024,
  format: "png",
  background: "opaque",
  compression: 90,
  n: 1,
  ...overrides,
});

// Tiny header readers, independent of the library that wrote the images.

const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32be = (b: Uint8Array, at: number) =>
  ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const u24le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
const ascii = (b: Uint8Array, at: number, length: number) =>
  String.fromCharCode(...b.subarray(at, at + length));

function pngSize(b: Uint8Array): [number, number] {
  assert.deepEqual(
    [...b.subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    "PNG signature",
  );
  assert.equal(ascii(b, 12, 4), "IHDR");
  return [u32be(b, 16), u32be(b, 20)];
}

function jpegSize(b: Uint8Array): [number, number] {
  assert.equal(u16be(b, 0), 0xffd8, "JPEG SOI");
  for (let at = 2; at + 9 < b.length;) {
    assert.equal(b[at], 0xff, `JPEG marker at ${at}`);
    const marker = b[at + 1];
    // SOF0..SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return [u16be(b, at + 7), u16be(b, at + 5)];
    }
    at += 2 + u16be(b, at + 2);
  }
  throw new Error("JPEG without a SOF marker");
}

function webpSize(b: Uint8Array): [number, number] {
  assert.equal(ascii(b, 0, 4), "RIFF");
  assert.equal(ascii(b, 8, 4), "WEBP");
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8X") return [u24le(b, 24) + 1, u24le(b, 27) + 1];
  if (chunk === "VP8L") {
    assert.equal(b[20], 0x2f, "VP8L signature");
    const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  assert.equal(chunk, "VP8 ");
  assert.deepEqual([...b.subarray(23, 26)], [0x9d, 0x01, 0x2a], "VP8 start code");
  return [(b[26] | (b[27] << 8)) & 0x3fff, (b[28] | (b[29] << 8)) & 0x3fff];
}

const sizeOf: Record<ImageFormat, (b: Uint8Array) => [number, number]> = {
  png: pngSize,
  jpeg: jpegSize,
  webp: webpSize,
};

/** Decoded RGBA pixels, whatever channels the file has. */
async function pixels(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({
    resolveWithObject: true,
  });
  const at = (
    x: number,
    y: number,
  ) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)];
  return { data, info, at };
}

Deno.test("each format comes out at exactly the size asked for", async () => {
  const sizes: [number, number][] = [[1024, 1024], [1536, 1024], [1024, 1536], [16, 16], [
    3840,
    2160,
  ]];
  for (const format of ["png", "jpeg", "webp"] as const) {
    for (const [width, height] of sizes) {
      const [image] = await paint(request({ format, width, height }));
      assert.deepEqual(sizeOf[format](image), [width, height], `${format} ${width}x${height}`);
    }
  }
});

Deno.test("the transparent background is see-through; the opaque one is not", async () => {
  for (const format of ["png", "webp"] as const) {
    const [clear] = await paint(request({ format, background: "transparent" }));
    const decoded = await pixels(clear);
    assert.equal(decoded.at(0, 0)[3], 0, `${format} top-left corner`);
    assert.equal(decoded.at(1023, 0)[3], 0, `${format} top-right corner`);
    // The landscape itself is still painted: the bottom-left is ground.
    assert.equal(decoded.at(0, 1023)[3], 255, `${format} bottom-left corner`);
  }
  const [opaque] = await paint(request({ format: "png" }));
  assert.equal((await pixels(opaque)).at(0, 0)[3], 255);
  // A JPEG can't be transparent: it gets its sky rather than black.
  const [jpeg] = await paint(request({ format: "jpeg", background: "transparent" }));
  assert.notDeepEqual((await pixels(jpeg)).at(0, 0).slice(0, 3), [0, 0, 0]);
});

Deno.test("the picture is a picture, not a flat colour", async () => {
  const [image] = await paint(request({ width: 256, height: 256 }));
  const { data } = await pixels(image);
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  assert.ok(colours.size > 200, `only ${colours.size} colours`);
});

Deno.test("the same prompt paints the same bytes, even with nothing cached", async () => {
  for (const format of ["png", "jpeg", "webp"] as const) {
    clearPaintCache();
    const first = await paint(request({ format, n: 2 }));
    clearPaintCache();
    const again = await paint(request({ format, n: 2 }));
    assert.deepEqual(again, first, format);
  }
  // An image depends on its index, not on how many were asked for with it.
  clearPaintCache();
  const three = await paint(request({ n: 3 }));
  clearPaintCache();
  const [one] = await paint(request({ n: 1 }));
  assert.deepEqual(one, three[0]);
});

Deno.test("the n images of one request all differ, and other prompts paint other images", async () => {
  const images = await paint(request({ n: 4, width: 512, height: 512 }));
  assert.equal(images.length, 4);
  const distinct = new Set(images.map((image) => image.join(",")));
  assert.equal(distinct.size, 4);

  const [other] = await paint(
    request({ prompt: "a lighthouse on a cliff at dawn", width: 512, height: 512 }),
  );
  assert.ok(!distinct.has(other.join(",")));
});

Deno.test("compression sets the JPEG and WebP quality", async () => {
  for (const format of ["jpeg", "webp"] as const) {
    const [low] = await paint(request({ format, compression: 10 }));
    const [high] = await paint(request({ format, compression: 95 }));
    assert.ok(low.length < high.length, `${format}: ${low.length} vs ${high.length}`);
  }
});

Deno.test("a caller changing its bytes does not change the next answer", async () => {
  const [first] = await paint(request());
  const copy = first.slice();
  first.fill(0);
  const [second] = await paint(request());
  assert.deepEqual(second, copy);
});

Deno.test("sizes and counts out of range are refused", async () => {
  for (const bad of [{ width: 8 }, { height: 4096 }, { width: 100.5 }, { n: 0 }, { n: 11 }]) {
    await assert.rejects(paint(request(bad)), RangeError, JSON.stringify(bad));
  }
});

Deno.test("the demo policy matches whole words, any case, and reports categories", () => {
  assert.equal(demoPolicyViolation("a lighthouse on a cliff at sunset"), null);
  assert.deepEqual(demoPolicyViolation("please draw the forbidden-test-word"), ["violence"]);
  assert.deepEqual(demoPolicyViolation("FORBIDDEN-TEST-WORD!"), ["violence"]);
  assert.deepEqual(demoPolicyViolation("Nude figure, lots of gore."), [
    "sexual",
    "violence/graphic",
  ]);
  assert.deepEqual(demoPolicyViolation("a scene of (beheading)"), ["violence/graphic"]);
  assert.deepEqual(demoPolicyViolation("thoughts of self-harm"), ["self-harm"]);
  // Inside other words, or joined to them, it is not the word.
  for (
    const clean of [
      "gorgeous gorilla",
      "a denuded hillside",
      "a Gore-Tex jacket",
      "pornography-free zone",
      "forbidden test word",
      "not-forbidden-test-word",
    ]
  ) {
    assert.equal(demoPolicyViolation(clean), null, clean);
  }
  // Every listed term is refused as written.
  for (const { term, category } of BLOCKED_TERMS) {
    assert.deepEqual(demoPolicyViolation(`a picture of ${term} here`), [category], term);
  }
});
