import { execFile } from 'node:child_process';
import { lstat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskError } from '../../shared/api/task.ts';
import { PART_SUFFIX } from './file-name.ts';
import { openRegularFile, type FileIdentity } from './regular-file.ts';
import type { TaskRecord } from './task-record.ts';

/*
 * Where the OS can tell one boot from the next (boot-id.ts), a finished download is published
 * without waiting for the disk: a crash of Braid loses nothing the OS holds, and waiting for a
 * gigabyte to reach the disk took 0.5-0.8 s here, a third of the download. Its record keeps
 * which bytes were fsynced before (TaskRecord.unflushed); the engine flushes the file later (at
 * the latest when it closes) and clears the mark. Found after another boot, the OS went down
 * first: the rest is fetched again, beside a finished file kept under its name meanwhile.
 */

/**
 * Makes a published file's data durable. A file that is gone needs nothing, nor does something
 * else put under its name since (a FIFO there would block a plain open forever). Its name is the
 * caller's to make durable, with one fsync of its folder for all the files flushed there.
 */
export async function flushPublished(dir: string, name: string): Promise<void> {
  let handle;
  try {
    handle = await openRegularFile(join(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!handle) return;
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes every file on the file systems holding `dirs` durable, names included, with one syncfs
 * each (`sync -f`, Linux): 1000 finished small files took ~0.1 s of fdatasyncs, each waiting for
 * the disk on its own; one syncfs waits once. False where it could not be done: flush each file.
 */
export function syncFileSystems(dirs: readonly string[]): Promise<boolean> {
  if (process.platform !== 'linux' || dirs.length === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('/bin/sync', ['-f', ...dirs], { timeout: 120_000 }, (error) => resolve(!error));
  });
}

/**
 * For a record marked unflushed in an earlier boot: claims only the bytes that were durable, and
 * puts a finished task back in the queue, so the download fetches the rest again. A file that
 * looks finished stays under its name meanwhile (TaskRecord.kept): the copy fetched beside it
 * replaces it once complete and verified. Clears the mark; returns false when there is nothing
 * to redo (the file is gone or was changed since: it is the user's now).
 */
export async function reopenUnflushed(record: TaskRecord): Promise<boolean> {
  const mark = record.unflushed;
  record.unflushed = null;
  if (!mark || !record.fileName) return false;
  const completed = record.state === 'completed';
  const part = join(record.dir, record.fileName + PART_SUFFIX);
  const final = join(record.dir, record.fileName);
  const [found, finalStat] = await Promise.all([
    lstat(part, { bigint: true }).catch(() => null),
    lstat(final, { bigint: true }).catch(() => null),
  ]);
  let partStat = found;
  // The publish (link, then unlink) was cut short: one file under two names, the final one kept.
  const published = !!partStat && partStat.ino === finalStat?.ino && partStat.dev === finalStat.dev;
  if (published) {
    await unlink(part);
    partStat = null;
  }
  if (partStat?.isFile()) {
    record.segments = mark.segments.length > 0 ? mark.segments : null;
  } else if (
    (completed || record.finalizing || published) &&
    finalStat?.isFile() &&
    record.size !== null &&
    finalStat.size === BigInt(record.size)
  ) {
    record.kept = {
      dev: String(finalStat.dev),
      ino: String(finalStat.ino),
      size: record.size,
      etag: record.etag,
      lastModified: record.lastModified,
      segments: mark.segments,
    };
    record.segments = null;
  } else if (completed) {
    return false;
  } else {
    record.segments = null;
    record.finalizing = false;
    return true;
  }
  record.finalizing = false;
  if (completed) {
    record.state = 'queued';
    record.completedAt = null;
  }
  return true;
}

/** The file a record keeps (TaskRecord.kept), as whatIsAt compares it. */
export function keptIdentity(kept: NonNullable<TaskRecord['kept']>): FileIdentity {
  return { dev: BigInt(kept.dev), ino: BigInt(kept.ino) };
}

/**
 * What a task says when it keeps its file (TaskRecord.kept) without a new copy: `code`, and how
 * fetching it again ended (`failed: …`, `was canceled`).
 */
export function keptError(record: TaskRecord, code: string, ended: string): TaskError {
  return {
    code,
    message: `${record.fileName} is kept as it was, but may be damaged: the system went down before it was saved to the disk, and fetching it again ${ended}`,
  };
}
