import { describe, expect, it } from 'vitest';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { queueMoveTarget, queuePlace } from '../../renderer/store/queue-order.ts';
import { task } from './fake-api.ts';

/** A queue as the engine numbers it: ids by order, plus tasks that do not wait. */
function queue(...tasks: TaskSnapshot[]): Record<string, TaskSnapshot> {
  return Object.fromEntries(tasks.map((t) => [t.id, t]));
}

const tasks = queue(
  task({ id: 'running', state: 'downloading', order: 1 }),
  task({ id: 'aaaaaa', order: 2 }),
  task({ id: 'bbbbbb', order: 3, state: 'paused' }),
  task({ id: 'urgent', order: 4, priority: 'high' }),
  task({ id: 'finish', order: 5, state: 'completed' }),
  task({ id: 'cccccc', order: 6 }),
  task({ id: 'dddddd', order: 7 }),
);

describe('moving a waiting download in the queue', () => {
  it('goes before the previous waiting task for up, before the first for top', () => {
    expect(queueMoveTarget(tasks, 'cccccc', 'up')).toEqual({ beforeId: 'bbbbbb' });
    expect(queueMoveTarget(tasks, 'cccccc', 'top')).toEqual({ beforeId: 'aaaaaa' });
    expect(queueMoveTarget(tasks, 'dddddd', 'up')).toEqual({ beforeId: 'cccccc' });
  });

  it('goes before the one after next for down, to the end of the queue past the last', () => {
    expect(queueMoveTarget(tasks, 'aaaaaa', 'down')).toEqual({ beforeId: 'cccccc' });
    expect(queueMoveTarget(tasks, 'cccccc', 'down')).toEqual({ beforeId: null });
    expect(queueMoveTarget(tasks, 'aaaaaa', 'bottom')).toEqual({ beforeId: null });
  });

  it('counts paused tasks among the waiting ones (they keep their place for when resumed)', () => {
    expect(queueMoveTarget(tasks, 'bbbbbb', 'up')).toEqual({ beforeId: 'aaaaaa' });
    expect(queuePlace(tasks, 'bbbbbb')).toEqual({ index: 1, count: 4 });
  });

  it('stays within its priority: higher priority tasks start first whatever their place', () => {
    expect(queuePlace(tasks, 'urgent')).toEqual({ index: 0, count: 1 });
    for (const move of ['top', 'up', 'down', 'bottom'] as const) {
      expect(queueMoveTarget(tasks, 'urgent', move)).toBeUndefined();
    }
    expect(queuePlace(tasks, 'aaaaaa')).toEqual({ index: 0, count: 4 });
  });

  it('is impossible up from the first and down from the last', () => {
    expect(queueMoveTarget(tasks, 'aaaaaa', 'up')).toBeUndefined();
    expect(queueMoveTarget(tasks, 'aaaaaa', 'top')).toBeUndefined();
    expect(queueMoveTarget(tasks, 'dddddd', 'down')).toBeUndefined();
    expect(queueMoveTarget(tasks, 'dddddd', 'bottom')).toBeUndefined();
    expect(queuePlace(tasks, 'dddddd')).toEqual({ index: 3, count: 4 });
  });

  it('does not apply to a download that is not waiting', () => {
    for (const id of ['running', 'finish', 'gone00']) {
      expect(queuePlace(tasks, id)).toBeNull();
      expect(queueMoveTarget(tasks, id, 'top')).toBeUndefined();
    }
  });
});
