import { PRIORITIES, type TaskSnapshot } from '../../shared/api/task.ts';

export type QueueMove = 'top' | 'up' | 'down' | 'bottom';

/** In the order the controls show them. */
export const QUEUE_MOVES: readonly QueueMove[] = ['top', 'up', 'down', 'bottom'];

/** Queued and paused tasks wait for a turn; their place decides when (a paused one's when resumed). */
export function isWaiting(task: TaskSnapshot): boolean {
  return task.state === 'queued' || task.state === 'paused';
}

/** The engine's queue order: higher priority first, then the place the user gave. */
export function byQueueOrder(a: TaskSnapshot, b: TaskSnapshot): number {
  return PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || a.order - b.order;
}

/**
 * A waiting task moves among the waiting tasks of its own priority: a place before a task of
 * higher priority would not make it start sooner (priority goes first), so that takes a higher
 * priority, not a move.
 */
function line(tasks: Readonly<Record<string, TaskSnapshot>>, task: TaskSnapshot): TaskSnapshot[] {
  return Object.values(tasks).filter((t) => isWaiting(t) && t.priority === task.priority);
}

/**
 * Where a waiting task stands in its line (0 is next) and how long the line is; null when the task
 * is not waiting. Counts instead of sorting: the details panel asks on every progress batch.
 */
export function queuePlace(
  tasks: Readonly<Record<string, TaskSnapshot>>,
  id: string,
): { index: number; count: number } | null {
  const task = tasks[id];
  if (!task || !isWaiting(task)) return null;
  const others = line(tasks, task);
  return { index: others.filter((t) => t.order < task.order).length, count: others.length };
}

/**
 * The `beforeId` of the `tasks.move` that makes the move: the task to go before, or null for the
 * end of the queue. Undefined when the move is not possible (the task is not waiting, or already
 * first or last in its line).
 */
export function queueMoveTarget(
  tasks: Readonly<Record<string, TaskSnapshot>>,
  id: string,
  move: QueueMove,
): { beforeId: string | null } | undefined {
  const task = tasks[id];
  if (!task || !isWaiting(task)) return undefined;
  const sorted = line(tasks, task).sort(byQueueOrder);
  const index = sorted.indexOf(task);
  const last = sorted.length - 1;
  if ((move === 'top' || move === 'up') && index === 0) return undefined;
  if ((move === 'down' || move === 'bottom') && index === last) return undefined;
  switch (move) {
    case 'top':
      return { beforeId: sorted[0]!.id };
    case 'up':
      return { beforeId: sorted[index - 1]!.id };
    case 'down':
      // Before the one after next; past the last, the end of the queue.
      return { beforeId: sorted[index + 2]?.id ?? null };
    case 'bottom':
      return { beforeId: null };
  }
}
