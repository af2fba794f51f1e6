// The built-in offline "demo upstream" image painter. With no real image provider, the demo channel
// still answers image requests with real pictures, so the whole product (billing, storage, the
// gallery, the benchmark) can be tried end to end: a landscape (sky, sun or moon, stars, clouds,
// birds, mountains, hills, trees) whose palette and layout come from a SHA-256 of the prompt and
// the image's index. The same prompt always gets the same images, and each of the n images differs.
//
// The scene is written as SVG and sharp (libvips: librsvg draws, libpng/mozjpeg/libwebp encode)
// turns it into the image, off the main thread. sharp rather than @napi-rs/canvas: Skia's PNG
// encoder there has no speed setting and takes 80-160 ms to encode one 1024² landscape, where
// drawing and encoding here take about 30 ms together, and the benchmark calls this at high rates.
import sharp from "sharp";
import { sha256 } from "../../platform/sha256.ts";

export type ImageFormat = "png" | "jpeg" | "webp";

export interface PaintRequest {
  prompt: string;
  width: number; // 16..3840, multiples of 16 in practice
  height: number;
  format: ImageFormat;
  background: "transparent" | "opaque"; // transparent only with png/webp
  compression: number; // 0-100, for jpeg/webp quality; png ignores
  n: number; // 1..10
}

/** n distinct images of exactly width×height in the format, deterministic for (prompt, size, format, background, index). */
export async function paint(req: PaintRequest): Promise<Uint8Array[]> {
  for (const [name, value] of [["width", req.width], ["height", req.height]] as const) {
    if (!Number.isInteger(value) || value < 16 || value > 3840) {
      throw new RangeError(`${name} must be an integer from 16 to 3840, got ${value}`);
    }
  }
  if (!Number.isInteger(req.n) || req.n < 1 || req.n > 10) {
    throw new RangeError(`n must be an integer from 1 to 10, got ${req.n}`);
  }
  return await Promise.all(Array.from({ length: req.n }, (_, index) => paintCached(req, index)));
}

// A benchmark repeats prompts, and one 1024² image costs tens of milliseconds: keeping the most
// recent encodings (bounded in bytes) makes repeats nearly free. Callers get copies, so nothing
// they do to the bytes can reach a later answer.
const CACHE_BUDGET_BYTES = 32 * 1024 * 1024;
const cache = new Map<string, Uint8Array>();
let cachedBytes = 0;

/** Forgets every cached image: for tests that must see a fresh paint, and for memory pressure. */
export function clearPaintCache(): void {
  cache.clear();
  cachedBytes = 0;
}

async function paintCached(req: PaintRequest, index: number): Promise<Uint8Array> {
  // The encoders take 1-100; a compression of 0 is the lowest quality they have.
  const quality = Math.max(1, Math.min(100, Math.round(req.compression)));
  const key = JSON.stringify([
    req.prompt,
    req.width,
    req.height,
    req.format,
    req.background,
    req.format === "png" ? 0 : quality,
    index,
  ]);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // re-inserting moves it to the young end of the Map's order
    cache.set(key, hit);
    return hit.slice();
  }
  const bytes = await paintOne(req, index, quality);
  if (bytes.byteLength <= CACHE_BUDGET_BYTES / 8 && !cache.has(key)) {
    cache.set(key, bytes);
    cachedBytes += bytes.byteLength;
    for (const [oldKey, old] of cache) {
      if (cachedBytes <= CACHE_BUDGET_BYTES) break;
      cache.delete(oldKey);
      cachedBytes -= old.byteLength;
    }
  }
  return bytes.slice();
}

