import type { EngineEvent } from '../../shared/api/events.ts';
import type { TaskState } from '../../shared/api/task.ts';

export const AFTER_QUEUE_COUNTDOWN_MS = 30_000;
const ACTIVE: readonly TaskState[] = ['queued', 'downloading'];

export interface QueueHandlers {
  /** Some task completed and nothing is left to do. */
  finished(): void;
  /** A task is queued or downloading again: the queue has not finished after all. */
  busy(): void;
}

/**
 * Notices when the queue runs dry after work was done: some task completed, and nothing is queued
 * or downloading any more, nor paused since the queue last finished (a pause is not a finish: the
 * user means to resume it). Failed and canceled tasks, and tasks left paused from before (an
 * earlier run), do not hold the queue open.
 */
export class QueueWatcher {
  readonly #states = new Map<string, TaskState>();
  /** Tasks queued or downloading at some point since the queue last finished. */
  readonly #worked = new Set<string>();
  #completedSinceIdle = false;
  readonly #handlers: QueueHandlers;

  constructor(initial: Iterable<{ id: string; state: TaskState }>, handlers: QueueHandlers) {
    for (const task of initial) {
      this.#states.set(task.id, task.state);
      if (ACTIVE.includes(task.state)) this.#worked.add(task.id);
    }
    this.#handlers = handlers;
  }

  observe(event: EngineEvent): void {
    if (event.type === 'task-removed') {
      this.#states.delete(event.id);
      this.#worked.delete(event.id);
    } else if (event.type === 'task-added' || event.type === 'task-changed') {
      const { id, state } = event.task;
      const before = this.#states.get(id);
      this.#states.set(id, state);
      if (ACTIVE.includes(state)) {
        this.#worked.add(id);
        if (!before || !ACTIVE.includes(before)) this.#handlers.busy();
      }
      if (state === 'completed' && before !== 'completed') this.#completedSinceIdle = true;
    } else {
      return;
    }
    if (!this.#completedSinceIdle || this.#pending()) return;
    this.#completedSinceIdle = false;
    this.#worked.clear();
    this.#handlers.finished();
  }

  /** Whether some task is still to finish. */
  #pending(): boolean {
    for (const [id, state] of this.#states) {
      if (ACTIVE.includes(state) || (state === 'paused' && this.#worked.has(id))) return true;
    }
    return false;
  }
}
