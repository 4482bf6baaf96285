// The DevTools extension's icons (16, 48 and 128 px PNG, what the Chrome Web Store asks for),
// drawn here and written by pngjs: a cookie (a disc with chips) behind a keyhole, on transparency.
//   node scripts/extension-icons.mjs OUT_DIR
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";

const out = process.argv[2];
if (!out) throw new Error("usage: extension-icons.mjs OUT_DIR");
mkdirSync(out, { recursive: true });

const DOUGH = [199, 137, 62];
const CHIP = [92, 52, 22];
const KEYHOLE = [40, 40, 48];

/** The colour of the point (x, y) of the unit square, or null for transparent. */
function colour(x, y) {
  const dx = x - 0.5;
  const dy = y - 0.5;
  if (dx * dx + dy * dy > 0.47 * 0.47) return null;
  // The keyhole: a circle and a trapezoid below it.
  const kx = x - 0.5;
  if ((kx * kx + (y - 0.42) ** 2 < 0.1 ** 2) || (y >= 0.42 && y <= 0.72 && Math.abs(kx) < 0.04 + (y - 0.42) * 0.12)) return KEYHOLE;
  for (const [cx, cy] of [[0.28, 0.3], [0.72, 0.32], [0.25, 0.66], [0.74, 0.7], [0.5, 0.85]]) {
    if ((x - cx) ** 2 + (y - cy) ** 2 < 0.055 ** 2) return CHIP;
  }
  return DOUGH;
}

for (const size of [16, 48, 128]) {
  const png = new PNG({ width: size, height: size });
  // 4x4 samples per pixel, for smooth edges.
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const c = colour((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size);
          if (c) {
            r += c[0];
            g += c[1];
            b += c[2];
            a++;
          }
        }
      }
      const i = (py * size + px) * 4;
      png.data[i] = a ? Math.round(r / a) : 0;
      png.data[i + 1] = a ? Math.round(g / a) : 0;
      png.data[i + 2] = a ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round((a / 16) * 255);
    }
  }
  writeFileSync(join(out, `icon-${size}.png`), PNG.sync.write(png));
}
