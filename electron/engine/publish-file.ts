import { link, lstat, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DownloadError } from './errors.ts';
import { PART_SUFFIX, uniqueFileName } from './file-name.ts';
import { whatIsAt, type FileIdentity } from './regular-file.ts';

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV']);

/**
 * Gives a verified `<name>.part` its final name without ever replacing a file: link+unlink fails
 * on an existing name where rename would overwrite it. Filesystems without hard links (FAT, some
 * network mounts) fall back to check-then-rename. If the name was taken meanwhile, the data moves
 * to a fresh name first, announced to `beforeMove` (which journals it): a run killed after the
 * move then looks for the data under the fresh name, never under the taken one, where a file of
 * the same size would pass for it. `beforeMove` returns false when another download took the fresh
 * name meanwhile; another is looked for then. Only `written`, the file the download wrote, is
 * published (see checkPart). The one file it replaces is `replaces`, the earlier copy of this
 * download kept after an OS crash (TaskRecord.kept), while the name still holds that very file.
 * Returns the name used.
 */
export async function publishPart(
  dir: string,
  name: string,
  written: FileIdentity,
  isReserved: (candidate: string) => boolean,
  beforeMove: (fresh: string) => Promise<boolean> = async () => true,
  replaces: FileIdentity | null = null,
): Promise<string> {
  if (replaces && (await whatIsAt(join(dir, name), replaces)) === 'same') {
    const part = join(dir, name + PART_SUFFIX);
    await checkPart(part, written);
    await rename(part, join(dir, name));
    return name;
  }
  let current = name;
  for (let attempt = 0; attempt < 20; attempt++) {
    const part = join(dir, current + PART_SUFFIX);
    const target = join(dir, current);
    await checkPart(part, written);
    try {
      await link(part, target);
      await unlink(part);
      return current;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOENT') throw partGone(part);
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

/**
 * Fails unless `part` still names `written`, the file a download wrote. Deleted or moved since
 * (or its folder), the download wrote into a file nobody will see; replaced (by a symbolic link to
 * someone's file, say), what is there now is not the download: never published as it.
 */
export async function checkPart(part: string, written: FileIdentity): Promise<void> {
  const found = await whatIsAt(part, written);
  if (found === 'gone') throw partGone(part);
  if (found === 'other') {
    throw new DownloadError(
      'FILE_REPLACED',
      `${part} was replaced by something else while downloading; it is not published`,
      { retryable: false },
    );
  }
}

function partGone(part: string): DownloadError {
  return new DownloadError(
    'FILE_GONE',
    `${part} is gone: it or its folder ${dirname(part)} was deleted or moved while downloading`,
    { retryable: false },
  );
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
