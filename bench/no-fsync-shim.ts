import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A preload library that turns fsync and fdatasync into no-ops, so a diagnostic row can show
 * Braid's speed without its durability promise, on the peers' terms. Null when no C compiler is
 * installed: the row is then left out, and the report says so.
 */
export function buildNoFsyncShim(workDir: string): string | null {
  const source = join(workDir, 'no-fsync.c');
  const library = join(workDir, 'no-fsync.so');
  writeFileSync(
    source,
    'int fsync(int fd){(void)fd;return 0;}\nint fdatasync(int fd){(void)fd;return 0;}\n',
  );
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', library, source], { stdio: 'ignore' });
    return library;
  } catch {
    return null;
  }
}
