import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Deterministic pseudo-random content: the same (seed, size) always gives the same bytes. */
export function makeContent(size: number, seed = 'braid'): Buffer {
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (let block = 0; offset < size; block++) {
    const digest = createHash('sha256').update(`${seed}:${block}`).digest();
    offset += digest.copy(out, offset, 0, Math.min(digest.length, size - offset));
  }
  return out;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  return sha256(await readFile(path));
}

export async function tempDir(
  prefix = 'braid-test-',
): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Names in a folder, sorted; used to prove no stray or final-named file was left behind. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

export const MiB = 1024 * 1024;
