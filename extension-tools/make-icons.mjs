// Draws the toolbar/store icons (a policy page with clause lines on a blue tile) and writes
// extension/icons/icon-{16,32,48,128}.png. No image library: a tiny rasteriser with 4x4
// supersampling and a PNG encoder on node:zlib. Run: node extension-tools/make-icons.mjs
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const SIZES = [16, 32, 48, 128];
const SS = 4;

// Shapes in a 0..1 square, painted in order.
const TILE = [26, 95, 180]; // #1a5fb4
const PAGE = [255, 255, 255];
const LINE = [27, 42, 74];
const ALERT = [197, 34, 31]; // #c5221f

function roundRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

function colourAt(x, y) {
  if ((x - 0.76) ** 2 + (y - 0.24) ** 2 <= 0.15 ** 2) return ALERT;
  if (roundRect(x, y, 0.26, 0.16, 0.74, 0.86, 0.04)) {
    for (const [ly, lx1] of [[0.36, 0.64], [0.5, 0.64], [0.64, 0.52]]) {
      if (y >= ly - 0.035 && y <= ly + 0.035 && x >= 0.34 && x <= lx1) return LINE;
    }
    return PAGE;
  }
  if (roundRect(x, y, 0, 0, 1, 1, 0.2)) return TILE;
  return null;
}

function render(size) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const c = colourAt((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size);
          if (c) { r += c[0]; g += c[1]; b += c[2]; a += 1; }
        }
      }
      const i = (py * size + px) * 4;
      if (a) { rgba[i] = r / a; rgba[i + 1] = g / a; rgba[i + 2] = b / a; }
      rgba[i + 3] = Math.round((255 * a) / (SS * SS));
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

for (const size of SIZES) {
  const out = new URL(`../extension/icons/icon-${size}.png`, import.meta.url);
  writeFileSync(out, png(size, render(size)));
  console.log(`wrote ${out.pathname}`);
}
