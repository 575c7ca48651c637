import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import {
  sameChecksum,
  sameHeaders,
  type ChecksumAlgorithm,
  type TaskSnapshot,
} from '../../shared/api/task.ts';
import { ApiError } from '../../shared/api/errors.ts';
import { LINK_CHANGEABLE } from '../../shared/task-transitions.ts';
import { aboutSubject, formatBytes, formatSpeed } from '../../shared/format.ts';
import { braidHome } from '../engine/braid-home.ts';
import { DownloadEngine } from '../engine/download-engine.ts';
import { STATE_PROBLEMS, type EngineLogRecord } from '../engine/engine-log.ts';
import { hashFile } from '../engine/checksum.ts';
import { sanitizeFileName } from '../engine/file-name.ts';
import type { RunningServe } from '../serve/serve-command.ts';
import { DEFAULT_PORT, isLoopback } from '../serve/serve-address.ts';
import { buildGetPlan, type GetPlan, type RawGetOptions } from './args.ts';
import { interruptedExitCode, onInterrupt, type StopSignal } from './interrupt.ts';
import { LiveBlock, renderFrame, taskLabel } from './progress-display.ts';

export interface CliIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const VERSION = '0.1.0';
const EXIT_USAGE = 2;

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let exitCode = 0;
  const program = new Command('braid')
    .description('Braid: a fast, crash-safe download manager')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  const environment = environmentHelp(io.env);
  program.addHelpText('after', environment);
  program
    .command('get')
    .description('download one or more URLs; run the same command again to resume')
    .argument('[url...]', 'http(s) URLs to download')
    .option('-d, --dir <dir>', 'folder to save into')
    .option(
      '-o, --out <path>',
      'file name, or path under --dir (one URL only); - writes to standard output, in order',
    )
    .option('-c, --connections <n>', 'connections per download, 1-32 (default 8)')
    .option(
      '--limit <rate>',
      'speed limit per download in bytes/s, with K, M, G or T: 500K, 16M; 0 for none',
    )
    .option('--sha256 <hex>', 'verify the file (one URL only)')
    .option('--sha1 <hex>', 'verify the file with SHA-1 (one URL only)')
    .option('--md5 <hex>', 'verify the file with MD5 (one URL only)')
    .option('-j, --jobs <n>', 'downloads at once, 1-32 (default 3)')
    .option('-i, --input <file>', 'read URLs from a file, one per line (-: standard input)')
    .option('--header <header>', 'extra request header "Name: value" (repeatable)', collect)
    .option('-q, --quiet', 'print errors only')
    .addHelpText('after', environment)
    .action(async (urls: string[], options: RawGetOptions) => {
      exitCode = await get(urls, options, io);
    });
  program
    .command('serve')
    .description('run the engine headless and serve the web UI (open the printed URL)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option('--token <token>', 'access token (default: a new random one each start)')
    .option('-d, --dir <dir>', 'folder to save downloads into')
    .option('--allow-host <name>', 'extra Host name to accept (repeatable)', collect)
    .option('--metrics', 'serve Prometheus metrics at /metrics (token required)')
    .option(
      '--metrics-open',
      'serve /metrics without the token (for a scraper on a trusted network)',
    )
    .addHelpText('after', environment)
    .action(async (options: RawServeOptions) => {
      exitCode = await serve(options, io);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}

/** The state folder, said where a user looks: two Braid processes cannot share one. */
function environmentHelp(env: NodeJS.ProcessEnv): string {
  return (
    '\nEnvironment:\n' +
    "  BRAID_HOME  the folder of Braid's download list, settings and resume data\n" +
    `              (${braidHome(env)}). braid get, braid serve and the desktop app\n` +
    '              use it one at a time; another folder lets one run beside the others:\n' +
    '              BRAID_HOME=~/.braid-cli braid get URL\n'
  );
}

/** A repeatable option's values; without a default, so its help shows no "(default: [])". */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const ANY_TIME = { enabled: false, days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', stop: '00:00' };
/** Log events that, with bytes, say a download threw its kept data away and starts from zero. */
const DISCARDING = new Set(['started_over', 'link_changed']);

async function get(urls: string[], options: RawGetOptions, io: CliIO): Promise<number> {
  let inputText: string | undefined;
  // With -o - a list is refused unread: `-i - -o -` would wait on a terminal for nothing.
  if (options.input !== undefined && options.out !== '-') {
    try {
      // `-i -` as wget takes it: a list piped in (fd 0).
      inputText = readFileSync(options.input === '-' ? 0 : resolve(io.cwd, options.input), 'utf8');
    } catch (error) {
      io.stderr.write(`braid: cannot read ${options.input}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
  }
  const built = buildGetPlan(urls, options, inputText);
  if ('errors' in built) {
    for (const e of built.errors) io.stderr.write(`braid: ${e}\n`);
    return EXIT_USAGE;
  }
  if (built.plan.stream) {
    // Loaded only here: most commands write files.
    const { streamGet } = await import('./stream-command.ts');
    return streamGet(built.plan, io);
  }
  let engine: DownloadEngine | undefined;
  const notices: Notices = {
    say: (line) => io.stderr.write(`${line}\n`),
    discarded: () => {},
  };
  const home = braidHome(io.env);
  try {
    engine = await DownloadEngine.open({
      home,
      defaultDownloadDir: io.cwd,
      // A command typed means now: quiet hours set in the app (same state folder) would leave
      // it waiting on nothing.
      settings: { maxConcurrent: built.plan.jobs, schedule: ANY_TIME },
      autoStart: false,
      // What the engine found wrong in its saved state is worth a line, and so is each retry
      // where no live line shows it, and downloaded data thrown away; the rest of its log is not.
      log: (record) => {
        if (DISCARDING.has(record.event) && record.bytes && record.taskId) {
          notices.discarded(record.taskId);
        }
        if (built.plan.quiet) return;
        if (STATE_PROBLEMS.has(record.event)) {
          notices.say(`braid: warning: ${record.message}`);
        } else if (record.event === 'retry' && io.stderr.isTTY !== true) {
          notices.say(`braid: ${describeRetry(record, engine)}`);
        } else if (record.event === 'started_over' && record.bytes) {
          notices.say(`braid: ${describeStartOver(record, engine)}`);
        } else if (record.event === 'link_changed' && record.bytes) {
          notices.say(`braid: ${describeStartOver(record, engine)}`);
        } else if (record.event === 'link_changed') {
          notices.say(`braid: ${aboutTask(record, engine, 'continuing from the new link')}`);
        }
      },
    });
  } catch (error) {
    const locked = error instanceof ApiError && error.code === 'ENGINE_LOCKED';
    const message = `braid: ${(error as Error).message}\n`;
    io.stderr.write(locked ? lockedAdvice(error, resolve(io.cwd, home)) : message);
    return 1;
  }
  try {
    return await runDownloads(engine, built.plan, io, notices);
  } catch (error) {
    // The engine refused the command (its state folder is full, say): one line, no stack trace.
    io.stderr.write(`braid: ${(error as Error).message}\n`);
    return 1;
  }
}

/**
 * What to do when the app or `braid serve` holds the state folder: the engine's own advice
 * ("close it") would stop their downloads to start this one.
 */
function lockedAdvice(error: ApiError, home: string): string {
  const who = /^another Braid process \(pid \d+\)/.exec(error.message)?.[0];
  if (!who) return `braid: ${error.message}\n`;
  return (
    `braid: ${who} is using Braid's state folder ${home} ` +
    '(the desktop app, braid serve, or another braid get)\n' +
    "braid: add the download there (New download in the app, or braid serve's web UI), " +
    `or give this command a state folder of its own: BRAID_HOME=${home}-get braid get …\n`
  );
}

/** Where lines from the engine's log go: stderr, or above the live block while one is drawn. */
interface Notices {
  say(line: string): void;
  /** A download dropped the data it had: all of it is then fetched in this run. */
  discarded(taskId: string): void;
}

/** The record's message about its download, named as its progress line names it. */
function aboutTask(
  record: EngineLogRecord,
  engine: DownloadEngine | undefined,
  message: string,
): string {
  const task = record.taskId ? engine?.get(record.taskId) : undefined;
  return aboutSubject(task ? taskLabel(task) : (record.url ?? ''), message);
}

function describeRetry(record: EngineLogRecord, engine: DownloadEngine | undefined): string {
  const why = aboutTask(record, engine, record.message ?? 'request failed');
  const seconds = Math.round((record.delayMs ?? 0) / 1000);
  // Counted as the live line counts them ("retry 3/10"): retries, not requests.
  const max = engine?.settings.maxRetries;
  return `${why}; retry ${record.attempt}${max ? ` of ${max}` : ''} in ${seconds} s`;
}

function describeStartOver(record: EngineLogRecord, engine: DownloadEngine | undefined): string {
  const why = aboutTask(record, engine, record.message ?? 'starting again from the beginning');
  return `${why} (${formatBytes(record.bytes ?? 0)} kept data discarded)`;
}

/** Adds or resumes this command's tasks, shows progress, and waits until each one ends. */
async function runDownloads(
  engine: DownloadEngine,
  plan: GetPlan,
  io: CliIO,
  notices: Notices,
): Promise<number> {
  const dir = resolve(io.cwd, plan.dir ?? (engine.settings.downloadDir || io.cwd));
  const failures: string[] = [];
  const ids = new Set<string>();
  const finished = new Set<string>();
  const announced = new Set<string>();
  const tty = !plan.quiet && io.stderr.isTTY === true;
  const live = tty ? new LiveBlock(io.stderr) : null;
  const started = Date.now();
  let interrupted: StopSignal | null = null;
  /** Set once every task of this command is known, so an early finisher cannot end the wait. */
  let wake: (() => void) | null = null;

  const fail = (line: string) => {
    failures.push(line);
    notices.say(line);
  };
  // Results go to standard output, terminal or not: `braid get URL > log` and `$(braid get …)`
  // capture them. Redirected, they are said on the terminal as well, above the live block.
  const print = (line: string) => {
    if (plan.quiet) return;
    if (live) live.log(line, frame());
    if (!live || io.stdout.isTTY !== true) io.stdout.write(`${line}\n`);
  };
  const frame = () =>
    renderFrame(
      [...ids]
        .filter((id) => !finished.has(id))
        .map((id) => engine.get(id))
        .filter((t): t is TaskSnapshot => !!t && t.state === 'downloading'),
      io.stderr.columns || 100,
      io.stderr.rows || Infinity,
    );
  /** When each task began transferring in this run, and what it had then: its speed's base. */
  const began = new Map<string, { at: number; bytes: number }>();
  notices.discarded = (id) => {
    const from = began.get(id);
    if (from) from.bytes = 0;
  };
  /** When each task began checking its file against its checksum. */
  const verifyingSince = new Map<string, number>();
  const settle = (task: TaskSnapshot) => {
    if (!ids.has(task.id) || finished.has(task.id)) return;
    if (task.state === 'downloading' && !began.has(task.id)) {
      began.set(task.id, { at: Date.now(), bytes: task.downloaded });
    }
    if (task.state === 'downloading' && task.verifying && !verifyingSince.has(task.id)) {
      verifyingSince.set(task.id, Date.now());
      // Said as it begins: a large file takes seconds to hash, with no bytes arriving.
      if (live) live.draw(frame());
      else print(`verifying ${taskLabel(task)} (${task.verifying.algorithm})`);
    }
    if (task.state === 'downloading' && task.fileName && !announced.has(task.id)) {
      announced.add(task.id);
      if (!live)
        print(
          `downloading ${task.fileName} (${task.size === null ? 'size unknown' : formatBytes(task.size)})`,
        );
    }
    const failed =
      task.state === 'failed' ||
      task.state === 'canceled' ||
      (task.state === 'paused' && task.error);
    if (task.state !== 'completed' && !failed) return;
    finished.add(task.id);
    if (task.state === 'completed') {
      const from = began.get(task.id) ?? { at: started, bytes: 0 };
      const end = task.completedAt ?? Date.now();
      const verified = verifyingSince.get(task.id);
      const check = task.options.checksum;
      // The speed is the download's: hashing a large file afterwards takes seconds of its own.
      const checked =
        verified !== undefined && check
          ? `; ${check.algorithm} verified in ${((end - verified) / 1000).toFixed(1)} s`
          : '';
      const fetched = fetchSummary(task.size ?? 0, from.bytes, (verified ?? end) - from.at);
      print(`completed ${join(task.dir, task.fileName ?? '')} (${fetched}${checked})`);
      const renamed = renamedFrom(task);
      // Even with -q: a script would go on to read the other file under the name it asked for.
      if (renamed) {
        notices.say(
          `braid: saved as ${join(task.dir, task.fileName ?? '')}: the name ${renamed} was taken`,
        );
      }
    } else {
      // Said when it happens: a Ctrl-C later would otherwise hide it.
      fail(`braid: ${aboutSubject(taskLabel(task), task.error?.message ?? task.state)}`);
    }
    if (finished.size === ids.size) wake?.();
  };
  let closing: Error | null;
  const unsubscribe = engine.subscribe((event) => {
    if (event.type === 'task-changed') settle(event.task);
  });
  const toStderr = notices.say;
  if (live) notices.say = (line) => live.log(line, frame());
  const stopListening = onInterrupt(
    (signal) => {
      interrupted = signal;
      wake?.();
    },
    (line) => notices.say(line),
  );
  const redraw = live ? setInterval(() => live.draw(frame()), 200) : null;
  // A terminal made smaller (SIGWINCH) gets a frame that fits it at once, not 200 ms later.
  const resized = () => live?.draw(frame());
  if (live) io.stderr.on('resize', resized);
  try {
    const { tasks, problems } = await startOrResume(engine, plan.tasks, dir, (task, algorithm) =>
      print(`verifying ${taskLabel(task)} (${algorithm})`),
    );
    for (const problem of problems) fail(`braid: ${problem}`);
    for (const task of tasks) {
      ids.add(task.id);
      if (task.state === 'completed') {
        finished.add(task.id);
        print(`already downloaded: ${join(task.dir, task.fileName ?? '')}`);
      }
    }
    for (const id of ids) {
      const task = engine.get(id);
      if (task) settle(task);
    }
    if (finished.size < ids.size && !interrupted) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (redraw) clearInterval(redraw);
    io.stderr.off('resize', resized);
    live?.draw([]);
    notices.say = toStderr;
    unsubscribe();
    stopListening();
    // Finished files are complete whatever happens here; a failure to save the task list is
    // still said, after them (an earlier error, if any, is the one reported).
    closing = await engine.close().then(
      () => null,
      (error: unknown) => error as Error,
    );
  }
  if (closing) io.stderr.write(`braid: ${closing.message}\n`);
  if (interrupted) {
    io.stderr.write('braid: interrupted — run the same command again to resume\n');
    return interruptedExitCode(interrupted);
  }
  return failures.length === 0 && !closing ? 0 : 1;
}

/** The name `-o` asked for, when the download had to take another: a file had it already. */
function renamedFrom(task: TaskSnapshot): string | null {
  if (!task.requestedName || !task.fileName) return null;
  const asked = sanitizeFileName(task.requestedName, { hidden: true });
  return task.fileName === asked ? null : asked;
}

/**
 * What this run fetched of a file, and how fast: "4.00 MiB in 2.5 s, 1.60 MiB/s", with the part
 * kept from an earlier run said apart, or the whole file's size read over this run's time
 * gives a speed it never had.
 */
function fetchSummary(size: number, kept: number, ms: number): string {
  if (kept > 0 && kept >= size) return `${formatBytes(size)}, all kept from before`;
  const seconds = Math.max(0.001, ms / 1000);
  const fetched = size - kept;
  const rate = `${formatBytes(fetched)} in ${seconds.toFixed(1)} s, ${formatSpeed(fetched / seconds)}`;
  return kept > 0
    ? `${rate}; ${formatBytes(kept)} of its ${formatBytes(size)} kept from before`
    : rate;
}

/**
 * The same command twice continues the same tasks: a task with the same URL, folder and
 * requested name is resumed (or reported done while its file is still there) instead of added
 * again. A new link with `-o` naming an unfinished download in the folder continues that one
 * from the new link (an expired link's replacement; the engine starts over if it is not the same
 * file). New tasks are added in one batch.
 */
async function startOrResume(
  engine: DownloadEngine,
  inputs: GetPlan['tasks'],
  dir: string,
  verifying: Verifying,
): Promise<{ tasks: TaskSnapshot[]; problems: string[] }> {
  const key = (url: string, requestedName: string | null) => JSON.stringify([url, requestedName]);
  // The newest task per key, found by lookup: a long history times a long list adds up.
  const known = new Map<string, TaskSnapshot>();
  // Unfinished downloads by name, for a new link given with `-o` that name.
  const unfinished = new Map<string, TaskSnapshot>();
  const keepNewest = (map: Map<string, TaskSnapshot>, k: string, t: TaskSnapshot) => {
    const seen = map.get(k);
    if (!seen || t.createdAt > seen.createdAt) map.set(k, t);
  };
  for (const t of engine.list()) {
    if (t.dir !== dir) continue;
    keepNewest(known, key(t.url, t.requestedName), t);
    // A download that named itself is also the one `-o` with that name asks for.
    if (t.requestedName === null && t.fileName) keepNewest(known, key(t.url, t.fileName), t);
    // A canceled download kept nothing to continue from.
    if (!LINK_CHANGEABLE.includes(t.state) || t.state === 'canceled') continue;
    for (const name of [t.fileName, t.requestedName]) if (name) keepNewest(unfinished, name, t);
  }
  const tasks: TaskSnapshot[] = [];
  const problems: string[] = [];
  const fresh: GetPlan['tasks'] = [];
  for (const input of inputs) {
    let previous = known.get(key(input.url, input.fileName ?? null));
    const relinked = !previous && input.fileName ? unfinished.get(input.fileName) : undefined;
    if (relinked) {
      unfinished.delete(input.fileName!);
      // Headers given with the new link are for it; none given, the download keeps its own.
      previous = await engine.setUrl(relinked.id, input.url, input.headers);
    }
    const resumed = previous && (await continueTask(engine, previous, input, verifying));
    if (typeof resumed === 'string') problems.push(resumed);
    else if (resumed) tasks.push(resumed);
    else fresh.push({ ...input, dir });
  }
  if (fresh.length > 0) tasks.push(...(await engine.add(fresh)));
  return { tasks, problems };
}

/** Says that a finished download's file is being checked against a checksum given now. */
type Verifying = (task: TaskSnapshot, algorithm: ChecksumAlgorithm) => void;

/**
 * The task continued with this command's limit, checksum and connections; null when it must start
 * afresh.
 */
async function continueTask(
  engine: DownloadEngine,
  task: TaskSnapshot,
  input: GetPlan['tasks'][number],
  verifying: Verifying,
): Promise<TaskSnapshot | string | null> {
  const limit = input.limit ?? 0;
  if (task.options.limit !== limit) await engine.setTaskLimit(task.id, limit);
  // Connections asked for this time apply; none asked, the download keeps its own.
  const { connections } = input;
  if (connections !== undefined && task.options.connections !== connections) {
    await engine.setConnections(task.id, connections);
  }
  // Headers given this time (a fresh cookie, say) replace the download's own; none given, it
  // keeps its own. A finished download is not fetched again for them, nor a running one stopped.
  const { headers } = input;
  const changeable = LINK_CHANGEABLE.includes(task.state);
  if (headers && changeable && !sameHeaders(headers, task.options.headers)) {
    task = await engine.setUrl(task.id, task.url, headers);
  }
  const checksum = input.checksum ?? null;
  const unchanged = sameChecksum(checksum, task.options.checksum);
  if (task.state === 'completed') {
    const path = join(task.dir, task.fileName ?? '');
    // Moved away, or another file took the free name since: this download is done again.
    const there = task.fileName ? statSync(path, { throwIfNoEntry: false }) : undefined;
    if (!there?.isFile() || there.size !== task.size) return null;
    // A checksum given now is checked now: the file may have been replaced by one of that size.
    if (!checksum) return task;
    verifying(task, checksum.algorithm);
    const actual = await hashFile(path, checksum.algorithm);
    return actual === checksum.expected.toLowerCase()
      ? task
      : `${path} is already downloaded, but its ${checksum.algorithm} is ${actual}, not ${checksum.expected}`;
  }
  // A corrected (or dropped) checksum applies to the data already there.
  if (!unchanged) await engine.setChecksum(task.id, checksum);
  switch (task.state) {
    case 'paused':
      return engine.resume(task.id);
    case 'failed':
    case 'canceled':
      return engine.retry(task.id);
    case 'queued':
      return engine.start(task.id);
    case 'downloading':
      return task;
  }
}

interface RawServeOptions {
  host: string;
  port: string;
  token?: string;
  dir?: string;
  allowHost?: string[];
  metrics?: boolean;
  metricsOpen?: boolean;
}

async function serve(options: RawServeOptions, io: CliIO): Promise<number> {
  const port = Number(options.port);
  if (!/^\d{1,5}$/.test(options.port) || port > 65535) {
    io.stderr.write(`braid: --port must be a number from 0 to 65535\n`);
    return EXIT_USAGE;
  }
  if (options.token !== undefined && !/^[\x21-\x7e]{16,256}$/.test(options.token)) {
    io.stderr.write('braid: --token must be 16 to 256 visible ASCII characters\n');
    return EXIT_USAGE;
  }
  if (!isLoopback(options.host)) {
    io.stderr.write(
      `braid: WARNING: listening on ${options.host}, not on loopback, without TLS: anyone who can ` +
        'reach this port and sees the token (in transit, unencrypted) controls your downloads. ' +
        'Prefer 127.0.0.1 behind an HTTPS reverse proxy or an SSH tunnel.\n',
    );
  }
  // Listening for signals before anything starts: a stop that arrives early still stops cleanly.
  let quit = () => {};
  const stopped = new Promise<void>((resolve) => (quit = resolve));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  let running: RunningServe;
  try {
    // Loaded only here: the web server, WebSocket and metrics are not part of `braid get`.
    const { startServe } = await import('../serve/serve-command.ts');
    running = await startServe({
      home: braidHome(io.env),
      host: options.host,
      port,
      token: options.token,
      dir: options.dir === undefined ? undefined : resolve(io.cwd, options.dir),
      defaultDownloadDir: io.cwd,
      // A name given to --host is the one the printed address uses: refusing it refused that.
      allowedHosts: [
        ...(options.allowHost ?? []),
        ...(isIP(options.host) === 0 ? [options.host] : []),
      ].map((h) => h.toLowerCase()),
      version: VERSION,
      metrics: options.metricsOpen ? 'open' : options.metrics ? 'token' : undefined,
      onQuitRequested: () => quit(),
      warn: (message) => io.stderr.write(`braid: warning: ${message}\n`),
    });
  } catch (error) {
    io.stderr.write(`braid: ${(error as Error).message}\n`);
    process.off('SIGINT', quit);
    process.off('SIGTERM', quit);
    return 1;
  }
  io.stdout.write(`Braid is serving its web UI. Open:\n  ${running.url}\n`);
  await stopped;
  try {
    await running.close();
  } catch (error) {
    io.stderr.write(`braid: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}

function defaultIO(): CliIO {
  // Output piped into a reader that stopped (`braid get … | head -1`): the downloads asked for
  // go on, unseen, instead of dying on an unhandled EPIPE with the rest left undone.
  // Another listener (`-o -` writing the file there) handles the errors of its own writes.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && stream.listenerCount('error') === 1) throw error;
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
