import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiError } from '../../shared/api/errors.ts';
import { NO_LOG, redactUrl, type EngineLog } from './engine-log.ts';
import { sealValue, type SecretBox } from './secret-box.ts';
import { LIMITS } from '../../shared/api/limits.ts';
import type { EngineEvent } from '../../shared/api/events.ts';
import {
  SettingsPatchSchema,
  SettingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../shared/api/settings.ts';
import {
  AddTaskInputSchema,
  ChecksumSchema,
  ConnectionsSchema,
  HeadersSchema,
  HttpUrlSchema,
  RateSchema,
  PrioritySchema,
  sameChecksum,
  type AddTaskInput,
  type Checksum,
  type Priority,
  type TaskProgress,
  type TaskSnapshot,
  type TaskState,
} from '../../shared/api/task.ts';
import { inWindow } from '../../shared/time-window.ts';
import { canTransition, LINK_CHANGEABLE } from '../../shared/task-transitions.ts';
import { syncDirShared, writeFileAtomic } from './atomic-file.ts';
import { estimatedBootTime, maybeSameBoot, readBootId, type BootMark } from './boot-id.ts';
import { eachAtMost } from './at-most.ts';
import { flushPublished, keptError, reopenUnflushed, syncFileSystems } from './flush-confirmer.ts';
import { PART_SUFFIX } from './file-name.ts';
import { HostHealth } from './host-health.ts';
import { HostLimiter } from './host-limiter.ts';
import { withoutCredentials } from './http-range.ts';
import { NameHolds } from './name-holds.ts';
import { RateLimiter } from './rate-limiter.ts';
import { RunQueue } from './run-queue.ts';
import { loadSettings } from './settings-file.ts';
import { storageError } from './storage-error.ts';
import { ResumeJournal } from './resume-journal.ts';
import { ConnectionPool } from './connection-pool.ts';
import type { ProxyResolver } from './proxy-choice.ts';
import { probeUrl } from './url-probe.ts';
import type { TaskRecord } from './task-record.ts';
import { idleProgress, TaskRunner, type RunOutcome } from './task-runner.ts';
import { makeFolder } from './make-folder.ts';
import { downloadDirSetting, expandHome, requireFolderPossible } from './user-folder.ts';

export interface EngineOptions {
  /** Where tasks, journals and settings live (BRAID_HOME). */
  home: string;
  /** Used when neither the task nor the settings name a folder. */
  defaultDownloadDir?: string;
  /**
   * Overrides for this process only (e.g. `braid get -j 8`), each until the user changes that
   * setting; not persisted.
   */
  settings?: SettingsPatch;
  /**
   * false: only tasks added, resumed, retried or started in this process run; tasks queued by
   * an earlier process wait. The CLI uses this so one command does not download another's files.
   */
  autoStart?: boolean;
  /** Structured records of what happens (for log files and metrics); nothing by default. */
  log?: EngineLog;
  /** Encrypts credential headers in task records on disk (the desktop app's safeStorage). */
  secrets?: SecretBox;
  /** The OS boot this runs in (boot-id.ts), null for none; read from the OS unless given. */
  bootId?: string | null;
  /** How often downloads' data is fsynced where the boot id is known (see RunnerEnv.bootId). */
  flushEveryMs?: number;
  /** The OS's proxy per URL for the "system" mode (the desktop asks Chromium); none by default. */
  systemProxy?: ProxyResolver;
}

export type EngineListener = (event: EngineEvent) => void;

interface Entry {
  record: TaskRecord;
  runner: TaskRunner | null;
  /** The expected checksum changed after a verification failed: the kept data is checked again. */
  checksumCorrected?: boolean;
}

const PROGRESS_MS = 100;
/**
 * A crash of the OS (not ours) costs a download at most about this much progress, fetched again
 * at the next start; finished files are flushed this long after. Linux lets data wait 30 s.
 */
const FLUSH_EVERY_MS = 10_000;
/** Published files flushed at once: enough to keep the disk and libuv's pool busy. */
const FLUSHES_AT_ONCE = 8;
/** From this many finished files on, one syncfs per file system instead of an fsync each. */
const SYNCFS_FROM = 32;
const SCHEDULE_CHECK_MS = 5000;
const SPEED_EVERY_TICKS = 10;
const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };
const VERB: Partial<Record<TaskState, string>> = {
  paused: 'paused',
  queued: 'queued',
  canceled: 'canceled',
};

/**
 * The download manager: a persistent, prioritised queue of tasks, each run by a TaskRunner.
 * Commands change state along the legal transitions only; consumers learn everything through
 * events (state changes at once, byte progress batched ~10 times a second).
 */
