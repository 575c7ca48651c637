import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that gives up where a folder cannot be made: Node's recursive mkdir spins forever, at
 * full CPU, when a folder's parent exists yet making it says ENOENT (procfs and sysfs do).
 */
export async function makeFolder(path: string, mode?: number): Promise<void> {
  try {
    await mkdir(path, { mode });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await isFolder(path))) return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw error;
    await makeFolder(parent, mode);
    try {
      await mkdir(path, { mode });
    } catch (again) {
      const code = (again as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await isFolder(path))) return; // made meanwhile by someone else
      if (code !== 'ENOENT') throw again;
      throw Object.assign(
        new Error(`cannot make the folder ${path}: its file system takes no new folders there`),
        { code, cause: again },
      );
    }
  }
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
