import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

let tempCount = 0;

/**
 * Replaces a file so that after a crash or power loss it holds either the old or the new
 * content, never a torn mix: temp file, fsync, rename over, fsync the folder.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  // Its own temp file: two writers sharing one truncated each other's, and one renamed the mix.
  const temp = `${path}.${process.pid}-${++tempCount}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncDirShared(dirname(path));
}

const groups = new Map<string, Array<() => void>>();

/**
 * Group commit for folder fsyncs: callers that arrive while one runs share the next, which starts
 * after all of them renamed. One caller alone waits no longer than before; 16 downloads saving at
 * once cost a couple of folder fsyncs instead of 16.
 */
export function syncDirShared(dir: string): Promise<void> {
  return new Promise((resolve) => {
    const waiting = groups.get(dir);
    if (waiting) {
      waiting.push(resolve);
      return;
    }
    const queue = [resolve];
    groups.set(dir, queue);
    void (async () => {
      while (queue.length > 0) {
        const batch = queue.splice(0);
        await syncDir(dir);
        for (const done of batch) done();
      }
      groups.delete(dir);
    })();
  });
}

async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a folder this way and some filesystems refuse to fsync one; renames are
  // atomic there anyway, and a failure here must not leave the savers of a group waiting forever.
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // As above: the folder cannot be synced on this filesystem.
  } finally {
    await handle.close().catch(() => undefined);
  }
}
