import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Opens `path` for reading only if it is a regular file; null when it is something else (a FIFO,
 * a device, a folder) that the user or another program put under a download's name. Opened
 * without blocking, as a plain open of a FIFO would wait for a writer forever; on a regular file
 * the flag changes nothing. Errors (ENOENT first) are the caller's.
 */
export async function openRegularFile(path: string): Promise<FileHandle | null> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  return null;
}
