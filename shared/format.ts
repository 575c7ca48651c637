/** Human-readable sizes, speeds and times, and rate parsing; shared by the CLI and the UI. */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${UNITS[unit]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** `0:05`, `12:34`, `1:02:03`; `--:--` when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const MULTIPLIERS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/**
 * `16M`, `500K`, `1.5m`, `2G`, `1024`, with optional `B`, `iB` and `/s` → bytes (per second).
 * Units are binary, as in aria2 and curl. Throws with a clear message on anything else, and on a
 * fraction of a byte: rounded, it would be 0, which means no limit at all.
 */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?(?:\/s)?\s*$/i.exec(text);
  if (!match) {
    throw new Error(
      `invalid rate "${text}": use a number with an optional K, M, G or T, e.g. 500K or 16M`,
    );
  }
  const value = Number(match[1]) * MULTIPLIERS[match[2]!.toLowerCase()]!;
  if (!Number.isFinite(value) || value > 2 ** 40) throw new Error(`rate "${text}" is too large`);
  if (value > 0 && value < 1) {
    throw new Error(`rate "${text}" is below 1 B/s; use at least 1, or 0 for no limit`);
  }
  return Math.round(value);
}

/**
 * A rate as a field shows it for editing: `16M`, `1.5M`, `500K`, or bytes where no unit gives it
 * exactly, so that parseRate reads back the very same number (a rounded `1.18M` would change it).
 */
export function formatRate(bytesPerSecond: number): string {
  for (const unit of ['T', 'G', 'M', 'K']) {
    const multiplier = MULTIPLIERS[unit.toLowerCase()]!;
    const value = Number((bytesPerSecond / multiplier).toFixed(2));
    if (value >= 1 && Math.round(value * multiplier) === bytesPerSecond) return `${value}${unit}`;
  }
  return String(bytesPerSecond);
}

/**
 * `subject: message`, or the message alone where it names its subject already (a server's answer
 * names the link, which would otherwise be said twice).
 */
export function aboutSubject(subject: string, message: string): string {
  return message.includes(subject) ? message : `${subject}: ${message}`;
}
