import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from './fixtures.ts';

export interface SmallDisk {
  /** The mounted folder. */
  dir: string;
  /** Grows (or shrinks) the disk in place, e.g. to free space. */
  resize(size: string): void;
  /** Unmounts (failing while a file on it is still open) and removes the folder. */
  cleanup(): Promise<void>;
}

/**
 * A folder on a tmpfs of `size`: a disk that really fills up. Mounting needs root (as in CI);
 * elsewhere the test is skipped with a note and this returns null.
 */
export async function mountSmallDisk(t: TestContext, size: string): Promise<SmallDisk | null> {
  const tmp = await tempDir();
  const dir = join(tmp.path, 'small-disk');
  await mkdir(dir);
  let why: string | null = null;
  if (process.getuid?.() !== 0) why = 'not running as root, cannot mount a small tmpfs';
  else {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    } catch (error) {
      why = `mount failed: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  if (why) {
    console.log(`SKIPPED: ${t.name}: ${why}`);
    t.skip(why);
    await tmp.cleanup();
    return null;
  }
  return {
    dir,
    resize: (to) => execFileSync('mount', ['-o', `remount,size=${to}`, dir], { stdio: 'pipe' }),
    cleanup: async () => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      await tmp.cleanup();
    },
  };
}
