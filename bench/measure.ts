import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface Measurement {
  /** Wall-clock seconds from spawn to exit. */
  wall: number;
  /** Peak resident set size in MB (of the measured process and the children it waited for). */
  rssMB: number;
  /** User + system CPU seconds. */
  cpu: number;
  exitCode: number | null;
  stderr: string;
}

/**
 * Runs a command under GNU time so peers and Braid are measured the same way, from outside.
 * `killAfterMs` sends SIGKILL to the command (not to `time`) for the crash scenario.
 */
export async function measure(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; killAfterMs?: number; workDir: string },
): Promise<Measurement> {
  const report = join(options.workDir, `time-${process.pid}-${Date.now()}.txt`);
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', report, command, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  let timer: NodeJS.Timeout | undefined;
  if (options.killAfterMs !== undefined) {
    timer = setTimeout(() => {
      // Kill the measured program itself; `time` then reports and exits.
      spawn('pkill', ['-KILL', '-P', String(child.pid)]);
    }, options.killAfterMs);
  }
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const wall = (performance.now() - started) / 1000;
  const text = await readFile(report, 'utf8').catch(() => '');
  await rm(report, { force: true });
  const last = text.trim().split('\n').pop() ?? '';
  const [rssKB, user, sys] = last.split(' ').map(Number);
  return {
    wall,
    rssMB: (rssKB ?? 0) / 1024,
    cpu: (user ?? 0) + (sys ?? 0),
    exitCode,
    stderr,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
