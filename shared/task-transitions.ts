import type { TaskState } from './api/task.ts';

/**
 * Every legal state change. Anything else is a caller error, reported as such rather than ignored,
 * so a UI button that should have been disabled shows up as a bug.
 */
const TRANSITIONS: Record<TaskState, readonly TaskState[]> = {
  queued: ['downloading', 'paused', 'canceled'],
  downloading: ['queued', 'paused', 'completed', 'failed', 'canceled'],
  paused: ['queued', 'canceled'],
  failed: ['queued', 'canceled'],
  canceled: ['queued'],
  completed: [],
};

export function canTransition(from: TaskState, to: TaskState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States in which a download may be pointed at a new link: not while it runs, nor once done. */
export const LINK_CHANGEABLE: readonly TaskState[] = ['queued', 'paused', 'failed', 'canceled'];
