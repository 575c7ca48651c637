import type { ApiEvent } from '../../shared/api/api-events.ts';
import { COMMANDS, isCommandName, type AppInfo } from '../../shared/api/commands.ts';
import { ApiError } from '../../shared/api/errors.ts';
import type { SettingsPatch } from '../../shared/api/settings.ts';
import type { EngineEvent } from '../../shared/api/events.ts';
import { aboutSubject } from '../../shared/format.ts';
import type { Result } from '../../shared/ipc/wire.ts';
import { DownloadEngine } from '../engine/download-engine.ts';
import type { ProxyResolver } from '../engine/proxy-choice.ts';
import type { SecretBox } from '../engine/secret-box.ts';
import { COMMAND_HANDLERS, type HandlerContext, type HostServices } from './command-handlers.ts';
import { AFTER_QUEUE_COUNTDOWN_MS, QueueWatcher } from './after-queue.ts';
import { ErrorHistory } from './error-history.ts';
import { EventBatcher } from './event-batcher.ts';
import { SpeedHistory } from './speed-history.ts';
import type { Observability } from '../observability/observability.ts';

export type { HostServices } from './command-handlers.ts';

export interface ApiHubOptions {
  home: string;
  defaultDownloadDir: string;
  /** The hub adds the time zone: the engine's, which is this process's. */
  info: Omit<AppInfo, 'timeZone'>;
  host: HostServices;
  /** Per-process overrides (tests, `serve --dir`); not persisted. */
  settings?: SettingsPatch;
  /** Log files, per-task log lines and metrics, fed by the engine. */
  observability?: Observability;
  /** Encrypts credentials in task records (desktop: safeStorage). */
  secrets?: SecretBox;
  /** The OS's proxy per URL for the "system" mode (desktop: Chromium's resolution). */
  systemProxy?: ProxyResolver;
  /** How long the "when the queue finishes" countdown lasts (tests shorten it). */
  afterQueueDelayMs?: number;
}

/** One client of the hub: a window, or a WebSocket. */
export interface ApiConnection {
  /** Validates and runs one command; never throws — failures come back as `{ ok: false }`. */
  dispatch(command: unknown, input: unknown): Promise<Result>;
  close(): void;
}

/**
 * The engine behind the transport-agnostic API: validates commands, runs them, and fans the
 * engine's events out to every connected client in ≤ 10 batches a second each.
 */
export class ApiHub {
  readonly engine: DownloadEngine;
  readonly #info: AppInfo;
  readonly #host: HostServices;
  readonly #clients = new Set<EventBatcher>();
  readonly #states = new Map<string, string>();
  readonly #unsubscribe: () => void;
  readonly #queue: QueueWatcher;
  readonly #afterQueueDelayMs: number;
  readonly #speed = new SpeedHistory();
  readonly #errors = new ErrorHistory();
  /** The countdown running, if any. */
  #afterQueue: { action: 'quit' | 'sleep'; at: number; timer: NodeJS.Timeout } | null = null;

  readonly observability: Observability | null;

