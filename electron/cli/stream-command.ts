import { constants } from 'node:os';
import { aboutSubject, formatBytes, formatEta, formatSpeed } from '../../shared/format.ts';
import { braidHome } from '../engine/braid-home.ts';
import { redactUrl } from '../engine/engine-log.ts';
import { peekSettings } from '../engine/settings-file.ts';
import type { GetPlan } from './args.ts';
import { fitColumns } from './columns.ts';
import { interruptedExitCode, type StopSignal } from './interrupt.ts';
import type { CliIO } from './main.ts';
import { LiveBlock } from './progress-display.ts';
import { StdoutStream } from './stream-to-stdout.ts';

/** The reader of the output went away: the code a shell reports for a process SIGPIPE ended. */
const EXIT_READER_GONE = 128 + constants.signals.SIGPIPE;

/**
 * `braid get URL -o -`: the file to standard output, every word to stderr. Needs no state
 * folder (no `.part`, no journal), so it runs beside the app or `braid serve` too; their saved
 * settings (proxy, read timeout, retries) still apply.
 */
export async function streamGet(plan: GetPlan, io: CliIO): Promise<number> {
  const task = plan.tasks[0]!;
  const say = (line: string) => io.stderr.write(`${line}\n`);
  const { settings, problems } = await peekSettings(braidHome(io.env), null);
  if (!plan.quiet) for (const problem of problems) say(`braid: warning: ${problem}`);
  const label = redactUrl(task.url);
  // Progress on the terminal, unless the bytes are going there too.
  const live =
    !plan.quiet && io.stderr.isTTY === true && io.stdout.isTTY !== true
      ? new LiveBlock(io.stderr)
      : null;
  const stop = new AbortController();
  let stoppedBy: StopSignal | null = null;
  const onSignal = (signal: StopSignal) => {
    stoppedBy = signal;
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stream = new StdoutStream(
    {
      url: task.url,
      headers: task.headers ?? {},
      checksum: task.checksum ?? null,
      limit: task.limit ?? 0,
      settings,
      signal: stop.signal,
      retrying: (message) => {
        if (plan.quiet) return;
        const line = `braid: ${aboutSubject(label, message)}`;
        if (live) live.log(line, [progress()]);
        else say(line);
      },
    },
    io.stdout,
  );
  const progress = () => streamLine(label, stream, io.stderr.columns || 100);
  const started = performance.now();
  const redraw = live ? setInterval(() => live.draw([progress()]), 200) : null;
  let outcome;
  try {
    outcome = await stream.run();
  } finally {
    if (redraw) clearInterval(redraw);
    live?.draw([]);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  switch (outcome.kind) {
    case 'done': {
      if (plan.quiet) return 0;
      const seconds = Math.max(0.001, (performance.now() - started) / 1000);
      const rate = formatSpeed(outcome.bytes / seconds);
      const checked = outcome.verified ? `; ${task.checksum!.algorithm} verified` : '';
      say(
        `completed ${label} to standard output ` +
          `(${formatBytes(outcome.bytes)} in ${seconds.toFixed(1)} s, ${rate}${checked})`,
      );
      return 0;
    }
    case 'mismatch': {
      const { algorithm, expected } = task.checksum!;
      say(
        `braid: ${label}: what went to standard output does not match --${algorithm}: ` +
          `its ${algorithm} is ${outcome.actual}, not ${expected}; do not use what its reader made of it`,
      );
      return 1;
    }
    case 'closed':
      return EXIT_READER_GONE;
    case 'stopped':
      say(`braid: interrupted after ${formatBytes(outcome.bytes)} went to standard output`);
      return interruptedExitCode(stoppedBy ?? 'SIGINT');
    case 'failed':
      say(`braid: ${aboutSubject(label, outcome.message)}`);
      return 1;
  }
}

/** The live line of a stream: its link, how far, how fast. */
function streamLine(label: string, stream: StdoutStream, width: number): string {
  const { written, size, speed } = stream;
  const amount =
    size !== null && size > 0 ? `${((written / size) * 100).toFixed(1)}%` : formatBytes(written);
  const eta = size !== null && speed > 0 ? formatEta((size - written) / speed) : formatEta(null);
  // Padded as the download lines are, so the numbers stay put as they change.
  const stats = `  ${amount.padStart(9)}  ${formatSpeed(speed).padStart(11)}  ETA ${eta.padStart(7)}`;
  const room = width - stats.length;
  return room >= 8 ? fitColumns(label, room) + stats : stats.trim().slice(0, width);
}
