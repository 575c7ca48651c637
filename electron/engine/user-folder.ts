import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { ApiError } from '../../shared/api/errors.ts';

/**
 * `~` and `~/…` name the user's home folder, as in a shell. Folders typed in the UI reach the
 * engine without a shell: taken literally, they made a folder named `~` wherever Braid started.
 */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/') || (sep === '\\' && path.startsWith('~\\'))) {
    return join(homedir(), path.slice(2));
  }
  return path;
}

/**
 * settings.downloadDir as kept: '' for the default folder, else a full path. A relative one is
 * refused: relative to the folder Braid was started in, it is nowhere a browser user can see.
 */
export function downloadDirSetting(value: string): string {
  if (value === '') return value;
  const path = expandHome(value);
  if (!isAbsolute(path)) {
    throw new ApiError(
      'INVALID_INPUT',
      `downloadDir: give the download folder as a full path (such as ~/Downloads), not ${JSON.stringify(value)}`,
    );
  }
  return resolve(path);
}

/**
 * Refuses a download folder that can never be one: a file, or a path through a file. Accepted, it
 * failed every download later. A folder not made yet is fine: the first download makes it.
 */
export async function requireFolderPossible(path: string): Promise<void> {
  for (let at = path; ; at = dirname(at)) {
    const found = await stat(at).catch(() => null);
    if (found?.isDirectory()) return;
    if (found) {
      throw new ApiError(
        'INVALID_INPUT',
        at === path
          ? `downloadDir: ${path} is a file, not a folder`
          : `downloadDir: ${path} cannot be made: ${at} is a file`,
      );
    }
    if (dirname(at) === at) return;
  }
}
