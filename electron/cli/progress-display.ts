import type { TaskSnapshot, TaskVerifying } from '../../shared/api/task.ts';
import { formatBytes, formatEta, formatSpeed } from '../../shared/format.ts';
import { redactUrl } from '../engine/engine-log.ts';
import { columnsOf, fitColumns } from './columns.ts';

export function taskLabel(task: TaskSnapshot): string {
  // A link's password or token must not reach a terminal or a CI log.
  return task.fileName ?? task.requestedName ?? redactUrl(task.url);
}

/** A name shortened below this many columns says too little: it is dropped instead. */
const NAME_MIN = 8;
/** The connection count is shown only while the name keeps this many: which file matters more. */
const NAME_ROOMY = 20;

/**
 * One line per active task, fitted to the terminal, in at most `rows - 1` lines: a block taller
 * than the screen cannot be redrawn in place (the cursor goes up no further than the top), so
 * each frame would scroll lines into the scrollback. The tasks that do not fit are counted on
 * the last line, with the speed of all. Pure, so it is easy to test.
 */
export function renderFrame(
  tasks: readonly TaskSnapshot[],
  width: number,
  rows = Infinity,
): string[] {
  // The line the cursor rests on, below the block, is on the screen too.
  const room = Math.max(1, rows - 1);
  if (tasks.length <= room) return tasks.map((task) => progressLine(task, width));
  const shown = tasks.slice(0, room - 1);
  const total = tasks.reduce((sum, task) => sum + task.speed, 0);
  const more = `+${tasks.length - shown.length} more (${formatSpeed(total)} total)`;
  return [...shown.map((task) => progressLine(task, width)), more.slice(0, Math.max(0, width))];
}

/**
 * A task's line, never wider than `width` columns. As the terminal narrows, the least useful
 * parts go first: the connection count, then (the name shortened with an ellipsis meanwhile) the
 * column alignment, the retry's reason, and the name itself. Percent, speed and ETA stay down to
 * 40 columns; below that, what fits of them, in that order. A retrying download's status stays
 * to the last, before its speed and ETA: at 0 B/s they say nothing, the status why.
 */
export function progressLine(task: TaskSnapshot, width: number): string {
  if (task.state === 'downloading' && task.verifying)
    return verifyingLine(task, task.verifying, width);
  const known = task.size !== null && task.size > 0;
  const amount = known
    ? `${((task.downloaded / task.size!) * 100).toFixed(1)}%`
    : formatBytes(task.downloaded);
  const speed = formatSpeed(task.speed);
  const eta = formatEta(task.eta);
  const retry = task.state === 'downloading' ? task.retry : null;
  // The same count as the log's "retry 3 of 10": retries, not requests.
  const status =
    task.state !== 'downloading'
      ? task.state
      : retry
        ? `retry ${retry.attempt}/${retry.maxAttempts - 1}`
        : null;
  const reasoned = retry ? `${status}: ${briefReason(retry.message)}` : status;
  const aligned = [amount.padStart(known ? 6 : 9), speed.padStart(11), `ETA ${eta.padStart(7)}`];
  const compact = [amount, speed, `ETA ${eta}`];
  const label = taskLabel(task);
  const named: Array<[(string | null)[], number]> = [
    [[...aligned, `${task.connections} conn`, reasoned], NAME_ROOMY],
    [[...aligned, reasoned], NAME_MIN],
    [[...compact, reasoned], NAME_MIN],
    [[...compact, status], NAME_MIN],
    status === null ? [compact, NAME_MIN] : [[amount, status], NAME_MIN],
  ];
  for (const [parts, nameMin] of named) {
    const stats = parts
      .filter((part) => part !== null)
      .map((part) => `  ${part}`)
      .join('');
    const room = width - stats.length;
    if (room >= Math.min(columnsOf(label), nameMin)) return fitColumns(label, room) + stats;
  }
  const unnamed =
    status === null
      ? [compact, compact.slice(0, 2), compact.slice(0, 1)]
      : [[...compact, status], [amount, status], [status]];
  for (const parts of unnamed) {
    const line = parts.join('  ');
    if (line.length <= width) return line;
  }
  return (status ?? amount).slice(0, Math.max(0, width));
}

/**
 * Why a request failed, in a few words: "503 Service Unavailable" for "server answered 503
 * Service Unavailable for https://…"; a network error without its system detail in parentheses.
 */
export function briefReason(message: string): string {
  const answered = /^server answered (\d{3}\b.*?)(?: for \S+)?$/.exec(message);
  return answered ? answered[1]! : message.replace(/ \(.*\)$/, '');
}

/** A task checking its file against its checksum: how far, in place of its download's numbers. */
function verifyingLine(task: TaskSnapshot, verifying: TaskVerifying, width: number): string {
  const { algorithm, hashed, total } = verifying;
  const percent = `${total > 0 ? Math.floor((hashed / total) * 100) : 100}%`;
  const label = taskLabel(task);
  const stats = `  verifying ${algorithm} ${percent}`;
  const room = width - stats.length;
  if (room >= Math.min(columnsOf(label), NAME_MIN)) return fitColumns(label, room) + stats;
  for (const line of [`verifying ${algorithm} ${percent}`, `verifying ${percent}`, percent]) {
    if (line.length <= width) return line;
  }
  return percent.slice(0, Math.max(0, width));
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
