import { useCallback } from 'react';
import { queueMoveTarget, type QueueMove } from '../store/queue-order.ts';
import { useAppStore } from './context.ts';
import { useCommand } from './use-command.ts';

/** Moves a waiting task in the queue; a move that is not possible (already first) sends nothing. */
export function useQueueMove() {
  const run = useCommand();
  const store = useAppStore();
  return useCallback(
    (id: string, move: QueueMove) => {
      const target = queueMoveTarget(store.getState().tasks, id, move);
      if (target) void run('tasks.move', { id, beforeId: target.beforeId });
    },
    [run, store],
  );
}
