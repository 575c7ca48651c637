import { ApiError } from '../../shared/api/errors.ts';
import { DownloadError } from './errors.ts';

const REASONS = new Map([
  ['ENOSPC', 'the disk is full'],
  ['EDQUOT', 'the disk quota is used up'],
  ['EROFS', 'the disk is read-only'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EIO', 'the disk reported an I/O error'],
  ['EEXIST', 'a file is in the way'],
  ['ENOTDIR', 'a file is in the way'],
  ['EISDIR', 'a folder is in the way'],
]);

/** A failure to write Braid's own state in `home` (its task journal, its lock), said in words. */
export function storageError(error: unknown, home: string): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const why = REASONS.get(code) ?? (error as Error).message;
  return new ApiError('STORAGE_FAILED', `cannot save Braid's state in ${home}: ${why}`);
}

/** The same, for a download that could not save its progress: it pauses until fixed. */
export function stateSaveError(error: unknown, home: string): DownloadError {
  const { code, message } = storageError(error, home);
  return new DownloadError(code, message, { retryable: false, cause: error });
}
