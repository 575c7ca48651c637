import { createHash } from 'node:crypto';
import type { ChecksumAlgorithm } from '../../shared/api/task.ts';
import { openRegularFile } from './regular-file.ts';

export interface HashOptions {
  /** Called after each read with the bytes hashed so far: cheap, so callers may poll it. */
  onProgress?(hashed: number): void;
  /** Ends the hashing between reads, throwing its reason: a large file takes seconds. */
  signal?: AbortSignal;
}

/**
 * Hex digest of a file, streamed so memory does not grow with its size. Only a regular file: a
 * FIFO put under a finished download's name would block a plain open until a writer came.
 */
export async function hashFile(
  path: string,
  algorithm: ChecksumAlgorithm,
  { onProgress, signal }: HashOptions = {},
): Promise<string> {
  signal?.throwIfAborted();
  const handle = await openRegularFile(path);
  if (!handle) throw new Error(`${path} is not a regular file`);
  try {
    const hash = createHash(algorithm);
    let hashed = 0;
    for await (const chunk of handle.createReadStream({
      highWaterMark: 1024 * 1024,
      autoClose: false,
    })) {
      signal?.throwIfAborted();
      hash.update(chunk as Buffer);
      hashed += (chunk as Buffer).length;
      onProgress?.(hashed);
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}
