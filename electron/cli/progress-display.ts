import type { TaskSnapshot } from '../../shared/api/task.ts';
import { formatBytes, formatEta, formatSpeed } from '../../shared/format.ts';

export function taskLabel(task: TaskSnapshot): string {
  return task.fileName ?? task.requestedName ?? task.url;
}

/** One line per active task, fitted to the terminal width. Pure, so it is easy to test. */
export function renderFrame(tasks: readonly TaskSnapshot[], width: number): string[] {
  return tasks.map((task) => {
    const amount =
      task.size !== null && task.size > 0
        ? `${((task.downloaded / task.size) * 100).toFixed(1).padStart(5)}%`
        : formatBytes(task.downloaded).padStart(9);
    const state =
      task.state !== 'downloading'
        ? `  ${task.state}`
        : task.retry
          ? `  retry ${task.retry.attempt}/${task.retry.maxAttempts}`
          : '';
    const stats = `  ${amount}  ${formatSpeed(task.speed).padStart(11)}  ETA ${formatEta(task.eta).padStart(7)}  ${task.connections} conn${state}`;
    const room = Math.max(8, width - stats.length);
    const label = taskLabel(task);
    const name = label.length > room ? `${label.slice(0, room - 1)}…` : label.padEnd(room);
    return (name + stats).slice(0, Math.max(width, 1));
  });
}

/** Redraws a block of lines in place on a TTY (cursor up + erase), at most 5 times a second. */
export class LiveBlock {
  readonly #out: NodeJS.WriteStream;
  #lines = 0;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  draw(lines: readonly string[]): void {
    let text = this.#lines > 0 ? `\x1b[${this.#lines}F` : '';
    for (const line of lines) text += `\x1b[2K${line}\n`;
    for (let i = lines.length; i < this.#lines; i++) text += '\x1b[2K\n';
    if (lines.length < this.#lines) text += `\x1b[${this.#lines - lines.length}F`;
    this.#lines = lines.length;
    this.#out.write(text);
  }

  /** Leaves the last frame and prints a permanent line above the live block. */
  log(line: string, lines: readonly string[]): void {
    this.draw([]);
    this.#out.write(`${line}\n`);
    this.#lines = 0;
    this.draw(lines);
  }
}
