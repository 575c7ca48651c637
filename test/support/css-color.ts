/** Colours as Chromium computes them, and the WCAG 2 contrast between two. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Reads `rgb()`/`rgba()` and `color(srgb …)` (what color-mix() computes to); anything else throws. */
export function parseCssColor(css: string): Rgba {
  const rgb = /^rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)$/.exec(css);
  if (rgb) {
    const [r, g, b, a] = rgb.slice(1).map((v) => (v === undefined ? 1 : Number(v)));
    return { r: r!, g: g!, b: b!, a: a! };
  }
  const srgb = /^color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: \/ ([\d.]+))?\)$/.exec(css);
  if (srgb) {
    const [r, g, b] = srgb.slice(1, 4).map((v) => Number(v) * 255);
    return { r: r!, g: g!, b: b!, a: srgb[4] === undefined ? 1 : Number(srgb[4]) };
  }
  throw new Error(`a colour this reader does not know: ${css}`);
}

/** `layers` from the top one down, each painted over the ones below it (white under them all). */
export function composite(layers: readonly Rgba[]): Rgba {
  let out: Rgba = { r: 255, g: 255, b: 255, a: 1 };
  for (const layer of [...layers].reverse()) {
    const mix = (top: number, below: number) => top * layer.a + below * (1 - layer.a);
    out = { r: mix(layer.r, out.r), g: mix(layer.g, out.g), b: mix(layer.b, out.b), a: 1 };
  }
  return out;
}

/** WCAG 2 contrast ratio, 1 to 21; AA asks 4.5 for normal-size text. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function luminance({ r, g, b }: Rgba): number {
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}