async function paintOne(req: PaintRequest, index: number, quality: number): Promise<Uint8Array> {
  const random = seededRandom(`${index}\n${req.prompt}`);
  // JPEG has no alpha channel: a "transparent" JPEG would come out black, so it gets its sky.
  const transparent = req.background === "transparent" && req.format !== "jpeg";
  // Only numbers from the seeded PRNG reach the SVG, never the prompt's text: nothing to escape.
  const svg = landscape(req.width, req.height, random, transparent);
  let image = sharp(new TextEncoder().encode(svg));
  if (!transparent) image = image.removeAlpha();
  const encoded = await (
    req.format === "png"
      // Level 3 without adaptive filtering: a third of the time of the defaults (6, adaptive)
      // for files about 10% larger.
      ? image.png({ compressionLevel: 3, adaptiveFiltering: false })
      : req.format === "jpeg"
      ? image.jpeg({ quality })
      // The least effort (0 of 0-6): libwebp's default (4) alone takes longer than drawing and
      // PNG together, and the files are hardly smaller.
      : image.webp({ quality, effort: 0 })
  ).toBuffer();
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

// ---- Randomness: a hash of the prompt seeds a small, fast PRNG (sfc32). ----

interface Random {
  (): number;
  range(low: number, high: number): number;
  int(low: number, high: number): number; // inclusive
  chance(probability: number): boolean;
}

function seededRandom(seed: string): Random {
  const digest = new Uint32Array(sha256(seed).buffer);
  let [a, b, c, d] = digest;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // sfc32's first outputs are poorly mixed
  return Object.assign(next, {
    range: (low: number, high: number) => low + next() * (high - low),
    int: (low: number, high: number) => low + Math.floor(next() * (high - low + 1)),
    chance: (probability: number) => next() < probability,
  });
}

// ---- The scene. Sizes are fractions of the canvas, so one prompt looks alike at every size. ----

type Mood = "day" | "dusk" | "night";
type Point = [number, number];

const hsl = (h: number, s: number, l: number) =>
  `hsl(${(((h % 360) + 360) % 360).toFixed(1)},${s.toFixed(1)}%,${l.toFixed(1)}%)`;
/** A colour as SVG attributes, its alpha in an attribute of its own (librsvg's safest). */
const hslAttrs = (kind: "fill" | "stroke", h: number, s: number, l: number, a = 1) =>
  `${kind}="${hsl(h, s, l)}"` + (a < 1 ? ` ${kind}-opacity="${a.toFixed(3)}"` : "");
const fill = (h: number, s: number, l: number, a = 1) => hslAttrs("fill", h, s, l, a);
const stop = (offset: number, h: number, s: number, l: number, a = 1) =>
  `<stop offset="${offset}" stop-color="${hsl(h, s, l)}" stop-opacity="${a}"/>`;
const num = (x: number) => (Math.round(x * 10) / 10).toString();
const polyline = (points: Point[]) =>
  points.map(([x, y], i) => `${i ? "L" : "M"}${num(x)} ${num(y)}`).join("");
/** A full circle (or ellipse) as path data, so several can share one path and one fill. */
const ellipseData = (x: number, y: number, rx: number, ry = rx) =>
  `M${num(x - rx)} ${num(y)}a${num(rx)} ${num(ry)} 0 1 0 ${num(rx * 2)} 0a${num(rx)} ${
    num(ry)
  } 0 1 0 ${num(-rx * 2)} 0Z`;

function landscape(w: number, h: number, random: Random, transparent: boolean): string {
  const s = Math.min(w, h);
  const mood: Mood = (["day", "day", "dusk", "night"] as const)[random.int(0, 3)];
  const skyHue = mood === "day"
    ? random.range(185, 235)
    : mood === "dusk"
    ? random.range(250, 300)
    : random.range(210, 260);
  const landHue = random.range(0, 360);
  const horizon = h * random.range(0.5, 0.65);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
  ];

  if (!transparent) {
    const stops = mood === "day"
      ? [stop(0, skyHue, 70, 42), stop(0.6, skyHue + 10, 70, 68), stop(1, skyHue + 20, 60, 88)]
      : mood === "dusk"
      ? [
        stop(0, skyHue, 45, 20),
        stop(0.55, skyHue + 50, 55, 50),
        stop(1, random.range(15, 40), 90, 65),
      ]
      : [stop(0, skyHue, 60, 5), stop(1, skyHue + 15, 45, 22)];
    out.push(
      `<linearGradient id="sky" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="0" y2="${
        num(horizon * 1.2)
      }">${stops.join("")}</linearGradient>`,
      `<rect width="${w}" height="${h}" fill="url(#sky)"/>`,
    );
  }
  if (mood !== "day") stars(out, w, h, horizon, random, mood === "night" ? 1 : 0.15);
  sunOrMoon(out, w, h, s, horizon, mood, random, transparent);
  if (mood !== "night") {
    for (let i = random.int(1, 4); i > 0; i--) cloud(out, w, h, s, mood, skyHue, random);
    if (random.chance(0.5)) birds(out, w, h, s, horizon, random);
  }
  mountains(out, w, h, horizon, mood, landHue, random);
  const ridge = hills(out, w, h, horizon, mood, landHue, random);
  if (random.chance(0.75)) trees(out, w, s, ridge, mood, landHue, random);
  demoLabel(out, w, h, s);
  out.push("</svg>");
  return out.join("");
}

