// Draws Braid's icons (three interlaced strands on a rounded blue square) as PNGs with no image
// library: `node scripts/make-icons.ts` writes build/icon.png (1024) and build/tray*.png.
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

type Pixel = [number, number, number, number];

export function encodePng(size: number, pixel: (x: number, y: number) => Pixel): Buffer {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Coverage (0–1) of the three strands at a point in unit coordinates. */
function strands(u: number, v: number): number {
  // Strands taper to points at both ends instead of being cut off.
  const taper = Math.min(1, Math.max(0, Math.min(v - 0.14, 0.86 - v) / 0.08));
  const half = 0.048 * taper;
  let best = 0;
  for (let k = 0; k < 3; k++) {
    const phase = (k * 2 * Math.PI) / 3;
    const x = 0.5 + 0.22 * Math.sin(v * 2 * Math.PI * 1.25 + phase);
    const distance = Math.abs(u - x);
    best = Math.max(best, Math.min(1, Math.max(0, (half - distance) * 80)));
  }
  return best;
}

function roundedSquare(u: number, v: number, radius: number): number {
  const dx = Math.max(Math.abs(u - 0.5) - (0.5 - radius), 0);
  const dy = Math.max(Math.abs(v - 0.5) - (0.5 - radius), 0);
  return Math.min(1, Math.max(0, (radius - Math.hypot(dx, dy)) * 200));
}

function appIcon(size: number) {
  return encodePng(size, (x, y) => {
    const u = x / size;
    const v = y / size;
    const inside = roundedSquare(u, v, 0.2);
    const line = strands(u, v);
    const bg: Pixel = [Math.round(59 + 50 * v), Math.round(108 + 40 * v), 246, 255];
    const mix = (a: number, b: number) => Math.round(a + (b - a) * line);
    return [mix(bg[0], 255), mix(bg[1], 255), mix(bg[2], 255), Math.round(255 * inside)];
  });
}

/**
 * Tray icons: strands only. Black for macOS templates (the OS recolours them); elsewhere white for
 * dark taskbars and near-black for light ones (electron/main/tray-icon.ts picks).
 */
function trayIcon(size: number, shade: number) {
  return encodePng(size, (x, y) => [
    shade,
    shade,
    shade,
    Math.round(255 * strands(x / size, y / size)),
  ]);
}

if (import.meta.main) {
  const out = new URL('../build/', import.meta.url).pathname;
  writeFileSync(`${out}icon.png`, appIcon(1024));
  writeFileSync(`${out}tray-white.png`, trayIcon(32, 255));
  writeFileSync(`${out}tray-black.png`, trayIcon(32, 0x1f));
  writeFileSync(`${out}trayTemplate.png`, trayIcon(22, 0));
  writeFileSync(`${out}trayTemplate@2x.png`, trayIcon(44, 0));
}
