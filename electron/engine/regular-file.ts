import { constants, type BigIntStats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

/** Where the platform has it (not Windows): an open that refuses a symbolic link (ELOOP). */
export const O_NOFOLLOW: number = constants.O_NOFOLLOW ?? 0;

/**
 * Opens `path` (for reading only, unless `flags` say otherwise) if it is a regular file; null
 * when it is something else (a FIFO, a device, a folder) that the user or another program put
 * under a download's name. Opened without blocking, as a plain open of a FIFO would wait for a
 * writer forever; on a regular file the flag changes nothing. Errors (ENOENT first) are the
 * caller's.
 */
export async function openRegularFile(
  path: string,
  flags: number = constants.O_RDONLY,
): Promise<FileHandle | null> {
  const handle = await open(path, flags | constants.O_NONBLOCK);
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  return null;
}

/** Which file a handle or a name is: the same file while both are equal. */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

export async function identityOf(handle: FileHandle): Promise<FileIdentity> {
  const { dev, ino } = await handle.stat({ bigint: true });
  return { dev, ino };
}

/**
 * What `path` names now, for the file `identity` was taken from: that very file ('same'),
 * nothing ('gone': it or a folder above it was deleted or moved) or something else ('other': a
 * symbolic link, another file). Other errors (EACCES…) are the caller's.
 */
export async function whatIsAt(
  path: string,
  identity: FileIdentity,
): Promise<'same' | 'gone' | 'other'> {
  let stats: BigIntStats;
  try {
    stats = await lstat(path, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'gone';
    throw error;
  }
  const same = stats.isFile() && stats.dev === identity.dev && stats.ino === identity.ino;
  return same ? 'same' : 'other';
}
