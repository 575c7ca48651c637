import { statfs } from 'node:fs/promises';
import { formatBytes } from '../../shared/format.ts';
import { DownloadError } from './errors.ts';

/**
 * Bytes an unprivileged writer may still put in `dir`'s file system; null where it cannot tell
 * (no statfs, or a file system that reports no size at all, as some network and FUSE ones do):
 * a download there goes on, and a disk that fills up pauses it as always.
 */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const fs = await statfs(dir);
    return fs.blocks > 0 ? fs.bavail * fs.bsize : null;
  } catch {
    return null;
  }
}

/**
 * DISK_FULL before the first byte when `needed` more bytes cannot fit in `dir`: the download
 * pauses at once instead of after filling the disk (and everyone else's room) to the brim.
 */
export async function checkRoom(dir: string, needed: number): Promise<void> {
  const free = await freeBytes(dir);
  if (free === null || free >= needed) return;
  throw new DownloadError(
    'DISK_FULL',
    `the file needs ${formatBytes(needed)} and its disk has ${formatBytes(free)} free: free some space, then resume`,
    { retryable: false },
  );
}
