import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorHistory } from '../../electron/api/error-history.ts';
import { RECENT_ERRORS } from '../../shared/recent-errors.ts';

const error = (i: number) => ({
  type: 'error' as const,
  code: 'HTTP_404',
  message: `file-${i}.iso: server answered 404`,
  taskId: `task-${i}`,
  at: i * 1000,
});

describe('the host’s error history', () => {
  it('keeps the last failures the host reported, as many as the monitor lists, oldest first', () => {
    const history = new ErrorHistory();
    for (let i = 0; i < RECENT_ERRORS + 5; i++) history.observe(error(i));
    const kept = history.snapshot();
    assert.equal(kept.length, RECENT_ERRORS);
    assert.deepEqual(kept[0], {
      at: 5000,
      taskId: 'task-5',
      text: 'file-5.iso: server answered 404',
    });
    assert.equal(kept.at(-1)?.taskId, `task-${RECENT_ERRORS + 4}`);
  });

  it('keeps nothing but errors, and keeps them after their task is removed', () => {
    const history = new ErrorHistory();
    history.observe(error(1));
    history.observe({ type: 'task-removed', id: 'task-1' });
    history.observe({ type: 'speed', at: 2000, total: 0, tasks: [] });
    assert.deepEqual(
      history.snapshot().map((e) => e.taskId),
      ['task-1'],
    );
  });
});