export class DownloadEngine {
  readonly home: string;
  readonly #journal: ResumeJournal;
  readonly #pool = new ConnectionPool();
  readonly #entries = new Map<string, Entry>();
  /** Queued tasks in start order: the scheduler never walks the history (a CLI home keeps thousands). */
  readonly #queue = new RunQueue<Entry>(
    queueOrder,
    (e) => e.record.state === 'queued' && this.#entries.has(e.record.id),
  );
  readonly #running = new Set<Entry>();
  /** The last settings change, saved or failed: the next waits for it. */
  #settingsSaved: Promise<void> = Promise.resolve();
  /** The last place in the queue an add took, listed or still being saved. */
  #orderFloor = 0;
  /** Running tasks past their last byte (verifying, publishing): they hold no queue slot. */
  readonly #finishing = new Set<Entry>();
  /** Completed tasks whose files may not be on the disk yet (flush-confirmer.ts). */
  readonly #unflushed = new Set<Entry>();
  readonly #bootId: string | null;
  readonly #flushEvery: number;
  #flushTimer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();
  readonly #listeners = new Set<EngineListener>();
  readonly #globalLimiter: RateLimiter;
  readonly #hostLimiter = new HostLimiter();
  readonly #hostHealth = new HostHealth();
  readonly #names = new NameHolds();
  readonly #defaultDir: string;
  /** Per-process settings (EngineOptions.settings) the user has not changed since. */
  #overrides: SettingsPatch;
  /** With autoStart off: the tasks this process may run. */
  readonly #eligible: Set<string> | null;
  #persisted: Settings;
  #settings: Settings;
  #tick: NodeJS.Timeout;
  #ticks = 0;
  /** The tasks that were running at the last speed event. */
  #speedShown = new Set<string>();
  #closed = false;

  readonly #log: EngineLog;
  readonly #secrets: SecretBox | null;
  readonly #systemProxy: ProxyResolver | null;
  readonly #scheduleTimer: NodeJS.Timeout;

  private constructor(
    home: string,
    persisted: Settings,
    bootId: string | null,
    options: EngineOptions,
  ) {
    this.home = home;
    this.#bootId = bootId;
    this.#flushEvery = options.flushEveryMs ?? FLUSH_EVERY_MS;
    this.#secrets = options.secrets ?? null;
    this.#systemProxy = options.systemProxy ?? null;
    this.#journal = new ResumeJournal(join(home, 'tasks'), this.#secrets);
    this.#defaultDir = resolve(options.defaultDownloadDir ?? join(homedir(), 'Downloads'));
    this.#overrides = options.settings ?? {};
    this.#eligible = options.autoStart === false ? new Set() : null;
    this.#log = options.log ?? NO_LOG;
    this.#persisted = persisted;
    this.#settings = SettingsSchema.parse({ ...persisted, ...this.#overrides });
    this.#globalLimiter = new RateLimiter(this.#effectiveLimit());
    this.#tick = setInterval(() => this.#emitProgress(), PROGRESS_MS);
    this.#tick.unref();
    // Schedules are minute-grained; checking every few seconds starts and stops them on time.
    this.#scheduleTimer = setInterval(() => void this.#applySchedule(), SCHEDULE_CHECK_MS);
    this.#scheduleTimer.unref();
  }

  static async open(options: EngineOptions): Promise<DownloadEngine> {
    const home = resolve(options.home);
    await makeFolder(home).catch((error: unknown) => {
      throw storageError(error, home);
    });
    const bootId = options.bootId !== undefined ? options.bootId : await readBootId();
    await acquireLock(home, bootId);
    let overrides: SettingsPatch;
    try {
      overrides = parseSettingsPatch(options.settings ?? {});
    } catch (error) {
      await releaseLock(home);
      throw error;
    }
    const saved = await loadSettings(home, options.secrets ?? null);
    const persisted = { ...saved.settings };
    try {
      persisted.downloadDir = downloadDirSetting(persisted.downloadDir);
    } catch (error) {
      saved.problems.push(
        `settings.json: ${(error as Error).message}; downloads go to the default folder`,
      );
      persisted.downloadDir = '';
    }
    const engine = new DownloadEngine(home, persisted, bootId, {
      ...options,
      settings: overrides,
    });
    const { records, problems } = await engine.#journal.loadAll().catch(async (error: unknown) => {
      await releaseLock(home);
      throw storageError(error, home);
    });
    for (const message of saved.problems)
      engine.#log({ level: 'warn', event: 'settings_problem', message });
    for (const message of problems)
      engine.#log({ level: 'warn', event: 'journal_problem', message });
    const cancelsCut: Entry[] = [];
    for (const record of records) {
      // A task that was running when the last process ended carries on.
      if (record.state === 'downloading') record.state = 'queued';
      if (record.unflushed && record.unflushed.boot !== bootId) await engine.#reopen(record);
      // Canceled, its data not yet thrown away: the process ended within the cancel.
      const cancelCut = record.state === 'canceled' && record.segments !== null;
      // A record naming its file before creating it (or whose `.part` went missing) still holds
      // the name: another download must not take it and have its `.part` opened or deleted.
      if (
        record.fileName &&
        ((record.state !== 'completed' && record.state !== 'canceled') || cancelCut)
      )
        engine.#names.hold(record.dir, record.fileName, record.id);
      const entry = { record, runner: null };
      engine.#entries.set(record.id, entry);
      if (record.state === 'queued') engine.#queue.add(entry);
      if (record.state === 'completed' && record.unflushed) engine.#unflushed.add(entry);
      if (cancelCut) cancelsCut.push(entry);
    }
    // Finished here, or its `.part` stayed behind for good, no longer any task's to delete.
    for (const entry of cancelsCut) {
      await engine.#discardData(entry);
      await engine.#save(entry).catch(() => undefined);
    }
    // Same boot: the OS kept the bytes, and has likely written them by now.
    await engine.#confirmFlushes();
    engine.#schedule();
    return engine;
  }

  get settings(): Settings {
    return this.#settings;
  }

  /** What a URL is (name, size, resumability), asked the way its download would ask. */
  probe(url: string, headers: Readonly<Record<string, string>>): ReturnType<typeof probeUrl> {
    return probeUrl(url, headers, this.#settings, this.#systemProxy);
  }

  subscribe(listener: EngineListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(): TaskSnapshot[] {
    return [...this.#entries.values()]
      .sort((a, b) => a.record.order - b.record.order)
      .map((e) => this.#snapshot(e));
  }

  get(id: string): TaskSnapshot | undefined {
    const entry = this.#entries.get(id);
    return entry && this.#snapshot(entry);
  }

  async add(inputs: readonly AddTaskInput[]): Promise<TaskSnapshot[]> {
    this.#assertOpen();
    if (inputs.length === 0 || inputs.length > LIMITS.urlsPerAdd) {
      throw new ApiError('INVALID_INPUT', `add 1 to ${LIMITS.urlsPerAdd} tasks at a time`);
    }
    const parsed = inputs.map((input, i) => {
      const result = AddTaskInputSchema.safeParse(input);
      if (!result.success) {
        throw new ApiError('INVALID_INPUT', `task ${i + 1}: ${describe(result.error)}`);
      }
      return result.data;
    });
    let order = this.#maxOrder();
    const added: Entry[] = [];
    // One time for the batch: lists sort by it first, and a batch spanning a millisecond boundary
    // was split, its links no longer in the order given.
    const createdAt = Date.now();
    for (const input of parsed) {
      const record: TaskRecord = {
        v: 1,
        id: randomUUID(),
        url: input.url,
        dir: this.#taskDir(input.dir),
        autoDir: input.dir === undefined,
        requestedName: input.fileName ?? null,
        fileName: null,
        state: input.paused ? 'paused' : 'queued',
        priority: input.priority ?? 'normal',
        order: ++order,
        options: {
          connections: input.connections ?? this.#settings.connections,
          limit: input.limit ?? 0,
          headers: input.headers ?? {},
          checksum: input.checksum ?? null,
          maxSize: input.maxSize ?? null,
          mirrors: input.mirrors ?? [],
        },
        size: null,
        resumable: null,
        etag: null,
        lastModified: null,
        contentType: null,
        segments: null,
        finalizing: false,
        movingFrom: null,
        unflushed: null,
        kept: null,
        error: null,
        createdAt,
        completedAt: null,
      };
      added.push({ record, runner: null });
    }
    // Their places are taken now: another add or a move to the end while this one saves must not
    // share them.
    this.#orderFloor = order;
    try {
      await this.#journal.saveNew(added.map((e) => ({ ...e.record })));
    } catch (error) {
      throw storageError(error, this.home);
    }
    // Known to the queue only once stored: a slot freed while the save ran must not start a task
    // the next start would not know.
    for (const entry of added) {
      this.#entries.set(entry.record.id, entry);
      this.#queue.add(entry);
      this.#eligible?.add(entry.record.id);
    }
    for (const entry of added) {
      this.#log({
        level: 'info',
        event: 'task_added',
        taskId: entry.record.id,
        url: redactUrl(entry.record.url),
      });
      this.#emit({ type: 'task-added', task: this.#snapshot(entry) });
    }
    this.#schedule();
    return added.map((e) => this.#snapshot(e));
  }

  /** A task's own folder may be relative: to the download folder, the one its user can see. */
  #taskDir(dir: string | undefined): string {
    const base = this.#settings.downloadDir || this.#defaultDir;
    return dir === undefined ? base : resolve(base, expandHome(dir));
  }

  async pause(id: string): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    this.#transition(entry, 'paused');
    await this.#stopRunner(entry);
    return this.#commit(entry);
  }

  async resume(id: string): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    requireState(entry, ['paused'], 'resumed');
    this.#requeue(entry);
    return this.#commit(entry);
  }

  /** Paused → queued, its last error cleared, and this process's to run. */
  #requeue(entry: Entry): void {
    this.#transition(entry, 'queued');
    entry.record.error = null;
    this.#eligible?.add(entry.record.id);
  }

  /** Pauses every queued and running task; answers how many. */
  async pauseAll(): Promise<number> {
    this.#assertOpen();
    // All leave the queue before any stops: a slot one frees must not start the next waiting
    // task, only for it to be stopped in its turn.
    const paused = this.#inStates(['queued', 'downloading']);
    for (const entry of paused) this.#transition(entry, 'paused');
    await settleAll(paused.map((e) => this.#stopRunner(e)));
    await settleAll(paused.map((e) => this.#commit(e)));
    return paused.length;
  }

  /** Queues every paused task, then starts the best of the queue; answers how many. */
  async resumeAll(): Promise<number> {
    this.#assertOpen();
    // All are queued before the first schedule: resumed one by one, the first in the list took
    // the free slots whatever their priority.
    const resumed = this.#inStates(['paused']);
    for (const entry of resumed) this.#requeue(entry);
    await settleAll(resumed.map((e) => this.#commit(e)));
    return resumed.length;
  }

  /** Lets a queued task run in this process (for an engine opened with autoStart off). */
  async start(id: string): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    requireState(entry, ['queued'], 'started');
    this.#eligible?.add(id);
    this.#schedule();
    return this.#snapshot(entry);
  }

  /** Failed or canceled → queued. Data already verified by validators is kept. */
  async retry(id: string): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    const { record } = entry;
    requireState(entry, ['failed', 'canceled'], 'retried');
    this.#transition(entry, 'queued');
    if (record.error?.code === 'CHECKSUM_MISMATCH' && !entry.checksumCorrected) {
      await this.#discardData(entry);
    }
    entry.checksumCorrected = false;
    record.error = null;
    this.#eligible?.add(id);
    return this.#commit(entry);
  }

  async cancel(id: string): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    this.#transition(entry, 'canceled');
    await this.#stopRunner(entry);
    const { record } = entry;
    if (record.state === 'canceled') {
      await this.#discardData(entry);
      record.error = record.kept ? keptError(record, 'CANCELED', 'was canceled') : null;
    }
    return this.#commit(entry);
  }

  async remove(id: string, options: { deleteFile?: boolean } = {}): Promise<void> {
    const entry = this.#get(id);
    await this.#stopRunner(entry);
    const { record } = entry;
    if (record.state === 'completed') {
      if (options.deleteFile && record.fileName) {
        await rm(join(record.dir, record.fileName), { force: true });
      }
    } else {
      await this.#discardData(entry);
    }
    this.#entries.delete(id);
    this.#unflushed.delete(entry);
    this.#speedShown.delete(id); // no last sample: consumers forget the task's graph with it
    await this.#journal.remove(id);
    this.#emit({ type: 'task-removed', id });
    this.#schedule();
  }

  async setPriority(id: string, priority: Priority): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    entry.record.priority = PrioritySchema.parse(priority);
    this.#queue.reorder();
    return this.#commit(entry);
  }

  /** Moves a task in the queue to just before another one, or to the end when `beforeId` is null. */
  async move(id: string, beforeId: string | null): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    const before = beforeId === null ? null : this.#get(beforeId);
    if (before === entry) return this.#snapshot(entry); // dropped on itself: it stays put
    const sorted = [...this.#entries.values()]
      .filter((e) => e !== entry)
      .sort((a, b) => a.record.order - b.record.order);
    if (before === null) {
      entry.record.order = this.#maxOrder() + 1;
    } else {
      const index = sorted.indexOf(before);
      const next = before.record.order;
      const prev = index > 0 ? sorted[index - 1]!.record.order : next - 2;
      const order = (prev + next) / 2;
      if (order > prev && order < next) {
        entry.record.order = order;
      } else {
        // Moves into the same gap halve it; after ~50 the halves are no longer apart.
        sorted.splice(index, 0, entry);
        await this.#renumber(sorted, entry);
      }
    }
    this.#queue.reorder();
    return this.#commit(entry);
  }

  /** Gives the tasks the orders 1, 2, … as listed, and saves every other one that changed. */
  async #renumber(sorted: Entry[], except: Entry): Promise<void> {
    const changed = sorted.filter((e, i) => {
      const moved = e.record.order !== i + 1;
      e.record.order = i + 1;
      return moved && e !== except;
    });
    await Promise.all(changed.map((e) => this.#commit(e)));
  }

  /**
   * A corrected expected checksum (or none), for a download not yet completed. One that failed its
   * verification keeps its data for the retry, which verifies it against the new value.
   */
  async setChecksum(id: string, checksum: Checksum | null): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    const { record } = entry;
    if (record.state === 'completed') {
      throw new ApiError('INVALID_TRANSITION', 'a completed download was verified already');
    }
    const parsed = checksum === null ? null : ChecksumSchema.parse(checksum);
    if (sameChecksum(parsed, record.options.checksum)) {
      return this.#snapshot(entry);
    }
    record.options.checksum = parsed;
    if (record.error?.code === 'CHECKSUM_MISMATCH') entry.checksumCorrected = true;
    return this.#commit(entry);
  }

  /**
   * Points a download at a new link to the same file, for one that expired or moved. The bytes
   * kept are not trusted on the link's word: the next run asks for ranges with the file's
   * validators, and a file that is not the same (size, ETag) is started over. `headers`, where
   * given, replace the download's own: the new link may want other credentials.
   */
  async setUrl(
    id: string,
    url: string,
    headers?: Readonly<Record<string, string>>,
  ): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    const { record } = entry;
    requireState(entry, LINK_CHANGEABLE, 'given a new link');
    const parsed = HttpUrlSchema.safeParse(url);
    if (!parsed.success) throw new ApiError('INVALID_INPUT', describe(parsed.error));
    const given = headers === undefined ? undefined : HeadersSchema.safeParse(headers);
    if (given && !given.success) throw new ApiError('INVALID_INPUT', describe(given.error));
    if (given) {
      record.options.headers = given.data;
    } else if (new URL(parsed.data).origin !== new URL(record.url).origin) {
      // Credentials were given for the old link's server: another one must not see them, as
      // after a redirect (http-range.ts).
      record.options.headers = withoutCredentials(record.options.headers);
    }
    const moved = parsed.data !== record.url;
    record.url = parsed.data;
    const kept = idleProgress(record).downloaded;
    const shown = redactUrl(parsed.data);
    if (moved && kept > 0 && record.etag === null && record.lastModified === null) {
      // Nothing could tell the new link's file from another of the same size: its bytes would be
      // spliced onto the old ones. The `.part` goes at the next start (#prepare: no segments).
      forgetProgress(record);
      this.#log({
        level: 'warn',
        event: 'link_changed',
        taskId: id,
        url: shown,
        bytes: kept,
        message: `starting over from the new link: no ETag or Last-Modified shows it serves the same file`,
      });
    } else {
      this.#log({ level: 'info', event: 'link_changed', taskId: id, url: shown });
    }
    return this.#commit(entry);
  }

  /**
   * Connections a download may open, applied to a running one within a moment by its monitor:
   * it opens more, or closes the extra ones (idle first, then the slowest).
   */
  async setConnections(id: string, connections: number): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    const parsed = ConnectionsSchema.safeParse(connections);
    if (!parsed.success) throw new ApiError('INVALID_INPUT', describe(parsed.error));
    entry.record.options.connections = parsed.data;
    return this.#commit(entry);
  }

  /**
   * Applies a change to the settings once the file holds it, one change at a time, each built on
   * the last: changes running together could land in the wrong order, the file left with an older
   * one. A change that cannot be saved changes nothing.
   */
  #changeSettings(parsed: SettingsPatch): Promise<void> {
    const change = this.#settingsSaved.then(async () => {
      const persisted = SettingsSchema.parse({ ...this.#persisted, ...parsed });
      // The proxy URL may hold the proxy's password: sealed like other credentials.
      const stored = { ...persisted, proxyUrl: sealValue(persisted.proxyUrl, this.#secrets) };
      try {
        await writeFileAtomic(join(this.home, 'settings.json'), JSON.stringify(stored, null, 2));
      } catch (error) {
        throw storageError(error, this.home);
      }
      this.#persisted = persisted;
      // A setting the user changes is theirs from now on: kept over the process's override, the
      // folder chosen in the UI went back to `serve -d`'s at the next change of anything else.
      this.#overrides = Object.fromEntries(
        Object.entries(this.#overrides).filter(([key]) => !(key in parsed)),
      );
      this.#settings = SettingsSchema.parse({ ...persisted, ...this.#overrides });
    });
    this.#settingsSaved = change.catch(() => undefined);
    return change;
  }

  /** Per-task bandwidth limit in bytes per second (0 = none), applied at once to a running task. */
  async setTaskLimit(id: string, bytesPerSecond: number): Promise<TaskSnapshot> {
    const entry = this.#get(id);
    const limit = RateSchema.parse(bytesPerSecond);
    entry.record.options.limit = limit;
    entry.runner?.setLimit(limit);
    return this.#commit(entry);
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    this.#assertOpen();
    const parsed = parseSettingsPatch(patch);
    if (parsed.downloadDir) await requireFolderPossible(parsed.downloadDir);
    await this.#changeSettings(parsed);
    await this.#applySchedule();
    await this.#enforceConcurrency();
    this.#schedule();
    return this.#settings;
  }

  /** Stops running tasks (their journals are saved; they resume on the next open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#tick);
    clearInterval(this.#scheduleTimer);
    // A save that fails (a full disk) costs the progress since the last one, which the next
    // start fetches again; it must not keep the journal and the lock open, nor the other saves.
    const stopped = await Promise.allSettled(
      [...this.#entries.values()].map((e) => e.runner?.stop()),
    );
    this.#pool.close();
    const saved = await Promise.allSettled([...this.#entries.values()].map((e) => this.#save(e)));
    // Finished files are flushed before the lock goes: the next start may come after a reboot,
    // which would take a mark left on them for a crash of the OS and fetch them again.
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    try {
      await this.#confirmFlushes();
      await this.#journal.close();
    } finally {
      await releaseLock(this.home);
      this.#listeners.clear();
    }
    const failed = [...stopped, ...saved].find((r) => r.status === 'rejected');
    if (failed) throw storageError(failed.reason, this.home);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ApiError('ENGINE_CLOSED', 'the engine is closed');
  }

  #get(id: string): Entry {
    this.#assertOpen();
    const entry = this.#entries.get(id);
    if (!entry) throw new ApiError('NOT_FOUND', `no task with id ${id}`);
    return entry;
  }

  #inStates(states: readonly TaskState[]): Entry[] {
    return [...this.#entries.values()].filter((e) => states.includes(e.record.state));
  }

  #transition(entry: Entry, to: TaskState): void {
    const from = entry.record.state;
    if (!canTransition(from, to)) {
      throw new ApiError(
        'INVALID_TRANSITION',
        `a ${from} task cannot be ${VERB[to] ?? `moved to ${to}`}`,
      );
    }
    entry.record.state = to;
    if (to === 'queued') this.#queue.add(entry);
    this.#log({ level: 'debug', event: 'state_changed', taskId: entry.record.id, from, to });
  }

  async #commit(entry: Entry): Promise<TaskSnapshot> {
    try {
      await this.#save(entry);
    } finally {
      // Done in memory even when not saved (a full disk): windows and the queue must know.
      this.#emitChanged(entry);
      this.#schedule();
    }
    return this.#snapshot(entry);
  }

  /** `durable` false: see RecordLog.put; for saves an OS crash may undo (TaskRecord.unflushed). */
  #save(entry: Entry, durable = true): Promise<void> {
    // A running task's runner owns the segments; it saves them with its own fsync discipline.
    if (entry.runner) return Promise.resolve();
    return this.#journal
      .save(entry.record.id, () => ({ ...entry.record }), durable)
      .catch((error: unknown) => {
        throw storageError(error, this.home);
      });
  }

  async #stopRunner(entry: Entry): Promise<void> {
    const runner = entry.runner;
    if (runner) await runner.stop();
  }

  /** Lets go of the name the record holds (see NameHolds); false if it held none. */
  #releaseName(record: TaskRecord): boolean {
    return !!record.fileName && this.#names.release(record.dir, record.fileName, record.id);
  }

  async #discardData(entry: Entry): Promise<void> {
    const { record } = entry;
    // Only under a name the task holds is the `.part` its own; the name is free once it is gone.
    if (this.#releaseName(record))
      await rm(join(record.dir, record.fileName + PART_SUFFIX), { force: true });
    forgetProgress(record);
  }

  #schedule(): void {
    if (this.#closed || !this.#queueOpen()) return;
    const { maxConcurrent } = this.#settings;
    // Finishing tasks free their slots, but no more than that many of them: each holds a file
    // open, and on a slow disk tiny downloads would otherwise pile up waiting for their fsyncs.
    const finishing = Math.min(this.#finishing.size, maxConcurrent);
    const free = maxConcurrent - (this.#running.size - finishing);
    if (free <= 0) return;
    const ready = (e: Entry) => !e.runner && (this.#eligible?.has(e.record.id) ?? true);
    for (const entry of this.#queue.take(free, ready)) this.#start(entry);
  }

  /** Outside the download window (quiet hours) nothing runs; queued tasks wait for it. */
  #queueOpen(): boolean {
    const { schedule } = this.#settings;
    return !schedule.enabled || inWindow(schedule, new Date());
  }

  #effectiveLimit(): number {
    const { globalLimit, limitSchedule } = this.#settings;
    if (!inWindow(limitSchedule, new Date()) || limitSchedule.limit === 0) return globalLimit;
    return globalLimit === 0 ? limitSchedule.limit : Math.min(globalLimit, limitSchedule.limit);
  }

  /** Applies the schedules now: the scheduled limit, and stopping or starting the queue. */
  async #applySchedule(): Promise<void> {
    if (this.#closed) return;
    this.#globalLimiter.setRate(this.#effectiveLimit());
    if (this.#queueOpen()) {
      this.#schedule();
      return;
    }
    for (const entry of [...this.#running]) {
      this.#transition(entry, 'queued');
      await this.#stopRunner(entry);
      await this.#commit(entry);
    }
  }

  /** When the concurrency limit drops, the last-started tasks go back to the queue. */
  async #enforceConcurrency(): Promise<void> {
    const running = [...this.#running].filter((e) => !this.#finishing.has(e)).sort(queueOrder);
    for (const entry of running.slice(this.#settings.maxConcurrent)) {
      this.#transition(entry, 'queued');
      await this.#stopRunner(entry);
      await this.#commit(entry);
    }
  }

  #start(entry: Entry): void {
    this.#transition(entry, 'downloading');
    entry.record.error = null;
    const runner = new TaskRunner(entry.record, {
      settings: () => this.#settings,
      downloadDir: () => this.#taskDir(undefined),
      globalLimiter: this.#globalLimiter,
      hostLimiter: this.#hostLimiter,
      hostHealth: this.#hostHealth,
      journal: this.#journal,
      pool: this.#pool,
      systemProxy: this.#systemProxy,
      names: this.#names,
      bootId: this.#bootId,
      flushEveryMs: this.#flushEvery,
      changed: () => this.#emitChanged(entry),
      transferring: (active) => {
        if (active) this.#finishing.delete(entry);
        else {
          this.#finishing.add(entry);
          this.#schedule();
        }
      },
      log: (record) => this.#log({ ...record, taskId: entry.record.id }),
    });
    entry.runner = runner;
    this.#running.add(entry);
    this.#emitChanged(entry);
    void runner.run().then(
      (outcome) => this.#finished(entry, runner, outcome),
      (error: unknown) =>
        this.#finished(entry, runner, {
          kind: 'failed',
          error: { code: 'INTERNAL', message: (error as Error).message },
        }),
    );
  }

  async #finished(entry: Entry, runner: TaskRunner, outcome: RunOutcome): Promise<void> {
    if (entry.runner !== runner) return;
    entry.runner = null;
    this.#running.delete(entry);
    this.#finishing.delete(entry);
    const { record } = entry;
    switch (outcome.kind) {
      case 'completed':
        // The file is final on disk; that outranks a pause that raced with the last byte.
        record.state = 'completed';
        this.#releaseName(record); // the finished file guards its name now
        record.completedAt = Date.now();
        record.error = null;
        break;
      case 'failed':
        record.state = 'failed';
        record.error = record.kept
          ? keptError(record, outcome.error.code, `failed: ${outcome.error.message}`)
          : outcome.error;
        break;
      case 'paused':
        record.state = 'paused';
        record.error = outcome.error;
        break;
      case 'stopped':
        break;
    }
    if (outcome.kind !== 'stopped') {
      this.#log({
        level: outcome.kind === 'completed' ? 'info' : 'error',
        event:
          outcome.kind === 'completed'
            ? 'completed'
            : outcome.kind === 'failed'
              ? 'failed'
              : 'paused_on_error',
        taskId: record.id,
        url: redactUrl(record.url),
        bytes: runner.progress().downloaded,
        code: outcome.kind === 'completed' ? undefined : outcome.error.code,
        message: outcome.kind === 'completed' ? undefined : outcome.error.message,
        outcome: outcome.kind,
      });
    }
    if (!this.#entries.has(record.id)) return;
    if (record.state === 'completed' && record.unflushed) {
      this.#unflushed.add(entry);
      this.#flushTimer ??= setTimeout(() => {
        this.#flushTimer = null;
        void this.#confirmFlushes();
      }, this.#flushEvery).unref();
    }
    // The next download need not wait for this record's fsync.
    this.#schedule();
    // A completion not yet flushed is lost with the OS as its file may be: both are redone.
    await this.#save(entry, !record.unflushed).catch(() => undefined);
    this.#emitChanged(entry);
  }

  /** A record marked unflushed in another boot: the OS went down before its file was flushed. */
  async #reopen(record: TaskRecord): Promise<void> {
    let again: boolean;
    try {
      again = await reopenUnflushed(record);
    } catch (error) {
      // Trust none of the bytes: a retry starts over.
      record.segments = null;
      record.finalizing = false;
      record.state = 'failed';
      record.error = keptError(
        record,
        'FILE_ACCESS',
        `could not begin: ${(error as Error).message}`,
      );
      again = false;
    }
    this.#log({
      level: 'warn',
      event: again ? 'unflushed_refetch' : 'unflushed_kept',
      taskId: record.id,
      url: redactUrl(record.url),
    });
    await this.#journal.save(record.id, () => ({ ...record }));
  }

  /**
   * Flushes the files of completed tasks marked unflushed, then their folders, then clears their
   * marks (1000 small files: a folder fsync each and durable saves took 0.25 s, these 0.12 s).
   */
  #confirmFlushes(): Promise<void> {
    const batch = [...this.#unflushed];
    this.#unflushed.clear();
    const run = async () => {
      const due = batch.filter(({ record }) => isUnflushedFile(record));
      const dirs = [...new Set(due.map((e) => e.record.dir))];
      // One syncfs makes files and names durable alike; else each file, then each folder.
      const synced = due.length >= SYNCFS_FROM && (await syncFileSystems(dirs));
      const flushed = synced ? due : await this.#flushEach(due);
      // Saved without waiting for the disk: a mark an OS crash brings back costs a fetch only.
      await Promise.all(
        flushed.map((entry) => {
          entry.record.unflushed = null;
          if (!this.#entries.has(entry.record.id)) return undefined;
          return this.#save(entry, false).catch(() => undefined);
        }),
      );
    };
    this.#flushing = this.#flushing.then(run);
    return this.#flushing;
  }

  /** Flushes each file, then each folder that holds one; answers those flushed. */
  async #flushEach(due: readonly Entry[]): Promise<Entry[]> {
    const flushed: Entry[] = [];
    await eachAtMost(due, FLUSHES_AT_ONCE, async (entry) => {
      const { record } = entry;
      if (!isUnflushedFile(record)) return; // removed or restarted while others flushed
      try {
        await flushPublished(record.dir, record.fileName!);
        flushed.push(entry);
      } catch (error) {
        // The mark stays: after a reboot the file is fetched again.
        this.#log({
          level: 'error',
          event: 'flush_failed',
          taskId: record.id,
          message: (error as Error).message,
        });
      }
    });
    const dirs = new Set(flushed.map((e) => e.record.dir));
    await Promise.all([...dirs].map((dir) => syncDirShared(dir)));
    return flushed;
  }

  #maxOrder(): number {
    let max = this.#orderFloor;
    for (const e of this.#entries.values()) max = Math.max(max, e.record.order);
    return max;
  }

  #snapshot(entry: Entry): TaskSnapshot {
    const { record } = entry;
    return {
      ...(entry.runner ? entry.runner.progress() : idleProgress(record)),
      url: record.url,
      dir: record.dir,
      fileName: record.fileName,
      requestedName: record.requestedName,
      state: record.state,
      priority: record.priority,
      order: record.order,
      options: structuredClone(record.options),
      resumable: record.resumable,
      error: record.error,
      createdAt: record.createdAt,
      completedAt: record.completedAt,
    };
  }

  #emitChanged(entry: Entry): void {
    if (this.#entries.has(entry.record.id)) {
      this.#emit({ type: 'task-changed', task: this.#snapshot(entry) });
    }
  }

  #emitProgress(): void {
    const tasks: TaskProgress[] = [];
    for (const e of this.#running) tasks.push(e.runner!.progress());
    if (tasks.length === 0 && this.#speedShown.size === 0) return;
    const at = Date.now();
    if (tasks.length > 0) this.#emit({ type: 'progress', at, tasks });
    if (++this.#ticks % SPEED_EVERY_TICKS !== 0) return;
    const speeds = tasks.map((t) => ({ id: t.id, speed: t.speed }));
    const running = new Set(speeds.map((s) => s.id));
    // A task that stopped gets one last sample of 0, or its graph and the total would go on
    // showing the speed it had before it stopped.
    for (const id of this.#speedShown) if (!running.has(id)) speeds.push({ id, speed: 0 });
    this.#speedShown = running;
    const total = speeds.reduce((sum, t) => sum + t.speed, 0);
    this.#emit({ type: 'speed', at, total, tasks: speeds });
  }

  #emit(event: EngineEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A consumer's bug must not stop the engine or the other consumers.
      }
    }
  }
}