// Stars and everything else in the sky keep clear of the edges, so a transparent image's corners
// stay fully transparent.
function stars(
  out: string[],
  w: number,
  h: number,
  horizon: number,
  random: Random,
  density: number,
): void {
  const count = Math.min(1500, Math.round(random.range(80, 180) * density * (w * h) / (1 << 20)));
  const s = Math.min(w, h);
  const margin = (side: number) => Math.max(0.02 * side, 2);
  for (let i = 0; i < count; i++) {
    const x = random.range(margin(w), w - margin(w));
    const y = random.range(margin(h), horizon * 0.9);
    const r = Math.max(0.6, s * random.range(0.0008, 0.0024));
    const color = fill(random.range(40, 220), 80, 92, random.range(0.35, 1));
    out.push(`<circle cx="${num(x)}" cy="${num(y)}" r="${num(r)}" ${color}/>`);
  }
}

function sunOrMoon(
  out: string[],
  w: number,
  h: number,
  s: number,
  horizon: number,
  mood: Mood,
  random: Random,
  transparent: boolean,
): void {
  const x = w * random.range(0.18, 0.82);
  const y = mood === "dusk" ? horizon - h * random.range(0.02, 0.12) : h * random.range(0.14, 0.36);
  const r = s * random.range(0.05, 0.09);
  const [hue, sat, light] = mood === "day"
    ? [50, 100, 88]
    : mood === "dusk"
    ? [28, 100, 66]
    : [50, 35, 90];
  // Halo rings rather than a radial gradient: the flat design suits the scene, and librsvg draws a
  // radial gradient this size slowly (a third of a 1024² image's whole time). None in a
  // transparent image, whose corners they could tint.
  if (!transparent) {
    const alpha = mood === "night" ? 0.06 : 0.1;
    for (const ring of [3.2, 2.4, 1.8, 1.35]) {
      out.push(
        `<circle cx="${num(x)}" cy="${num(y)}" r="${num(r * ring)}" ${
          fill(hue, sat, light, alpha)
        }/>`,
      );
    }
  }
  if (mood === "night" && random.chance(0.6)) {
    // A crescent: the lit half-disc's rim, back along a half-ellipse terminator on the same side.
    const tilt = random.range(-35, 35) + (random.chance(0.5) ? 180 : 0);
    const bulge = r * random.range(0.2, 0.6);
    out.push(
      `<path transform="translate(${num(x)} ${num(y)}) rotate(${num(tilt)})" d="M0 ${num(r)}A${
        num(r)
      } ${num(r)} 0 0 1 0 ${num(-r)}A${num(bulge)} ${num(r)} 0 0 0 0 ${num(r)}Z" ${
        fill(hue, sat, light)
      }/>`,
    );
  } else {
    out.push(`<circle cx="${num(x)}" cy="${num(y)}" r="${num(r)}" ${fill(hue, sat, light)}/>`);
  }
}

function cloud(
  out: string[],
  w: number,
  h: number,
  s: number,
  mood: Mood,
  skyHue: number,
  random: Random,
): void {
  const x = w * random.range(0.1, 0.9);
  const y = h * random.range(0.16, 0.38);
  const size = s * random.range(0.03, 0.06);
  const puffs = random.int(4, 7);
  // One path for all the puffs: filled once, their overlaps don't show as darker patches.
  let d = "";
  for (let i = 0; i < puffs; i++) {
    const t = i / (puffs - 1);
    const r = size * (0.6 + Math.sin(t * Math.PI) * random.range(0.5, 0.9));
    d += ellipseData(x + (t - 0.5) * size * puffs * 0.9, y - r * 0.4, r);
  }
  const color = mood === "day" ? fill(0, 0, 100, 0.82) : fill(skyHue + 80, 70, 78, 0.7);
  out.push(`<path d="${d}" ${color}/>`);
}

