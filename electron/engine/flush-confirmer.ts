import { lstat, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PART_SUFFIX } from './file-name.ts';
import { openRegularFile } from './regular-file.ts';
import type { TaskRecord } from './task-record.ts';

/*
 * Where the OS can tell one boot from the next (boot-id.ts), a finished download is published
 * without waiting for the disk: a crash of Braid loses nothing the OS holds, and waiting for a
 * gigabyte to reach the disk took 0.5-0.8 s here, a third of the download. Its record keeps
 * which bytes were fsynced before (TaskRecord.unflushed); the engine flushes the file later and
 * clears the mark. Found after another boot, the OS went down first: the rest is fetched again.
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
 * For a record marked unflushed in an earlier boot: puts its file back under the `.part` name
 * with only the durable bytes claimed, and a finished task back in the queue, so the download
 * fetches the rest again. Clears the mark; returns false when there is nothing to redo (the
 * file is gone or was changed since: it is the user's now).
 */
export async function reopenUnflushed(record: TaskRecord): Promise<boolean> {
  const mark = record.unflushed;
  record.unflushed = null;
  if (!mark || !record.fileName) return false;
  const completed = record.state === 'completed';
  const part = join(record.dir, record.fileName + PART_SUFFIX);
  const final = join(record.dir, record.fileName);
  const [partStat, finalStat] = await Promise.all([
    lstat(part).catch(() => null),
    lstat(final).catch(() => null),
  ]);
  if (partStat?.isFile()) {
    // The publish (link, then unlink) was cut short: one file under two names.
    if (finalStat && finalStat.ino === partStat.ino && finalStat.dev === partStat.dev) {
      await unlink(final);
    }
  } else if (
    (completed || record.finalizing) &&
    finalStat?.isFile() &&
    finalStat.size === record.size
  ) {
    await rename(final, part);
  } else if (completed) {
    return false;
  } else {
    record.segments = null;
    record.finalizing = false;
    return true;
  }
  record.segments = mark.segments.length > 0 ? mark.segments : null;
  record.finalizing = false;
  if (completed) {
    record.state = 'queued';
    record.completedAt = null;
  }
  return true;
}
