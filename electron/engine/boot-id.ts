import { readFile } from 'node:fs/promises';
import { uptime } from 'node:os';

/**
 * A name for the running OS kernel that changes on every boot, or null where the OS gives none
 * (only Linux does). Bytes the OS holds survive a crash of our process, not of the OS: a record
 * made in the current boot can trust them without an fsync.
 */
export async function readBootId(): Promise<string | null> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/**
 * When the OS started, from the clock and its uptime: within a second or so, and moved by a
 * change of the clock. Only for telling an engine lock of an earlier boot where the OS names none
 * (Windows, macOS), never for trusting data: a wrong answer there would lose bytes. (Windows'
 * Fast Startup resumes the kernel, uptime and all, on power-on: the estimate stays the same.)
 */
export function estimatedBootTime(): number {
  return Date.now() - uptime() * 1000;
}

/** Two estimates of one boot differ by a clock change at most; boots are further apart. */
const BOOT_TIME_TOLERANCE_MS = 60_000;

export interface BootMark {
  id: string | null;
  /** estimatedBootTime(), or null where unknown (a lock written by an older Braid). */
  time: number | null;
}

/** Whether `then` may be the boot running `now`: told by the ids, else by the times, else yes. */
export function maybeSameBoot(then: BootMark, now: BootMark): boolean {
  if (then.id && now.id) return then.id === now.id;
  if (then.time !== null && now.time !== null) {
    return Math.abs(then.time - now.time) <= BOOT_TIME_TOLERANCE_MS;
  }
  return true;
}