function birds(
  out: string[],
  w: number,
  h: number,
  s: number,
  horizon: number,
  random: Random,
): void {
  const x0 = w * random.range(0.2, 0.7);
  const y0 = random.range(h * 0.2, horizon * 0.8);
  let d = "";
  for (let i = random.int(3, 6); i > 0; i--) {
    const x = x0 + random.range(0, 0.15) * w;
    const y = y0 + random.range(-0.04, 0.04) * h;
    const span = s * random.range(0.008, 0.016);
    d += `M${num(x - span)} ${num(y - span * 0.3)}Q${num(x - span * 0.4)} ${num(y - span * 0.6)} ${
      num(x)
    } ${num(y)}Q${num(x + span * 0.4)} ${num(y - span * 0.6)} ${num(x + span)} ${
      num(y - span * 0.3)
    }`;
  }
  out.push(
    `<path d="${d}" fill="none" ${hslAttrs("stroke", 0, 0, 12, 0.6)} stroke-width="${
      num(Math.max(1, s * 0.003))
    }" stroke-linecap="round"/>`,
  );
}

function mountains(
  out: string[],
  w: number,
  h: number,
  horizon: number,
  mood: Mood,
  landHue: number,
  random: Random,
): void {
  // Valley, peak, valley, peak, …, valley: the peaks are the odd points.
  const peaks = random.int(4, 8);
  const points: Point[] = [[-0.05 * w, horizon]];
  for (let i = 0; i < peaks; i++) {
    points.push([
      ((i + random.range(0.3, 0.7)) / peaks) * w,
      horizon - h * random.range(0.08, 0.26),
    ]);
    points.push([((i + 1) / peaks) * w, horizon - h * random.range(0, 0.06)]);
  }
  const light = { day: 62, dusk: 38, night: 16 }[mood];
  const top = Math.min(...points.map(([, y]) => y));
  // Far away, so hazy: bluish and pale, whatever the land's own hue. Filled down to the bottom
  // edge, so no strip of sky shows under the nearest hills' lowest dips.
  out.push(
    `<linearGradient id="mountains" gradientUnits="userSpaceOnUse" x1="0" y1="${
      num(top)
    }" x2="0" y2="${num(horizon + h * 0.05)}">${stop(0, 220, 15, light + 8)}${
      stop(1, 200 + landHue * 0.2, 20, light - 8)
    }</linearGradient>`,
    `<path d="${polyline([...points, [1.05 * w, h], [-0.05 * w, h]])}Z" fill="url(#mountains)"/>`,
  );

  // Snow caps on the tall peaks: the top of each peak's triangle, with a ragged lower edge.
  let caps = "";
  for (let i = 1; i < points.length - 1; i += 2) {
    const [px, py] = points[i];
    if (horizon - py < h * 0.17) continue;
    const [lx, ly] = points[i - 1];
    const [rx, ry] = points[i + 1];
    const t = 0.28;
    caps += polyline([
      [px, py],
      [px + (rx - px) * t, py + (ry - py) * t],
      [px + (rx - px) * t * 0.4, py + (ry - py) * t * 1.1],
      [px + (lx - px) * t * 0.15, py + (ly - py) * t * 0.75],
      [px + (lx - px) * t, py + (ly - py) * t],
    ]) + "Z";
  }
  if (caps) out.push(`<path d="${caps}" ${fill(210, 30, mood === "night" ? 40 : 96, 0.9)}/>`);
}

