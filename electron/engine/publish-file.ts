import { link, lstat, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PART_SUFFIX, uniqueFileName } from './file-name.ts';

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV']);

/**
 * Gives a verified `<name>.part` its final name without ever replacing a file: link+unlink fails
 * on an existing name where rename would overwrite it. Filesystems without hard links (FAT, some
 * network mounts) fall back to check-then-rename. If the name was taken meanwhile, the data moves
 * to a fresh name first, announced to `beforeMove` (which journals it): a run killed after the
 * move then looks for the data under the fresh name, never under the taken one, where a file of
 * the same size would pass for it. `beforeMove` returns false when another download took the fresh
 * name meanwhile; another is looked for then. Returns the name used.
 */
export async function publishPart(
  dir: string,
  name: string,
  isReserved: (candidate: string) => boolean,
  beforeMove: (fresh: string) => Promise<boolean> = async () => true,
): Promise<string> {
  let current = name;
  for (let attempt = 0; attempt < 20; attempt++) {
    const part = join(dir, current + PART_SUFFIX);
    const target = join(dir, current);
    try {
      await link(part, target);
      await unlink(part);
      return current;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      // A run killed between link and unlink left the final name already linked to the data.
      if (code === 'EEXIST' && (await sameFile(part, target))) {
        await unlink(part);
        return current;
      }
      const noLinks = NO_HARD_LINKS.has(code);
      if (noLinks && !(await exists(target))) {
        await rename(part, target);
        return current;
      }
      if (code !== 'EEXIST' && !noLinks) throw error;
      const fresh = await uniqueFileName(dir, current, (c) => c !== current && isReserved(c));
      // Renamed only once claimed: rename replaces, and the other download's `.part` may be there.
      if (!(await beforeMove(fresh))) continue;
      await rename(part, join(dir, fresh + PART_SUFFIX));
      current = fresh;
    }
  }
  throw new Error(`no free name like ${name} in ${dir}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([lstat(a, { bigint: true }), lstat(b, { bigint: true })]);
  return x.dev === y.dev && x.ino === y.ino;
}
