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

/** States in which a task holds no connections and will not start by itself. */
export const TERMINAL_STATES: readonly TaskState[] = ['completed', 'failed', 'canceled'];

export const isTerminal = (state: TaskState): boolean => TERMINAL_STATES.includes(state);