/** Rolling hills, back to front; returns the front ridge's height at x, for the trees. */
function hills(
  out: string[],
  w: number,
  h: number,
  horizon: number,
  mood: Mood,
  landHue: number,
  random: Random,
): (x: number) => number {
  const lightness = { day: [48, 38, 28], dusk: [30, 22, 14], night: [14, 10, 6] }[mood];
  const saturation = mood === "night" ? 25 : random.range(35, 60);
  let ridge = (_x: number) => h;
  for (let layer = 0; layer < 3; layer++) {
    const base = horizon + (h - horizon) * [0.12, 0.42, 0.72][layer];
    const amplitude = (h - horizon) * random.range(0.06, 0.14);
    const waves = [1, 2, 3].map((k) => ({
      cycles: random.range(k * 0.6, k * 1.6) * Math.PI * 2,
      phase: random.range(0, Math.PI * 2),
      weight: 1 / k,
    }));
    ridge = (x: number) =>
      base -
      amplitude *
        waves.reduce((sum, v) => sum + v.weight * Math.sin(v.phase + (v.cycles * x) / w), 0);
    const hue = landHue + layer * random.range(-12, 12);
    const points: Point[] = [[0, h]];
    const step = Math.max(4, w / 160);
    for (let x = 0; x <= w + step; x += step) points.push([x, ridge(x)]);
    points.push([w + step, h]);
    out.push(
      `<linearGradient id="hill${layer}" gradientUnits="userSpaceOnUse" x1="0" y1="${
        num(base - amplitude * 2)
      }" x2="0" y2="${h}">${stop(0, hue, saturation, lightness[layer] + 6)}${
        stop(1, hue, saturation, lightness[layer] - 6)
      }</linearGradient>`,
      `<path d="${polyline(points)}Z" fill="url(#hill${layer})"/>`,
    );
  }
  return ridge;
}

function trees(
  out: string[],
  w: number,
  s: number,
  ridge: (x: number) => number,
  mood: Mood,
  landHue: number,
  random: Random,
): void {
  const pines = random.chance(0.6);
  const dark = { day: 20, dusk: 11, night: 4 }[mood];
  const count = random.int(4, 14);
  for (let i = 0; i < count; i++) {
    const x = random.range(0.03, 0.97) * w;
    const size = s * random.range(0.035, 0.08);
    const ground = ridge(x) + size * 0.15;
    out.push(
      `<rect x="${num(x - size * 0.05)}" y="${num(ground - size * 0.3)}" width="${
        num(size * 0.1)
      }" height="${num(size * 0.3)}" ${fill(25, 35, dark)}/>`,
    );
    let crown = "";
    if (pines) {
      for (let tier = 0; tier < 3; tier++) {
        const bottom = ground - size * (0.2 + tier * 0.25);
        const half = size * (0.32 - tier * 0.07);
        crown += polyline([[x - half, bottom], [x, bottom - size * 0.45], [x + half, bottom]]) +
          "Z";
      }
    } else {
      crown = ellipseData(x, ground - size * 0.6, size * 0.32);
    }
    out.push(
      `<path d="${crown}" ${
        fill(landHue + random.range(-20, 20), 45, dark + random.range(0, 8))
      }/>`,
    );
  }
}

// "DEMO" in stroked lines rather than text, so it needs no font and looks the same everywhere.
function demoLabel(out: string[], w: number, h: number, s: number): void {
  const size = Math.max(8, s * 0.032);
  const letter = size * 0.62;
  const gap = size * 0.28;
  const top = h - size * 1.6;
  const bottom = top + size;
  const middle = top + size / 2;
  const [d, e, m, o] = [3, 2, 1, 0].map((i) => w - size * 0.6 - letter - i * (letter + gap));
  const path = [
    polyline([[d + letter * 0.4, top], [d, top], [d, bottom], [d + letter * 0.4, bottom]]),
    `C${num(d + letter)} ${num(bottom)} ${num(d + letter)} ${num(top)} ${num(d + letter * 0.4)} ${
      num(top)
    }`,
    polyline([[e + letter, top], [e, top], [e, bottom], [e + letter, bottom]]),
    polyline([[e, middle], [e + letter * 0.8, middle]]),
    polyline([[m, bottom], [m, top], [m + letter / 2, top + size * 0.6], [m + letter, top], [
      m + letter,
      bottom,
    ]]),
    ellipseData(o + letter / 2, middle, letter / 2, size / 2),
  ].join("");
  // A soft dark outline under the white keeps the label readable on a pale sky or snow.
  for (const [lightness, alpha, width] of [[0, 0.35, 0.3], [100, 0.85, 0.13]]) {
    out.push(
      `<path d="${path}" fill="none" ${hslAttrs("stroke", 0, 0, lightness, alpha)} stroke-width="${
        num(size * width)
      }" stroke-linecap="round" stroke-linejoin="round"/>`,
    );
  }
}
