import type { ApiEvent } from '../../shared/api/api-events.ts';
import type { TaskProgress } from '../../shared/api/task.ts';

export const BATCH_INTERVAL_MS = 100;
/** Notices (errors, add requests) kept per batch; a storm must not grow a batch without bound. */
const MAX_NOTICES_PER_BATCH = 50;

type Structural = Extract<ApiEvent, { type: 'task-added' | 'task-changed' | 'task-removed' }>;

/**
 * Coalesces API events for one client into at most one batch per 100 ms: the newest snapshot of a
 * task replaces older ones, progress merges per task (and is dropped when a newer snapshot of the
 * task is already pending), only the latest speed sample and settings are kept. The first event
 * after a quiet period goes out on the next turn of the event loop, so clicks feel immediate.
 */
export class EventBatcher {
  readonly #send: (events: ApiEvent[]) => void;
  readonly #structural = new Map<string, Structural>();
  #progress = new Map<string, TaskProgress>();
  #progressAt = 0;
  #speed: Extract<ApiEvent, { type: 'speed' }> | null = null;
  #settings: Extract<ApiEvent, { type: 'settings-changed' }> | null = null;
  #notices: ApiEvent[] = [];
  #lastFlush = -Infinity;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(send: (events: ApiEvent[]) => void) {
    this.#send = send;
  }

  push(event: ApiEvent): void {
    if (this.#closed) return;
    switch (event.type) {
      case 'task-added':
      case 'task-changed': {
        const id = event.task.id;
        const pending = this.#structural.get(id);
        // A task added within this batch stays an addition, carrying its newest snapshot.
        const type = pending?.type === 'task-added' ? 'task-added' : event.type;
        this.#structural.delete(id);
        this.#structural.set(id, { type, task: event.task });
        this.#progress.delete(id);
        break;
      }
      case 'task-removed': {
        const pending = this.#structural.get(event.id);
        this.#structural.delete(event.id);
        this.#progress.delete(event.id);
        if (pending?.type !== 'task-added') this.#structural.set(event.id, event);
        break;
      }
      case 'progress':
        for (const task of event.tasks) this.#progress.set(task.id, task);
        this.#progressAt = event.at;
        break;
      case 'speed':
        this.#speed = event;
        break;
      case 'settings-changed':
        this.#settings = event;
        break;
      default:
        if (this.#notices.length < MAX_NOTICES_PER_BATCH) this.#notices.push(event);
    }
    this.#schedule();
  }

  /** Sends whatever is pending now (e.g. before answering a request for the full state). */
  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const events: ApiEvent[] = [...this.#structural.values()];
    if (this.#progress.size > 0) {
      events.push({ type: 'progress', at: this.#progressAt, tasks: [...this.#progress.values()] });
    }
    if (this.#speed) events.push(this.#speed);
    if (this.#settings) events.push(this.#settings);
    events.push(...this.#notices);
    this.#structural.clear();
    this.#progress = new Map();
    this.#speed = null;
    this.#settings = null;
    this.#notices = [];
    if (events.length === 0) return;
    this.#lastFlush = Date.now();
    this.#send(events);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastFlush + BATCH_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush();
    }, wait);
  }
}
