import { readdir, readFile, readlink } from 'node:fs/promises';
import { O_DIRECT } from '../../electron/engine/direct-io.ts';

/**
 * How process `pid` has `path` open, read from Linux /proc: one entry per descriptor, true where
 * it is O_DIRECT. Empty where the process has it closed (or the platform has no /proc).
 */
export async function openModes(path: string, pid: number | 'self' = 'self'): Promise<boolean[]> {
  const modes: boolean[] = [];
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) !== path) continue;
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    const flags = Number.parseInt(/flags:\s+([0-7]+)/.exec(info)?.[1] ?? '0', 8);
    modes.push(O_DIRECT !== undefined && (flags & O_DIRECT) !== 0);
  }
  return modes;
}
