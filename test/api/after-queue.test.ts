import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../shared/api/events.ts';
import type { TaskSnapshot, TaskState } from '../../shared/api/task.ts';
import { QueueWatcher } from '../../electron/api/after-queue.ts';

/** The watcher reads a task's id and state only. */
const changed = (id: string, state: TaskState): EngineEvent => ({
  type: 'task-changed',
  task: { id, state } as TaskSnapshot,
});

function watch(initial: Array<{ id: string; state: TaskState }>) {
  const said: string[] = [];
  const watcher = new QueueWatcher(initial, {
    finished: () => said.push('finished'),
    busy: () => said.push('busy'),
  });
  return { watcher, said };
}

describe('the queue watcher', () => {
  it('finishes with a download left paused from an earlier run, which it was never asked to run', () => {
    const { watcher, said } = watch([
      { id: 'old', state: 'paused' },
      { id: 'new', state: 'queued' },
    ]);
    watcher.observe(changed('new', 'downloading'));
    watcher.observe(changed('new', 'completed'));
    assert.deepEqual(said, ['finished']);
  });

  it('finishes once a paused download that held it open is canceled or removed', () => {
    const { watcher, said } = watch([
      { id: 'a', state: 'downloading' },
      { id: 'b', state: 'downloading' },
    ]);
    watcher.observe(changed('a', 'completed'));
    watcher.observe(changed('b', 'paused'));
    assert.deepEqual(said, []);
    watcher.observe({ type: 'task-removed', id: 'b' });
    assert.deepEqual(said, ['finished']);
  });
});