/** Queue order: higher priority first, then the order the user gave. */
function queueOrder(a: Entry, b: Entry): number {
  return (
    PRIORITY_RANK[a.record.priority] - PRIORITY_RANK[b.record.priority] ||
    a.record.order - b.record.order
  );
}

/** A settings patch checked against the schema, its download folder made a full path. */
function parseSettingsPatch(patch: SettingsPatch): SettingsPatch {
  const parsed = SettingsPatchSchema.safeParse(patch);
  if (!parsed.success) throw new ApiError('INVALID_INPUT', describe(parsed.error));
  const { downloadDir } = parsed.data;
  return downloadDir === undefined
    ? parsed.data
    : { ...parsed.data, downloadDir: downloadDirSetting(downloadDir) };
}

/** Waits for every one of the promises, then throws the first failure, if any. */
async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Commands that make sense in some states only say which, instead of doing nothing. */
function requireState(entry: Entry, allowed: readonly TaskState[], verb: string): void {
  if (!allowed.includes(entry.record.state)) {
    throw new ApiError(
      'INVALID_TRANSITION',
      `only a ${allowed.join(' or ')} task can be ${verb}; this one is ${entry.record.state}`,
    );
  }
}

function describe(error: { issues: readonly { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** What a record knows of its file's bytes, forgotten: the next start fetches it from zero. */
function forgetProgress(record: TaskRecord): void {
  record.segments = null;
  record.size = null;
  record.resumable = null;
  record.finalizing = false;
  record.unflushed = null;
}

/**
 * One engine per home: a second one would run the same tasks into the same files. The lock
 * holds the owner's pid and OS boot (its id, and its estimated start time for where there is no
 * id). A lock of another boot is stale whatever its pid (after a power cut or a Windows shutdown
 * that pid may be any process of this boot, which would lock Braid out).
 */
async function acquireLock(home: string, bootId: string | null): Promise<void> {
  const path = join(home, 'engine.lock');
  const now = { id: bootId, time: estimatedBootTime() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const content = `${process.pid}\n${bootId ?? ''}\n${Math.round(now.time)}\n`;
      await writeFile(path, content, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        // Created but not written (a full disk): an empty lock file locks nobody out, yet
        // would read as someone else's.
        await unlink(path).catch(() => undefined);
        throw storageError(error, home);
      }
    }
    const { pid, boot } = await readLock(path);
    if (
      maybeSameBoot(boot, now) &&
      Number.isInteger(pid) &&
      pid > 0 &&
      pid !== process.pid &&
      isAlive(pid)
    ) {
      throw new ApiError(
        'ENGINE_LOCKED',
        `another Braid process (pid ${pid}) is using ${home}; close it or set BRAID_HOME to another folder`,
      );
    }
    // Stale: its owner died (crash, kill -9, the OS went down).
    await unlink(path).catch(() => undefined);
  }
  throw new ApiError('ENGINE_LOCKED', `could not lock ${home}`);
}

async function releaseLock(home: string): Promise<void> {
  const path = join(home, 'engine.lock');
  if ((await readLock(path)).pid === process.pid) await unlink(path).catch(() => undefined);
}

/**
 * Releases this process's lock on `home` at once, for an OS that ends the process right after
 * telling it (Windows logging off): the engine's own close would not get that far.
 */
export function releaseLockNow(home: string): void {
  const path = join(resolve(home), 'engine.lock');
  try {
    if (parseLock(readFileSync(path, 'utf8')).pid === process.pid) unlinkSync(path);
  } catch {
    // No lock, or not ours to remove.
  }
}

async function readLock(path: string): Promise<{ pid: number; boot: BootMark }> {
  return parseLock(await readFile(path, 'utf8').catch(() => ''));
}

/** The lock's owner; older versions wrote the pid alone, then the boot id without its time. */
function parseLock(content: string): { pid: number; boot: BootMark } {
  const [pid = '', id = '', time = ''] = content.split('\n');
  const started = time ? Number(time) : NaN;
  return {
    pid: Number(pid),
    boot: { id: id || null, time: Number.isFinite(started) ? started : null },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A completed download whose file the disk may not have yet. */
function isUnflushedFile(record: TaskRecord): boolean {
  return record.unflushed !== null && record.state === 'completed' && record.fileName !== null;
}