  private constructor(
    engine: DownloadEngine,
    info: AppInfo,
    host: HostServices,
    observability: Observability | null,
    afterQueueDelayMs: number,
  ) {
    this.engine = engine;
    this.#info = info;
    this.#host = host;
    this.observability = observability;
    observability?.bind(() => engine.list());
    for (const task of engine.list()) this.#states.set(task.id, task.state);
    this.#afterQueueDelayMs = afterQueueDelayMs;
    this.#queue = new QueueWatcher(engine.list(), {
      finished: () => this.#queueFinished(),
      busy: () => this.#cancelAfterQueue(),
    });
    this.#unsubscribe = engine.subscribe((event) => this.#onEngineEvent(event));
  }

  static async open(options: ApiHubOptions): Promise<ApiHub> {
    const engine = await DownloadEngine.open({
      home: options.home,
      defaultDownloadDir: options.defaultDownloadDir,
      settings: options.settings,
      log: options.observability?.log,
      secrets: options.secrets,
      systemProxy: options.systemProxy,
    });
    return new ApiHub(
      engine,
      { ...options.info, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
      options.host,
      options.observability ?? null,
      options.afterQueueDelayMs ?? AFTER_QUEUE_COUNTDOWN_MS,
    );
  }

  connect(sendBatch: (events: ApiEvent[]) => void): ApiConnection {
    const batcher = new EventBatcher(sendBatch);
    this.#clients.add(batcher);
    const ctx: HandlerContext = {
      engine: this.engine,
      info: this.#info,
      host: this.#host,
      flushEvents: () => batcher.flush(),
      speedHistory: () => this.#speed.snapshot(),
      recentErrors: () => this.#errors.snapshot(),
      logs: this.observability
        ? {
            lines: (id) => this.observability?.taskLog.lines(id) ?? [],
            dir: this.observability.logFile.dir,
          }
        : null,
      afterQueue: () =>
        this.#afterQueue ? { action: this.#afterQueue.action, at: this.#afterQueue.at } : null,
      cancelAfterQueue: () => this.#cancelAfterQueue(),
      settingsChanged: () => {
        this.#broadcast({ type: 'settings-changed', settings: this.engine.settings });
        if (this.#afterQueue?.action !== this.engine.settings.whenDone) this.#cancelAfterQueue();
      },
    };
    return {
      dispatch: (command, input) => dispatch(command, input, ctx),
      close: () => {
        batcher.close();
        this.#clients.delete(batcher);
      },
    };
  }

  /** Tells every client something that did not come from the engine (e.g. links handed over). */
  announce(event: ApiEvent): void {
    this.#broadcast(event);
  }

  async close(): Promise<void> {
    if (this.#afterQueue) clearTimeout(this.#afterQueue.timer);
    this.#unsubscribe();
    for (const client of this.#clients) client.close();
    this.#clients.clear();
    try {
      await this.engine.close();
    } finally {
      await this.observability?.close();
    }
  }

  #onEngineEvent(event: EngineEvent): void {
    this.#broadcast(event);
    this.#queue.observe(event);
    this.#speed.observe(event);
    if (event.type === 'task-removed') {
      this.#states.delete(event.id);
      return;
    }
    if (event.type !== 'task-added' && event.type !== 'task-changed') return;
    const { task } = event;
    const before = this.#states.get(task.id);
    this.#states.set(task.id, task.state);
    // A download that stopped on an error: failed, or paused until the user fixes it (a full disk).
    const stoppedOnError =
      (task.state === 'failed' || task.state === 'paused') && task.state !== before;
    if (stoppedOnError && task.error) {
      const name = task.fileName ?? task.requestedName ?? task.url;
      this.#broadcast({
        type: 'error',
        code: task.error.code,
        message: aboutSubject(name, task.error.message),
        taskId: task.id,
        at: Date.now(),
      });
    }
  }

  /** The action chosen now, if this host can carry it out. */
  #chosenAction(): 'quit' | 'sleep' | null {
    const action = this.engine.settings.whenDone;
    if (action === 'nothing' || !this.#info.afterQueueActions.includes(action)) return null;
    return this.#host.afterQueue ? action : null;
  }

  /** Starts the countdown to the chosen action; every client shows it and may cancel it. */
  #queueFinished(): void {
    const action = this.#chosenAction();
    if (!action) return;
    this.#cancelAfterQueue();
    const at = Date.now() + this.#afterQueueDelayMs;
    this.#broadcast({ type: 'after-queue', action, at });
    const timer = setTimeout(() => {
      this.#afterQueue = null;
      // The choice may have changed since without a client saying so (no settings.update).
      if (this.#chosenAction() === action) void this.#host.afterQueue?.(action);
    }, this.#afterQueueDelayMs);
    this.#afterQueue = { action, at, timer };
  }

  #cancelAfterQueue(): void {
    if (!this.#afterQueue) return;
    clearTimeout(this.#afterQueue.timer);
    this.#afterQueue = null;
    this.#broadcast({ type: 'after-queue', action: null, at: Date.now() });
  }

  #broadcast(event: ApiEvent): void {
    // Kept here, where every client's events pass: an error told to no window is still kept.
    this.#errors.observe(event);
    for (const client of this.#clients) client.push(event);
  }
}

async function dispatch(command: unknown, input: unknown, ctx: HandlerContext): Promise<Result> {
  try {
    if (!isCommandName(command)) {
      throw new ApiError(
        'INVALID_INPUT',
        `unknown command ${JSON.stringify(command)?.slice(0, 80)}`,
      );
    }
    const parsed = COMMANDS[command].input.safeParse(input);
    if (!parsed.success) {
      throw new ApiError(
        'INVALID_INPUT',
        `${command}: ${parsed.error.issues
          .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
          .join('; ')}`,
      );
    }
    const handler = COMMAND_HANDLERS[command] as (
      input: unknown,
      ctx: HandlerContext,
    ) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data, ctx) };
  } catch (error) {
    if (error instanceof ApiError) {
      const { code, message, reason } = error;
      return { ok: false, error: { code, message, ...(reason ? { reason } : {}) } };
    }
    return { ok: false, error: { code: 'INTERNAL', message: (error as Error).message } };
  }
}
