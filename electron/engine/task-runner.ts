import { constants } from 'node:fs';
import { copyFile, lstat, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../../shared/api/settings.ts';
import type {
  SegmentSnapshot,
  TaskError,
  TaskProgress,
  TaskRetry,
  TaskVerifying,
} from '../../shared/api/task.ts';
import { syncDirShared } from './atomic-file.ts';
import { hashFile } from './checksum.ts';
import { checkRoom } from './disk-space.ts';
import { DownloadError } from './errors.ts';
import { chooseFileName, PART_SUFFIX, uniqueFileName, type FileNameSources } from './file-name.ts';
import type { HostHealth } from './host-health.ts';
import type { HostLimiter } from './host-limiter.ts';
import type { HttpBody, HttpTransport } from './http-body.ts';
import { header, ifRangeValidator, openRange, type RangeResponse } from './http-range.ts';
import type { ConnectionPool } from './connection-pool.ts';
import { createTransport } from './http-transport.ts';
import type { ProxyResolver } from './proxy-choice.ts';
import type { NameHolds } from './name-holds.ts';
import { PartFile } from './part-file.ts';
import { checkPart, publishPart } from './publish-file.ts';
import { afterOverlap, OVERLAP_BYTES } from './overlap-check.ts';
import { RateLimiter, readCap, takeAll, type RateTaker } from './rate-limiter.ts';
import type { ResumeJournal } from './resume-journal.ts';
import { categoryDir, categoryOf } from './categories.ts';
import { findCrawlers, type ConnectionSample } from './crawler-check.ts';
import { redactUrl, type EngineLog } from './engine-log.ts';
import { attempts, retryDelay, toDownloadError } from './retry-policy.ts';
import { SegmentPlanner, type Segment } from './segment-planner.ts';
import { SegmentWriter, planConnections } from './segment-writer.ts';
import { SpeedMeter } from './speed-meter.ts';
import { stateSaveError } from './storage-error.ts';
import type { TaskRecord } from './task-record.ts';
import { keptIdentity } from './flush-confirmer.ts';
import { whatIsAt } from './regular-file.ts';
import { makeFolder } from './make-folder.ts';
import {
  fileLabelledAsPage,
  isPageType,
  looksLikeHtml,
  mediaTypeOf,
  readHead,
  refuseFirstPage,
  webPageError,
} from './web-page.ts';

/** The first request asks for this much; its answer tells size, range support and validators. */
const PROBE_WINDOW = 4 * 1024 * 1024;
/** Later requests ask for about this many seconds of data, so most splits fall between requests. */
const WINDOW_SECONDS = 2;
const MAX_WINDOW = 256 * 1024 * 1024;
/** Crawlers are judged at this granularity: at 100 ms, each round of replacements took ~0.2 s. */
const MONITOR_MS = 50;
/**
 * Journal saves while bytes flow: often, so a crash loses little, but spaced by how long the
 * last one took (where each fsyncs the data first), and never less than once a second.
 */
const JOURNAL_MIN_MS = 200;
const JOURNAL_MAX_MS = 1000;
/**
 * …and, where every save fsyncs (no boot id) and the file is written through the page cache,
 * whenever this much arrived since the last one: fast downloads then sync a little at a time
 * while bytes still flow, instead of waiting on one large final writeback (1 GiB: 3.2-4.4 s ->
 * 2.9 s here). Direct writes leave no dirty pages: a sync is then a disk-cache flush.
 */
const JOURNAL_BYTES = 32 * 1024 * 1024;
/** A new connection's speed is taken seriously after this long. */
const SPEED_KNOWN_MS = 250;
/** How often an idle connection looks for a crawler to overtake. */
const LINGER_MS = 200;
/** The reason idle connections are woken with: a constant, as a DOMException per piece costs. */
const WORK_CHANGED = Symbol('work changed');
/**
 * From this size on, a download first asks whether its disk has room for it. Smaller files do
 * not: a statfs each would cost the many-small-files case, and a disk that fills up pauses a
 * download as always.
 */
const ROOM_CHECK_MIN = 16 * 1024 * 1024;
/** Restarts from zero (file changed, ranges broken) before the task fails. */
const MAX_RESTARTS = 3;

/** Codes that mean "the bytes on disk no longer fit the server's file: start over". */
const RESTART_CODES = new Set([
  'VALIDATOR_CHANGED',
  'CONTENT_CHANGED',
  'SIZE_CHANGED',
  'RANGE_BROKEN',
]);
const CANNOT_RESUME = 'the server cannot resume; starting again from the beginning';
const NO_VALIDATOR =
  'the server gives no way to tell the file is unchanged (no ETag or Last-Modified): starting over';
const UNPROVEN_MISMATCH =
  'the file does not match its checksum, and the server gives no way to tell whether it changed while it downloaded (no ETag or Last-Modified): starting over once';
/** A full disk, under the download or under Braid's state: the task pauses until there is room. */
const RESUMABLE_ONCE_FIXED = new Set(['DISK_FULL', 'STORAGE_FAILED']);

export interface RunnerEnv {
  settings(): Settings;
  /** Where downloads added without a folder go now (the setting, or the platform's Downloads). */
  downloadDir(): string;
  readonly globalLimiter: RateLimiter;
  readonly hostLimiter: HostLimiter;
  /** Which hosts answer nothing, as all downloads found. */
  readonly hostHealth: HostHealth;
  readonly journal: ResumeJournal;
  /** Idle kept-alive connections shared by all tasks. */
  readonly pool: ConnectionPool;
  /** The OS's proxy per URL, for the "system" mode (EngineOptions.systemProxy). */
  readonly systemProxy: ProxyResolver | null;
  /** Final names held by tasks: a `.part` is this task's only under a name it holds. */
  readonly names: NameHolds;
  /** Metadata of the record changed (name, size, error) or verifying began: tell consumers. */
  changed(): void;
  /**
   * Whether the task still needs the network: false while it verifies and publishes its file
   * (fsyncs, a checksum), when its queue slot can start the next download.
   */
  transferring(active: boolean): void;
  /**
   * The OS boot the engine runs in (boot-id.ts). Where known, journal saves claim written bytes
   * without an fsync (a crash of ours loses nothing the OS holds), the data is fsynced every
   * `flushEveryMs` only, and a finished file is published without waiting for the disk: the
   * record's `unflushed` keeps the claims that are durable, for after a crash of the OS.
   * (A gigabyte's flush took 0.5-0.8 s on this VM, a third of its download, and the flushes
   * while bytes flowed stalled the direct writes beside them.)
   */
  readonly bootId: string | null;
  readonly flushEveryMs: number;
  log: EngineLog;
}

export type RunOutcome =
  | { kind: 'completed' }
  | { kind: 'failed'; error: TaskError }
  /** Stopped by a condition the user can fix (disk full): resumable once fixed. */
  | { kind: 'paused'; error: TaskError }
  | { kind: 'stopped' };

interface Worker {
  readonly id: number;
  transport: HttpTransport;
  meter: SpeedMeter;
  /** Aborts the current request only (slow replacement); the stop signal aborts everything. */
  kick: AbortController;
  /** Aborts on stop or kick: what every request and wait of this worker listens to. */
  signal: AbortSignal;
  kicked: boolean;
  /** Asked to close for good: the download was given fewer connections while it ran. */
  leaving: boolean;
  /** When its current connection was opened: its speed means something only after a while. */
  connectedAt: number;
  /** How long its current connection took to answer its first request; null until it has. */
  firstResponseMs: number | null;
  /** Speed over its last piece of work, for decisions made while it is idle. */
  lastRate: number;
  host: string;
  holdsSlot: boolean;
  /** The URL its last request went to: an expired signed link is judged by this, not by #url. */
  requestedUrl: string | null;
  /** Failed requests in all: how long it backs off. */
  failures: number;
  /** Its failed requests in a row since the download last received a byte. */
  streak: number;
}

const STOPPED = new DownloadError('STOPPED', 'stopped', { retryable: false });
const TAKEN_OVER = new DownloadError('TAKEN_OVER', 'its work was taken over', { retryable: true });
const FEWER = new DownloadError('FEWER', 'fewer connections asked for', { retryable: false });

/**
 * Runs one task from its record until it completes, fails or is stopped: probes, plans, keeps up
 * to N connections busy, replaces slow ones, retries what is retryable, journals progress, and
 * finally verifies and renames the `.part` file. The record object is shared with the engine.
 */
export class TaskRunner {
  readonly record: TaskRecord;
  readonly #env: RunnerEnv;
  readonly #limiter: RateLimiter;
  /** Its share of the global limit (an equal one among downloads) and its own limit. */
  readonly #takers: readonly RateTaker[];
  readonly #stop = new AbortController();
  /**
   * Read over its last second, or over ten under a speed limit: there bytes come in bursts of a
   * socket read (64 KiB: three seconds at 20 KB/s) with waits between, and over one second the
   * speed read "3× the limit", then "0 B/s".
   */
  readonly #meter = new SpeedMeter(10_000);
  readonly #workers = new Map<number, Worker>();
  readonly #loops = new Set<Promise<void>>();
  #nextWorkerId = 0;
  #planner: SegmentPlanner | null = null;
  #file: PartFile | null = null;
  #url: string;
  #noRanges = false;
  #restarts = 0;
  /** Started over once after a checksum mismatch that a change on the server may explain. */
  #checksumRetried = false;
  /** A first answer labelled as a page was looked into (see #probe). */
  #sniffedPage = false;
  readonly #badMirrors = new Set<string>();
  #fatal: DownloadError | null = null;
  /** Failed requests since the task last received a byte: the retry budget. */
  #failuresSinceProgress = 0;
  /** What the task waits for while it has failures and no new byte: shown on its row. */
  #retry: TaskRetry | null = null;
  /** How far the check of the finished file against its checksum is: shown on its row. */
  #verifying: TaskVerifying | null = null;
  #transferDone: { resolve(): void; reject(error: unknown): void } | null = null;
  /** Aborted (and replaced) whenever a segment is given back or finished: wakes idle connections. */
  #workChanged = new AbortController();
  #startedAt = 0;
  #receivedThisRun = 0;
  #lastJournalWritten = -1;
  #flushDue: number;
  #running: Promise<RunOutcome> | null = null;

  constructor(record: TaskRecord, env: RunnerEnv) {
    this.record = record;
    this.#env = env;
    this.#flushDue = performance.now() + env.flushEveryMs;
    this.#limiter = new RateLimiter(record.options.limit);
    this.#takers = [env.globalLimiter.share(), this.#limiter];
    this.#url = record.url;
  }

  run(): Promise<RunOutcome> {
    this.#running ??= this.#run();
    return this.#running;
  }

  /** Stops every connection, writes what arrived, saves the journal; run() then resolves 'stopped'. */
  async stop(): Promise<void> {
    this.#stop.abort(STOPPED);
    this.#transferDone?.reject(STOPPED);
    await this.#running;
  }

  setLimit(bytesPerSecond: number): void {
    this.#limiter.setRate(bytesPerSecond);
  }

  get partPath(): string | null {
    return this.record.fileName ? join(this.record.dir, this.record.fileName + PART_SUFFIX) : null;
  }

  /**
   * Over the last second, or under a speed limit that sets the pace over ten, and never above
   * that limit: the bucket's first burst would read as twice the limit for seconds.
   */
  #speed(): number {
    let limit = Infinity;
    for (const l of [this.#limiter, this.#env.globalLimiter])
      if (l.binding) limit = Math.min(limit, l.rate);
    return limit === Infinity ? this.#meter.rate(1000) : Math.min(limit, this.#meter.rate());
  }

  progress(): TaskProgress {
    const planner = this.#planner;
    // Until the plan is rebuilt on resume, the journal knows what is on disk.
    if (!planner) return { ...idleProgress(this.record), retry: this.#retry };
    const downloaded = planner.received;
    const speed = this.#speed();
    const size = this.record.size;
    const elapsed = (performance.now() - this.#startedAt) / 1000;
    return {
      id: this.record.id,
      downloaded,
      size,
      speed,
      averageSpeed: elapsed > 0 ? this.#receivedThisRun / elapsed : 0,
      eta: size !== null && speed > 0 ? Math.max(0, (size - downloaded) / speed) : null,
      connections: this.#workers.size,
      segments: snapshotSegments(planner.segments),
      retry: this.#retry,
      // A copy: hashing moves it on while a snapshot taken earlier is still being read.
      verifying: this.#verifying && { ...this.#verifying },
    };
  }

  async #run(): Promise<RunOutcome> {
    this.#startedAt = performance.now();
    const monitor = setInterval(() => this.#monitor(), MONITOR_MS);
    try {
      for (;;) {
        try {
          await this.#prepare();
          if (!this.#planner?.isComplete()) await this.#transfer();
          this.#env.transferring(false);
          await this.#finalize();
          return { kind: 'completed' };
        } catch (caught) {
          const error = toDownloadError(caught);
          if (this.#stop.signal.aborted) return { kind: 'stopped' };
          const why = this.#restartFor(error);
          if (why !== null) {
            this.#startingOver(this.#planner?.written ?? 0, error.code, why);
            // The last try is one plain request, as curl makes: no second answer to disagree
            // with the first (servers behind a balancer whose ETags differ per machine).
            if (error.code === 'RANGE_BROKEN' || this.#restarts === MAX_RESTARTS) {
              this.#noRanges = true;
            }
            // A file found wrong while finishing is fetched again: it needs its slot back.
            this.#env.transferring(true);
            await this.#startOver();
            continue;
          }
          const message = RESTART_CODES.has(error.code)
            ? `gave up after starting over ${MAX_RESTARTS} times: ${error.message.split(';')[0]}`
            : error.message;
          const taskError = { code: error.code, message };
          if (RESUMABLE_ONCE_FIXED.has(error.code)) return { kind: 'paused', error: taskError };
          return { kind: 'failed', error: taskError };
        }
      }
    } finally {
      clearInterval(monitor);
      await this.#shutdown();
    }
  }

  /** Why `error` means fetching the file again from zero (said in the log), or null if not. */
  #restartFor(error: DownloadError): string | null {
    if (RESTART_CODES.has(error.code) && this.#restarts < MAX_RESTARTS) {
      this.#restarts++;
      return error.message;
    }
    // Pieces fetched at different times from a server without validators may be of two
    // versions, which only the checksum saw: one download from zero settles it.
    if (
      error.code === 'CHECKSUM_MISMATCH' &&
      showsNoValidator(this.record) &&
      !this.#checksumRetried
    ) {
      this.#checksumRetried = true;
      return UNPROVEN_MISMATCH;
    }
    return null;
  }

  /** Opens the `.part` file of a resumable task, or drops progress that cannot be trusted. */
  async #prepare(): Promise<void> {
    const r = this.record;
    if (this.#planner || this.#file) return;
    if (!this.#holdsName()) {
      // The name went to another download (this one was canceled) or was never this one's:
      // whatever `.part` it has is not ours to open or delete. #ensureFile picks a name again.
      this.#resetRecord();
      return;
    }
    if (r.finalizing && (await this.#finishedBeforeCrash())) return;
    const part = this.partPath;
    if (part && r.kept && !(await exists(part))) await this.#copyKept(part);
    if (!part || r.size === null || !r.segments || !r.resumable) {
      if (part && r.resumable === false) {
        const kept = await lstat(part).then(
          (stat) => stat.size,
          () => 0,
        );
        if (kept > 0) this.#startingOver(kept, 'NOT_RESUMABLE', CANNOT_RESUME);
      }
      if (part) await rm(part, { force: true });
      this.#resetRecord();
      return;
    }
    if (!SegmentPlanner.isValidSaved(r.segments, r.size)) {
      await rm(part, { force: true });
      this.#resetRecord();
      return;
    }
    let file: PartFile;
    try {
      file = await PartFile.open(part, { direct: this.#writesDirect() });
    } catch {
      this.#resetRecord();
      return;
    }
    const planner = new SegmentPlanner(r.size, this.#env.settings().minSegmentSize, r.segments);
    // A journal claiming bytes beyond the file's end was not written by us: trust nothing.
    if ((await file.size()) < planner.writtenExtent) {
      await file.truncate(0);
      this.#file = file;
      this.#resetRecord();
      return;
    }
    // Without validators, nothing shows the server's file is still the one these bytes came
    // from: the rest could be of a new version of the same size. A checksum tells (#restartFor).
    if (showsNoValidator(r) && !r.options.checksum && !planner.isComplete()) {
      if (planner.written > 0) this.#startingOver(planner.written, 'NO_VALIDATOR', NO_VALIDATOR);
      await file.truncate(0);
      this.#file = file;
      this.#resetRecord();
      return;
    }
    this.#file = file;
    this.#planner = planner;
    this.#lastJournalWritten = planner.written;
  }

  /**
   * Begins the copy fetched beside a kept file (TaskRecord.kept) with the bytes of it the disk had
   * before the OS went down: copied, not downloaded (cloned where the filesystem can), and flushed
   * before the record claims them. Unless that file is still under its name, nothing is copied
   * and the download starts from zero.
   */
  async #copyKept(part: string): Promise<void> {
    const r = this.record;
    const kept = r.kept!;
    if (kept.segments.length === 0 || !r.resumable) return;
    const final = join(r.dir, r.fileName!);
    if ((await whatIsAt(final, keptIdentity(kept))) !== 'same') return;
    await copyFile(final, part, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    const copy = await open(part, 'r+');
    try {
      await copy.datasync();
    } finally {
      await copy.close();
    }
    r.segments = kept.segments;
  }

  /** Whether this task holds the name its record gives (true for none). */
  #holdsName(): boolean {
    const r = this.record;
    return !r.fileName || this.#env.names.holds(r.dir, r.fileName, r.id);
  }

  /**
   * Names the file `name` in the record, moving this task's hold there; false, changing nothing,
   * when another task holds it (it took the name while this one looked it up).
   */
  #holdName(name: string): boolean {
    const r = this.record;
    if (this.#heldByOther(name)) return false;
    if (r.fileName) this.#env.names.release(r.dir, r.fileName, r.id);
    r.fileName = name;
    this.#env.names.hold(r.dir, name, r.id);
    return true;
  }

  /** The folder of a task added without one: the download folder, or its category's. */
  #autoFolder(fileName: string): string {
    const settings = this.#env.settings();
    const category = settings.useCategories ? categoryOf(fileName, settings.categories) : null;
    const base = this.#env.downloadDir();
    return category ? categoryDir(category, base) : base;
  }

  /** Makes `dir` the task's folder; a name it held elsewhere is let go, to be chosen there. */
  #moveTo(dir: string): void {
    const r = this.record;
    if (dir === r.dir) return;
    if (r.fileName) this.#env.names.release(r.dir, r.fileName, r.id);
    r.fileName = null;
    r.dir = dir;
  }

  /** Whether another task holds `name` in the record's folder. */
  #heldByOther = (name: string): boolean =>
    this.#env.names.heldByOther(this.record.dir, name, this.record.id);

  /** The previous run crashed between journaling "finalizing" and renaming: check the result. */
  async #finishedBeforeCrash(): Promise<boolean> {
    const r = this.record;
    if (!r.fileName || r.size === null) return false;
    const part = join(r.dir, r.fileName + PART_SUFFIX);
    const from = r.movingFrom;
    // Stopped before moving its `.part` to the fresh name it journaled: the move is made now.
    if (from && !this.#heldByOther(from) && !(await exists(part))) {
      await rename(join(r.dir, from + PART_SUFFIX), part).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      });
    }
    r.movingFrom = null;
    if (await exists(part)) {
      // Not renamed yet: verify and publish again.
      r.finalizing = false;
      return false;
    }
    try {
      const stat = await lstat(join(r.dir, r.fileName));
      if (stat.isFile() && stat.size === r.size) {
        this.#planner = new SegmentPlanner(r.size, 1, [[0, r.size, r.size]]);
        return true;
      }
    } catch {
      // Fall through: nothing usable, download again.
    }
    r.finalizing = false;
    return false;
  }

  #resetRecord(): void {
    const r = this.record;
    r.size = null;
    r.segments = null;
    r.etag = null;
    r.lastModified = null;
    r.contentType = null;
    r.resumable = null;
    r.finalizing = false;
    r.movingFrom = null;
    r.unflushed = null;
  }

  /** Said at every start from zero, with the downloaded bytes that throws away: else unseen. */
  #startingOver(discarded: number, code: string, message: string): void {
    this.#env.log({ level: 'warn', event: 'started_over', code, message, bytes: discarded });
  }

  async #startOver(): Promise<void> {
    this.#planner = null;
    this.#fatal = null;
    this.#sniffedPage = false;
    this.#failuresSinceProgress = 0;
    for (const w of this.#workers.values()) w.streak = 0;
    this.#retry = null;
    this.#resetRecord();
    await this.#file?.truncate(0);
    await this.#saveJournal();
  }

  /** Keeps workers running until every byte is written or something fatal happens. */
  #transfer(): Promise<void> {
    if (this.#stop.signal.aborted) return Promise.reject(STOPPED);
    const done = new Promise<void>((resolve, reject) => {
      this.#transferDone = { resolve, reject };
    });
    const unplan = planConnections(this.record.options.connections);
    this.#spawnWorker(true);
    return done.finally(() => {
      unplan();
      this.#transferDone = null;
    });
  }

  #targetConnections(): number {
    if (!this.#planner || this.#noRanges || !this.record.resumable || this.record.size === null) {
      return 1;
    }
    return this.record.options.connections;
  }

  #spawnWorker(first: boolean): boolean {
    const host = new URL(this.#url).host;
    const holdsSlot = this.#env.hostLimiter.tryAcquire(host);
    // Every running task keeps one connection even when its host is saturated.
    if (!holdsSlot && !first) return false;
    const settings = this.#env.settings();
    const kick = new AbortController();
    const worker: Worker = {
      id: this.#nextWorkerId++,
      transport: createTransport(settings, {
        pool: this.#env.pool,
        systemProxy: this.#env.systemProxy,
      }),
      meter: new SpeedMeter(2000),
      kick,
      signal: AbortSignal.any([this.#stop.signal, kick.signal]),
      kicked: false,
      leaving: false,
      connectedAt: performance.now(),
      firstResponseMs: null,
      lastRate: 0,
      host,
      holdsSlot,
      failures: 0,
      streak: 0,
      requestedUrl: null,
    };
    this.#workers.set(worker.id, worker);
    const loop = this.#workerLoop(worker).finally(() => {
      this.#loops.delete(loop);
      this.#workerExited(worker);
    });
    this.#loops.add(loop);
    return true;
  }

  #workerExited(worker: Worker): void {
    this.#workers.delete(worker.id);
    if (worker.holdsSlot) this.#env.hostLimiter.release(worker.host);
    worker.transport.close();
    if (this.#workers.size > 0 || !this.#transferDone) return;
    if (this.#stop.signal.aborted) this.#transferDone.reject(STOPPED);
    else if (this.#fatal) this.#transferDone.reject(this.#fatal);
    else if (this.#planner?.isComplete()) this.#transferDone.resolve();
    else this.#spawnWorker(true); // work is left but everyone backed off: keep one going
  }

  async #workerLoop(worker: Worker): Promise<void> {
    while (!this.#stop.signal.aborted && !this.#fatal && !worker.leaving) {
      // Kicked just as its request ended, the kick found nothing to abort: taken here, or its
      // aborted signal would end every linger at once (a loop that never yields).
      if (worker.kicked) this.#freshConnection(worker);
      try {
        if (!this.#planner) {
          await this.#probe(worker);
          continue;
        }
        const segment = this.#planner.claim(worker.id, {
          speedOf: (id) => this.#speedOf(id),
          fallbackSpeed: this.#medianSpeed(),
        });
        if (!segment) {
          // A fast connection stays around while others work: it may overtake a crawler soon.
          if (!this.#worthLingering(worker, this.#planner)) return;
          // Woken early when work is given back (a kicked crawler's rest) or the last piece
          // finishes, so neither waits out the interval.
          await sleep(LINGER_MS, AbortSignal.any([worker.signal, this.#workChanged.signal]));
          continue;
        }
        this.#abortEmptied(this.#planner);
        await this.#fetchSegment(worker, segment);
        worker.lastRate = worker.meter.rate();
      } catch (caught) {
        if (this.#stop.signal.aborted || this.#fatal || worker.leaving) return;
        if (worker.kicked) continue; // replaced at the top of the loop
        const error = toDownloadError(caught);
        if (!(await this.#handleFailure(worker, error))) return;
      }
    }
  }

  /** Replaced for crawling, or its work taken: a fresh connection (new socket) goes on from here. */
  #freshConnection(worker: Worker): void {
    worker.kicked = false;
    worker.kick = new AbortController();
    worker.signal = AbortSignal.any([this.#stop.signal, worker.kick.signal]);
    worker.transport.close();
    // Not from the pool: the point is a new socket, which the server may treat better.
    worker.transport = createTransport(this.#env.settings(), {
      systemProxy: this.#env.systemProxy,
    });
    worker.meter = new SpeedMeter(2000);
    worker.connectedAt = performance.now();
    worker.firstResponseMs = null;
  }

  /** Decides what a failed request means; false ends this worker. */
  async #handleFailure(worker: Worker, error: DownloadError): Promise<boolean> {
    const health = this.#env.hostHealth;
    const noAnswer = health.failed(worker.host, error);
    if (error.overload) {
      this.#env.hostLimiter.overload(worker.host);
      // Fewer connections is the answer to an overloaded server, not more retries.
      if (this.#workers.size > 1) return false;
    }
    // Another connection may already have gone back to the original URL: what matters is whether
    // this failed request went to a redirect target. Expired, some answer a page ("link expired").
    const expiredRedirect =
      worker.requestedUrl !== null &&
      worker.requestedUrl !== this.record.url &&
      ([401, 403, 404, 410].includes(error.status ?? 0) || error.code === 'WEB_PAGE');
    if (expiredRedirect) {
      // Signed CDN links expire: ask the original URL for a fresh one, keeping verified bytes.
      this.#url = this.record.url;
    }
    if (!error.retryable && !expiredRedirect) {
      this.#setFatal(error);
      return false;
    }
    if (this.#planner && (!this.record.resumable || this.record.size === null)) {
      // Without ranges the only way to continue is from the start.
      this.#startingOver(this.#planner.written, 'NOT_RESUMABLE', CANNOT_RESUME);
      this.#planner = null;
      await this.#file?.truncate(0);
    }
    // Connections that fail together (a server that stalls them all) are one failed attempt of
    // the download, not one each: eight connections gave up after two read timeouts instead of
    // eleven. The count is the longest run of failures of any one connection.
    worker.streak++;
    this.#failuresSinceProgress = Math.max(this.#failuresSinceProgress, worker.streak);
    const hostDown = noAnswer && health.isDown(worker.host);
    if (hostDown || this.#failuresSinceProgress > this.#env.settings().maxRetries) {
      if (noAnswer) health.gaveUp(worker.host);
      const why = hostDown
        ? `${worker.host} has answered nothing since another download gave up on it`
        : `gave up after ${attempts(this.#failuresSinceProgress)}`;
      this.#setFatal(
        new DownloadError(error.code, `${error.message} (${why})`, {
          retryable: false,
          status: error.status,
        }),
      );
      return false;
    }
    worker.failures++;
    const delayMs = expiredRedirect ? 0 : retryDelay(error, worker.failures - 1);
    this.#retry = {
      attempt: this.#failuresSinceProgress,
      // The first request and its retries: "attempt 10 of 11 failed" before giving up after 11.
      maxAttempts: this.#env.settings().maxRetries + 1,
      at: Date.now() + delayMs,
      message: error.message,
    };
    this.#env.log({
      level: 'warn',
      event: expiredRedirect ? 'redirect_expired' : 'retry',
      code: error.code,
      status: error.status,
      message: error.message,
      host: worker.host,
      attempt: this.#failuresSinceProgress,
      delayMs,
    });
    if (delayMs > 0) await sleep(delayMs, this.#stop.signal);
    return true;
  }

  #setFatal(error: DownloadError): void {
    if (this.#fatal) return;
    this.#fatal = error;
    for (const w of this.#workers.values()) w.kick.abort(error);
  }

  /** The first request: learns size, range support, validators and the name, then keeps streaming. */
  async #probe(worker: Worker): Promise<void> {
    const asked = performance.now();
    const res = await openRange({
      url: this.record.url,
      range: this.#noRanges ? null : { start: 0, end: PROBE_WINDOW },
      ifRange: null,
      headers: this.record.options.headers,
      credentialsOrigin: this.#linkOrigin,
      transport: worker.transport,
      signal: worker.signal,
    });
    worker.firstResponseMs ??= performance.now() - asked;
    const r = this.record;
    let size: number | null;
    let requestEnd: number;
    if (res.status === 416) {
      if (res.unsatisfiedTotal !== 0)
        throw protocolError('RANGE_BROKEN', 'server refused the first range');
      size = 0;
      requestEnd = 0;
      r.resumable = true;
    } else if (res.status === 206) {
      const cr = res.contentRange;
      if (!cr || cr.start !== 0 || cr.total === null) {
        res.body.destroy();
        throw protocolError('RANGE_BROKEN', 'server sent an unusable Content-Range');
      }
      size = cr.total;
      requestEnd = cr.end;
      r.resumable = true;
    } else {
      size = res.contentLength;
      requestEnd = Infinity;
      r.resumable = false;
    }
    this.#env.hostLimiter.success(worker.host);
    this.#env.hostHealth.answered(worker.host);
    if (size !== null && r.options.maxSize !== null && size > r.options.maxSize) {
      res.body.destroy();
      throw tooLarge(r.options.maxSize, size);
    }
    if (
      !this.#sniffedPage &&
      (await refuseFirstPage(res, this.#naming(res), new URL(this.record.url)))
    ) {
      // Only labelled as a page: asked for again, and this time taken as the file it is.
      this.#sniffedPage = true;
      return;
    }
    if (r.kept && (size !== r.kept.size || sameFile(r.kept, res) === false)) {
      res.body.destroy();
      throw protocolError('FILE_CHANGED', 'the server has another version of the file now');
    }
    this.#url = res.url;
    r.size = size;
    this.#env.log({
      level: 'info',
      event: 'probed',
      url: redactUrl(res.url),
      status: res.status,
      host: worker.host,
      bytes: size ?? undefined,
    });
    r.etag = res.etag;
    r.lastModified = res.lastModified;
    r.contentType = mediaTypeOf(res.headers);
    try {
      await this.#ensureFile(res);
      if (size !== null && size >= ROOM_CHECK_MIN) await checkRoom(r.dir, size);
    } catch (error) {
      res.body.destroy();
      throw error;
    }
    const planner = new SegmentPlanner(size, this.#env.settings().minSegmentSize);
    // Claimed before any await: the monitor may add workers as soon as a plan exists.
    const segment = planner.claim(worker.id, { speedOf: () => null, fallbackSpeed: null });
    if (segment) segment.requestEnd = requestEnd;
    this.#planner = planner;
    this.#env.changed();
    if (!segment || res.status === 416) return;
    this.#addWorkers(planner);
    await this.#fetchSegment(worker, segment, res);
  }

  /** Big files bypass the page cache (see PartFile); small ones stay cached for whoever opens them next. */
  #writesDirect(): boolean {
    const min = this.#env.settings().directWriteMinSize;
    return min > 0 && this.record.size !== null && this.record.size >= min;
  }

  /** What names the file: the user's choice, then the response. */
  #naming(res: RangeResponse): FileNameSources {
    return {
      contentDisposition: header(res.headers, 'content-disposition'),
      url: new URL(res.url),
      override: this.record.requestedName,
      contentType: mediaTypeOf(res.headers),
    };
  }

  /** Picks the final name (once per task) and creates or truncates its `.part` file. */
  async #ensureFile(res: RangeResponse): Promise<void> {
    const r = this.record;
    if (this.#file) {
      await this.#file.truncate(0);
      return;
    }
    const wanted = chooseFileName(this.#naming(res));
    // By the real name and the settings of now, not of when it was added; and again at the next
    // start until the `.part` is made there (below): a folder that could not be made is not kept.
    if (r.autoDir) this.#moveTo(this.#autoFolder(wanted));
    // Names taken after they were looked up: another process's `.part`, or another download
    // here that looked at the same time and held the name first.
    const taken = new Set<string>();
    let base = r.fileName ?? wanted;
    let madeDir = false;
    for (;;) {
      // A kept file's copy is fetched beside it, under its name (TaskRecord.kept).
      const name =
        r.kept && r.fileName && !taken.has(r.fileName)
          ? r.fileName
          : await uniqueFileName(
              r.dir,
              base,
              (candidate) => taken.has(candidate) || this.#heldByOther(candidate),
            );
      if (!this.#holdName(name)) {
        taken.add(name);
        continue;
      }
      // The record names the `.part` before it exists: killed right after creating it, the next
      // run finds its own `.part` by that name and starts it afresh (#prepare), where it used to
      // leave it behind and pick "name (1)". The name was just found free, so it is not someone
      // else's file that #prepare would delete.
      await this.#saveJournal();
      try {
        this.#file = await PartFile.create(join(r.dir, name + PART_SUFFIX), {
          direct: this.#writesDirect(),
        });
        // Its file is there: the folder does not move on a later restart.
        r.autoDir = false;
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && !madeDir) {
          // The folder is made when missing, not checked first: with many small files a mkdir
          // per download was 2 % of the CPU.
          await makeFolder(r.dir);
          madeDir = true;
          continue;
        }
        if (code !== 'EEXIST') throw error;
        taken.add(name);
        base = wanted;
      }
    }
  }

  /**
   * Downloads a segment in windows of a couple of seconds each until it is complete or another
   * worker has taken the rest. Writes settle before the segment is handed back.
   */
  async #fetchSegment(worker: Worker, segment: Segment, first?: RangeResponse): Promise<void> {
    const file = this.#file;
    const planner = this.#planner;
    if (!file || !planner) throw protocolError('INTERNAL', 'no file to write to');
    const writer = new SegmentWriter(file, segment, () => undefined);
    let failure: unknown = null;
    try {
      let res = first;
      while (segment.pos < segment.end) {
        if (!res) {
          const windowEnd = Math.min(segment.end, segment.pos + this.#windowFor(worker));
          segment.requestEnd = windowEnd;
          this.#env.log({
            level: 'debug',
            event: 'segment_started',
            host: worker.host,
            start: segment.pos,
            end: windowEnd,
          });
          const kept = await this.#keptBefore(segment, writer);
          const asked = performance.now();
          res = await this.#request(worker, segment.pos, windowEnd, kept);
          worker.firstResponseMs ??= performance.now() - asked;
        }
        const limit = res.status === 206 && res.contentRange ? res.contentRange.end : Infinity;
        const began = performance.now();
        const got = await this.#stream(worker, segment, writer, res.body, limit);
        this.#env.log({
          level: 'debug',
          event: 'segment_done',
          host: worker.host,
          status: res.status,
          bytes: got,
          durationMs: Math.round(performance.now() - began),
        });
        res = undefined;
        if (segment.end === Infinity) {
          // No length known: a clean end of body is the end of the file.
          planner.closeUnknownEnd(segment.pos);
          this.record.size = segment.pos;
          this.#env.changed();
        } else if (got === 0 && segment.pos < segment.end) {
          throw new DownloadError('EMPTY_RESPONSE', 'the server sent no data', { retryable: true });
        }
      }
    } catch (error) {
      failure = error;
    }
    try {
      await writer.flush();
    } catch (error) {
      failure = error; // a disk error outranks whatever the network did
    }
    if (segment.written < segment.end) planner.release(segment);
    else segment.owner = null;
    this.#workChanged.abort(WORK_CHANGED);
    this.#workChanged = new AbortController();
    if (failure) throw failure;
  }

  #windowFor(worker: Worker): number {
    const min = this.#env.settings().minSegmentSize;
    const wanted = Math.max(min, worker.meter.rate() * WINDOW_SECONDS, PROBE_WINDOW);
    return Math.floor(Math.min(MAX_WINDOW, wanted));
  }

  /**
   * The bytes on disk just before `segment.pos`, for a request to ask again and compare, where
   * the server shows no validators; null elsewhere, or when none are on disk yet.
   */
  async #keptBefore(segment: Segment, writer: SegmentWriter): Promise<Buffer | null> {
    if (!showsNoValidator(this.record) || !this.#file || !this.#planner) return null;
    // The bytes this segment took are to be compared on disk, not in the writer's buffer.
    await writer.settle();
    const from = Math.max(this.#planner.writtenRunStart(segment.pos), segment.pos - OVERLAP_BYTES);
    if (from === segment.pos) return null;
    const kept = await this.#file.readAt(from, segment.pos - from);
    // Short only if something else cut the `.part`: then there is nothing to compare with.
    return kept.length === segment.pos - from ? kept : null;
  }

  /** The origin the download's credentials were given for: its own link's, not a redirect's. */
  get #linkOrigin(): string {
    return new URL(this.record.url).origin;
  }

  /** Mirrors take a share of the connections once the primary told size and validators. */
  #mirrorFor(worker: Worker): string | null {
    const r = this.record;
    if (r.options.mirrors.length === 0 || !r.resumable || r.size === null) return null;
    if (!hasValidator(r)) {
      // Nothing a mirror could answer would prove it the same file: none is asked.
      for (const m of r.options.mirrors) this.#dropMirror(m, NOTHING_TO_COMPARE);
      return null;
    }
    const usable = r.options.mirrors.filter((m) => !this.#badMirrors.has(m));
    if (usable.length === 0) return null;
    const slot = worker.id % (usable.length + 1);
    return slot === 0 ? null : (usable[slot - 1] ?? null);
  }

  /** A range from a mirror, accepted only if it is provably the same file; else the mirror is dropped. */
  async #requestMirror(
    worker: Worker,
    url: string,
    start: number,
    end: number,
  ): Promise<RangeResponse> {
    const r = this.record;
    let res: RangeResponse;
    try {
      res = await openRange({
        url,
        range: { start, end },
        ifRange: null,
        // Credentials were given for the link's origin: a mirror elsewhere is not sent them.
        headers: r.options.headers,
        credentialsOrigin: this.#linkOrigin,
        transport: worker.transport,
        signal: worker.signal,
      });
    } catch (error) {
      if (!worker.signal.aborted) this.#dropMirror(url, (error as Error).message);
      throw error;
    }
    const cr = res.contentRange;
    const problem =
      res.status !== 206 || !cr || cr.start !== start
        ? 'it does not serve the ranges asked'
        : cr.total !== r.size
          ? `its size ${cr.total} differs from ${r.size}`
          : mirrorMismatch(r, res);
    if (problem) {
      res.body.destroy();
      this.#dropMirror(url, problem);
      throw new DownloadError('MIRROR_MISMATCH', `mirror ${redactUrl(url)} dropped: ${problem}`, {
        retryable: true,
      });
    }
    worker.requestedUrl = url;
    return res;
  }

  #dropMirror(url: string, reason: string): void {
    if (this.#badMirrors.has(url)) return;
    this.#badMirrors.add(url);
    this.#env.log({ level: 'warn', event: 'mirror_dropped', url: redactUrl(url), message: reason });
  }

  /**
   * A ranged request for [start, end) that must continue exactly the file we already have; with
   * `kept`, the bytes just before `start`, which the answer must repeat.
   */
  async #request(
    worker: Worker,
    start: number,
    end: number,
    kept: Buffer | null,
  ): Promise<RangeResponse> {
    const mirror = this.#mirrorFor(worker);
    if (mirror) return this.#requestMirror(worker, mirror, start, end);
    const r = this.record;
    const validator = ifRangeValidator(r.etag, r.lastModified);
    const from = start - (kept?.length ?? 0);
    worker.requestedUrl = this.#url;
    const res = await openRange({
      url: this.#url,
      range: { start: from, end },
      ifRange: validator,
      headers: r.options.headers,
      // #url may be where the link redirected: the credentials still belong to the link's origin.
      credentialsOrigin: this.#linkOrigin,
      transport: worker.transport,
      signal: worker.signal,
    });
    if (res.status === 416) {
      throw protocolError('SIZE_CHANGED', 'the file on the server got shorter');
    }
    if (isPageType(mediaTypeOf(res.headers)) && (await this.#pageInstead(res))) {
      // Not a new version to start over with: the bytes kept wait for the link to work again.
      res.body.destroy();
      throw webPageError('the rest of the file', true);
    }
    if (res.status === 200) {
      res.body.destroy();
      const changed =
        (r.etag !== null && res.etag !== r.etag) ||
        (r.etag === null && r.lastModified !== null && res.lastModified !== r.lastModified);
      throw changed
        ? protocolError('VALIDATOR_CHANGED', 'the file changed on the server; starting over')
        : protocolError('RANGE_BROKEN', CANNOT_RESUME);
    }
    const cr = res.contentRange;
    if (!cr || cr.start !== from) {
      res.body.destroy();
      throw protocolError(
        'RANGE_BROKEN',
        `the server answered a different range than asked (${header(res.headers, 'content-range')})`,
      );
    }
    if (cr.total !== null && cr.total !== r.size) {
      res.body.destroy();
      throw protocolError('SIZE_CHANGED', 'the file size changed on the server; starting over');
    }
    // If-Range asked the server to send the whole new file if it changed; one that ignores it
    // sends a range of the new file, which its validators give away.
    if (
      (r.etag !== null && res.etag !== null && res.etag !== r.etag) ||
      sameFile(r, res) === false
    ) {
      res.body.destroy();
      throw protocolError('VALIDATOR_CHANGED', 'the file changed on the server; starting over');
    }
    this.#url = res.url;
    this.#env.hostLimiter.success(worker.host);
    this.#env.hostHealth.answered(worker.host);
    return kept ? { ...res, body: afterOverlap(res.body, kept) } : res;
  }

  /**
   * Whether an answer labelled as a page, for the rest of the file, is one instead of the file.
   * The first answer's type says whether the file is a page. Without it (a record of a version
   * that did not keep it, or a first answer that gave none), a page is told as in #probe, by the
   * name and by the bytes of a whole answer: the ranges of a file its server labels text/html
   * still fit the bytes kept.
   */
  async #pageInstead(res: RangeResponse): Promise<boolean> {
    const { contentType, fileName } = this.record;
    if (contentType !== null) return !isPageType(contentType);
    if (res.status !== 200 || fileLabelledAsPage(res.headers, [fileName]) === null) return false;
    return looksLikeHtml(await readHead(res.body));
  }

  /** Moves bytes from a response into the segment; returns how many it took. */
  async #stream(
    worker: Worker,
    segment: Segment,
    writer: SegmentWriter,
    body: HttpBody,
    limit: number,
  ): Promise<number> {
    const limiters = this.#takers;
    const signal = worker.signal;
    const max = this.record.options.maxSize;
    let got = 0;
    // A wait the connection may not have honoured because the body ended with that read.
    let tail: Promise<void> | undefined;
    // The segment's end moves down when another worker steals the rest; the response may lie.
    const room = () => Math.min(segment.end, limit) - segment.pos;
    await body.pipe({
      space: () => writer.space(Math.min(room(), readCap(limiters))),
      hasRoom: () => writer.hasRoom(),
      took: (n) => {
        const k = Math.min(n, room());
        if (k <= 0) return false;
        segment.pos += k;
        got += k;
        // A body of unknown length that keeps coming is cut at the task's size limit.
        if (max !== null && segment.pos > max) throw tooLarge(max, null);
        this.#receivedThisRun += k;
        worker.meter.add(k);
        this.#meter.add(k);
        if (this.#retry !== null) {
          this.#retry = null;
          // Bytes a failure throws away (no ranges: it starts from zero) are no progress: a
          // server that always cuts the file short must not be retried for ever.
          if (this.record.resumable && this.record.size !== null) {
            this.#failuresSinceProgress = 0;
            for (const w of this.#workers.values()) w.streak = 0;
          }
        }
        const diskWait = writer.took(k, performance.now());
        const rateWait = takeAll(limiters, k, signal);
        tail =
          diskWait && rateWait
            ? Promise.all([diskWait, rateWait]).then(() => undefined)
            : (diskWait ?? rateWait);
        tail?.catch(() => undefined);
        return k < n || room() <= 0 ? false : tail;
      },
    });
    if (tail) await tail;
    return got;
  }

  #speedOf(id: number): number | null {
    const w = this.#workers.get(id);
    if (!w || performance.now() - w.connectedAt < SPEED_KNOWN_MS) return null;
    // An idle connection's meter decays; what it did on its last piece is what it can do.
    return this.#planner?.segments.some((s) => s.owner === id) ? w.meter.rate() : w.lastRate;
  }

  #worthLingering(worker: Worker, planner: SegmentPlanner): boolean {
    const busy = planner.segments.filter((s) => s.owner !== null && s.owner !== worker.id);
    if (busy.length === 0) return false;
    const others = busy.map((s) => this.#speedOf(s.owner!)).filter((v): v is number => v !== null);
    const mid = median(others);
    return mid === null || worker.lastRate >= mid;
  }

  #medianSpeed(): number | null {
    const speeds: number[] = [];
    for (const w of this.#workers.values()) {
      const s = this.#speedOf(w.id);
      if (s !== null) speeds.push(s);
    }
    return median(speeds);
  }

  /** Periodic: add connections while there is work, replace crawlers, journal progress. */
  #monitor(): void {
    const planner = this.#planner;
    if (!planner || !this.#transferDone || this.#stop.signal.aborted || this.#fatal) return;
    this.#addWorkers(planner);
    this.#dropExtraWorkers(planner);
    this.#replaceSlowWorkers(planner);
    const now = performance.now();
    const unsynced = planner.written - this.#lastJournalWritten;
    if (
      !this.#journaling &&
      unsynced !== 0 &&
      (now >= this.#journalDue ||
        (unsynced >= JOURNAL_BYTES && !this.#file?.direct && this.#env.bootId === null))
    ) {
      this.#journaling = true;
      this.#lastJournalWritten = planner.written;
      void this.#checkPart()
        .then(() => this.#saveJournal())
        .catch(() => undefined)
        .finally(() => {
          const took = performance.now() - now;
          this.#journalDue = now + Math.min(JOURNAL_MAX_MS, Math.max(JOURNAL_MIN_MS, 4 * took));
          this.#journaling = false;
        });
    }
  }

  #journaling = false;
  #journalDue = 0;

  /**
   * Its `.part` deleted, moved or replaced while bytes flow (or its folder): the download stops
   * now, instead of fetching the whole file into one that nobody will see. An error looking
   * (EACCES…) decides nothing: publishing says it, if it lasts.
   */
  async #checkPart(): Promise<void> {
    const file = this.#file;
    if (!file) return;
    try {
      await checkPart(file.path, file.identity);
    } catch (error) {
      if (error instanceof DownloadError && this.#file === file) this.#setFatal(error);
      throw error;
    }
  }

  #addWorkers(planner: SegmentPlanner): void {
    const target = this.#targetConnections();
    while (this.#workers.size < target && planner.hasWork()) {
      if (!this.#spawnWorker(false)) break;
    }
  }

  /**
   * A connection whose whole rest was just taken over has nothing left to fetch: its request is
   * ended now, not when its bytes arrive — a stalled one would hold the download for its read
   * timeout. It goes on with other work on a fresh connection.
   */
  #abortEmptied(planner: SegmentPlanner): void {
    for (const s of planner.segments) {
      // Asking for bytes past its end: the end moved to where it stood (not a finishing piece).
      if (s.owner === null || s.pos < s.end || s.requestEnd <= s.end) continue;
      const owner = this.#workers.get(s.owner);
      if (!owner || owner.kicked) continue;
      owner.kicked = true;
      owner.kick.abort(TAKEN_OVER);
    }
  }

  /**
   * Asked for fewer connections while running: idle ones close first, then the slowest; the
   * bytes they received are written and the rest of their pieces goes back to the others.
   */
  #dropExtraWorkers(planner: SegmentPlanner): void {
    if (this.#workers.size <= this.#targetConnections()) return;
    const staying = [...this.#workers.values()].filter((w) => !w.leaving);
    const extra = staying.length - this.#targetConnections();
    if (extra <= 0) return;
    const busy = (w: Worker): boolean => planner.segments.some((s) => s.owner === w.id);
    staying.sort((a, b) => Number(busy(a)) - Number(busy(b)) || a.meter.rate() - b.meter.rate());
    for (const w of staying.slice(0, extra)) {
      w.leaving = true;
      w.kick.abort(FEWER);
    }
  }

  /** A crawler gets a fresh connection; its unfinished work goes back to the pool meanwhile. */
  #replaceSlowWorkers(planner: SegmentPlanner): void {
    if (this.#workers.size < 2) return;
    // At a speed limit the limiter hands out the bytes: a connection behind its siblings lost
    // the race for them, and a new one would only cost a connect and a request.
    if (this.#limiter.binding || this.#env.globalLimiter.binding) return;
    const now = performance.now();
    const busy: ConnectionSample[] = [];
    for (const w of this.#workers.values()) {
      const segment = planner.segments.find((s) => s.owner === w.id);
      if (!segment) continue;
      busy.push({
        id: w.id,
        ageMs: now - w.connectedAt,
        firstResponseMs: w.firstResponseMs,
        speed: w.meter.rate(),
        remaining: segment.end - segment.pos,
      });
    }
    for (const id of findCrawlers(busy)) {
      const w = this.#workers.get(id)!;
      w.kicked = true;
      this.#env.log({ level: 'info', event: 'connection_replaced', host: w.host });
      w.kick.abort(
        new DownloadError('SLOW', 'connection far slower than its siblings', { retryable: true }),
      );
    }
  }

  /**
   * Claims what was written. Without a boot id, the data is fsynced first: the journal never
   * claims bytes that are not on disk. With one, only when a flush is due; otherwise `unflushed`
   * keeps the last claims that were (see RunnerEnv.bootId).
   */
  async #saveJournal(): Promise<void> {
    const boot = this.#env.bootId;
    const journal = this.#env.journal;
    const save = journal.save(
      this.record.id,
      async () => {
        const r = this.record;
        const planner = this.#planner;
        const segments = planner && r.size !== null ? planner.toSaved() : null;
        // Nothing written yet means nothing claimed: no data to make durable first.
        const claims = !!planner && !!segments && planner.written > 0;
        // No file once closed: it is finished, and #finalize synced it where there is no boot id.
        const file = this.#file;
        if (claims && file && (boot === null || performance.now() >= this.#flushDue)) {
          this.#flushDue = performance.now() + this.#env.flushEveryMs;
          await file.sync().catch((error: unknown) => {
            throw toDownloadError(error);
          });
          r.unflushed = null;
        } else if (claims && boot !== null) {
          // No mark: the claims saved last were durable. Saves of a task run one at a time, and
          // this is the one place that sets or clears the mark.
          r.unflushed ??= { boot, segments: r.segments ?? [] };
        }
        r.segments = segments;
        return { ...r };
      },
      boot === null,
    );
    try {
      await save;
    } catch (error) {
      // The data's own errors come as DownloadErrors (above); the rest is the journal's, on the
      // disk under Braid's state, which may be full while the download's has room.
      throw error instanceof DownloadError ? error : stateSaveError(error, journal.dir);
    }
  }

  /** Verifies the finished `.part` file, then gives it its final name without overwriting anything. */
  async #finalize(): Promise<void> {
    const r = this.record;
    const planner = this.#planner;
    if (!planner || !r.fileName) throw protocolError('INTERNAL', 'nothing to finalize');
    const boot = this.#env.bootId;
    if (!r.finalizing) {
      const file = this.#file;
      if (!file) throw protocolError('INTERNAL', 'no part file');
      if (boot === null) await file.sync();
      const actual = await file.size();
      if (actual !== r.size) {
        throw protocolError('SIZE_CHANGED', `expected ${r.size} bytes on disk, found ${actual}`);
      }
      const part = join(r.dir, r.fileName + PART_SUFFIX);
      await file.close();
      this.#file = null;
      if (r.options.checksum) {
        // Not hashed if it is not the file written (the hash reads it by name); publishing
        // checks again, so without a checksum one look is enough.
        await checkPart(part, file.identity);
        // Every byte claimed first: after a mismatch the data is kept for a retry, which a
        // corrected checksum then verifies without fetching it again.
        await this.#saveJournal();
        const { algorithm, expected } = r.options.checksum;
        // Said at once, as a change of state is: a large file takes seconds, no bytes arriving.
        const verifying = { algorithm, hashed: 0, total: actual };
        this.#verifying = verifying;
        this.#env.changed();
        let actualSum: string;
        try {
          actualSum = await hashFile(part, algorithm, {
            onProgress: (hashed) => (verifying.hashed = hashed),
            // A pause stops the check; the next run checks the kept file again.
            signal: this.#stop.signal,
          });
        } finally {
          this.#verifying = null;
        }
        if (actualSum !== expected) {
          throw new DownloadError(
            'CHECKSUM_MISMATCH',
            `${algorithm} mismatch: expected ${expected}, got ${actualSum}; the data is kept in ${r.fileName + PART_SUFFIX}`,
            { retryable: false },
          );
        }
      }
      r.finalizing = true;
      await this.#saveJournal();
      const replaces = r.kept && keptIdentity(r.kept);
      const beforeMove = async (fresh: string) => {
        const from = r.fileName;
        if (!this.#holdName(fresh)) return false;
        r.movingFrom = from;
        this.#env.changed();
        await this.#saveJournal();
        return true;
      };
      await publishPart(r.dir, r.fileName, file.identity, this.#heldByOther, beforeMove, replaces);
      // The final name must be durable before the record says "completed", or be confirmed later.
      if (boot === null) await syncDirShared(r.dir);
    }
    r.finalizing = false;
    r.movingFrom = null;
    r.segments = null;
    r.kept = null;
  }

  async #shutdown(): Promise<void> {
    for (const w of this.#workers.values()) w.kick.abort(STOPPED);
    // Workers exit on their own once aborted; wait for their writes to settle.
    await Promise.allSettled([...this.#loops]);
    try {
      if (this.#file) await this.#saveJournal();
    } catch (error) {
      // The journal keeps its last claims, which the data on disk still backs: a resume fetches
      // only the bytes since then again. A stop is still a stop (the engine says why it failed).
      this.#env.log({
        level: 'warn',
        event: 'journal_save_failed',
        message: (error as Error).message,
      });
    } finally {
      await this.#file?.close().catch(() => undefined);
      this.#file = null;
    }
  }
}

function snapshotSegments(segments: readonly Segment[]): SegmentSnapshot[] {
  const out: SegmentSnapshot[] = [];
  for (const s of segments) {
    const end = s.end === Infinity ? null : s.end;
    const done = Math.min(s.pos, s.end) - s.start;
    const prev = out[out.length - 1];
    // Adjacent finished, idle pieces read as one to a person.
    if (s.end === s.start) continue;
    if (
      prev &&
      !prev.active &&
      s.owner === null &&
      prev.end !== null &&
      prev.done === prev.end - prev.start &&
      end !== null &&
      done === end - s.start
    ) {
      prev.end = end;
      prev.done += done;
      continue;
    }
    out.push({ start: s.start, end, done, active: s.owner !== null });
  }
  return out;
}

/** Progress of a task that is not transferring, from its record alone. */
export function idleProgress(record: TaskRecord): TaskProgress {
  const segments = (record.segments ?? []).map(([start, end, written]) => ({
    start,
    end,
    done: written - start,
    active: false,
  }));
  const downloaded =
    record.state === 'completed'
      ? (record.size ?? 0)
      : segments.reduce((sum, s) => sum + s.done, 0);
  return {
    id: record.id,
    downloaded,
    size: record.size,
    speed: 0,
    averageSpeed: 0,
    eta: null,
    connections: 0,
    segments,
    retry: null,
    verifying: null,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const NOTHING_TO_COMPARE =
  'the link shows no ETag or Last-Modified: nothing can prove the mirror serves the same file';

type Validators = { etag: string | null; lastModified: string | null };

/** Whether the server shows nothing (no ETag of any kind, no Last-Modified) to compare versions by. */
function showsNoValidator(r: Validators): boolean {
  return r.etag === null && r.lastModified === null;
}

/** Whether the link's file has a validator that can tell it from another of the same size. */
function hasValidator(r: Validators): boolean {
  return isStrong(r.etag) || r.lastModified !== null;
}

function isStrong(etag: string | null): etag is string {
  return etag !== null && !etag.startsWith('W/');
}

/**
 * Why a mirror's answer is not provably the link's file, or null when it is: it must show the
 * link's validator (see sameFile). A mirror that shows neither could serve another file of the
 * same size, and the mix would be published complete.
 */
function mirrorMismatch(r: Validators, res: Validators): string | null {
  const same = sameFile(r, res);
  if (same) return null;
  if (same === false) {
    return isStrong(r.etag) && isStrong(res.etag)
      ? `its ETag ${res.etag} differs from ${r.etag}`
      : `its Last-Modified ${res.lastModified} differs from ${r.lastModified}`;
  }
  return hasValidator(r)
    ? "it shows neither the link's ETag nor its Last-Modified"
    : NOTHING_TO_COMPARE;
}

/**
 * Whether `res` is the link's file by its validators: strong ETags equal when both have one, else
 * Last-Modified equal when both have one; null when they have none in common to compare.
 */
function sameFile(r: Validators, res: Validators): boolean | null {
  if (isStrong(r.etag) && isStrong(res.etag)) return r.etag === res.etag;
  if (r.lastModified !== null && res.lastModified !== null) {
    return r.lastModified === res.lastModified;
  }
  return null;
}

function tooLarge(max: number, size: number | null): DownloadError {
  const actual = size === null ? 'the server kept sending past' : `the file is ${size} bytes, over`;
  return new DownloadError('TOO_LARGE', `${actual} this download's size limit of ${max} bytes`, {
    retryable: false,
  });
}

function protocolError(code: string, message: string): DownloadError {
  return new DownloadError(code, message, { retryable: false });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
