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
 * or downloading any more. Paused and failed tasks do not hold the queue open.
 */
export class QueueWatcher {
  readonly #states = new Map<string, TaskState>();
  #completedSinceIdle = false;
  readonly #handlers: QueueHandlers;

  constructor(initial: Iterable<{ id: string; state: TaskState }>, handlers: QueueHandlers) {
    for (const task of initial) this.#states.set(task.id, task.state);
    this.#handlers = handlers;
  }

  observe(event: EngineEvent): void {
    if (event.type === 'task-removed') {
      this.#states.delete(event.id);
    } else if (event.type === 'task-added' || event.type === 'task-changed') {
      const { id, state } = event.task;
      const before = this.#states.get(id);
      this.#states.set(id, state);
      if (ACTIVE.includes(state) && !(before && ACTIVE.includes(before))) this.#handlers.busy();
      if (state === 'completed' && before !== 'completed') this.#completedSinceIdle = true;
    } else {
      return;
    }
    if (!this.#completedSinceIdle) return;
    for (const state of this.#states.values()) if (ACTIVE.includes(state)) return;
    this.#completedSinceIdle = false;
    this.#handlers.finished();
  }
}
