import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiEvent } from '../../shared/api/api-events.ts';
import type { TaskProgress, TaskSnapshot } from '../../shared/api/task.ts';
import { BATCH_INTERVAL_MS, EventBatcher } from '../../electron/api/event-batcher.ts';

function progress(id: string, downloaded: number): TaskProgress {
  return {
    id,
    downloaded,
    size: 100,
    speed: 1,
    averageSpeed: 1,
    eta: 1,
    connections: 1,
    segments: [],
    retry: null,
    verifying: null,
  };
}

function snapshot(id: string, state: TaskSnapshot['state'], downloaded = 0): TaskSnapshot {
  return {
    ...progress(id, downloaded),
    url: `http://x/${id}`,
    dir: '/d',
    fileName: null,
    requestedName: null,
    state,
    priority: 'normal',
    order: 0,
    options: { connections: 8, limit: 0, headers: {}, checksum: null, maxSize: null, mirrors: [] },
    resumable: null,
    error: null,
    createdAt: 0,
    completedAt: null,
  };
}

function collect() {
  const batches: ApiEvent[][] = [];
  return { batches, batcher: new EventBatcher((events) => batches.push(events)) };
}

describe('EventBatcher', () => {
  it('sends at most one batch per 100 ms however many events arrive', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const { batches, batcher } = collect();
    for (let ms = 0; ms < 1000; ms += 5) {
      batcher.push({ type: 'progress', at: ms, tasks: [progress('aaaaaa', ms)] });
      t.mock.timers.tick(5);
    }
    t.mock.timers.tick(BATCH_INTERVAL_MS);
    assert.ok(batches.length <= 11, `${batches.length} batches in one second`);
    assert.ok(batches.length >= 9, 'progress still flows every tick');
    const last = batches.at(-1)?.at(-1);
    assert.equal(last?.type === 'progress' && last.tasks[0]?.downloaded, 995);
  });

  it('delivers the first event after a quiet period without waiting a whole tick', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 10_000 });
    const { batches, batcher } = collect();
    batcher.push({ type: 'task-changed', task: snapshot('aaaaaa', 'paused') });
    t.mock.timers.tick(0);
    assert.equal(batches.length, 1);
  });

  it('keeps only the newest snapshot of a task and drops progress older than it', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const { batches, batcher } = collect();
    batcher.push({
      type: 'progress',
      at: 1,
      tasks: [progress('aaaaaa', 10), progress('bbbbbb', 5)],
    });
    batcher.push({ type: 'task-changed', task: snapshot('aaaaaa', 'downloading', 20) });
    batcher.push({ type: 'task-changed', task: snapshot('aaaaaa', 'paused', 30) });
    batcher.flush();
    assert.deepEqual(
      batches[0]?.map((e) => e.type),
      ['task-changed', 'progress'],
    );
    const [changed, merged] = batches[0] as [ApiEvent, ApiEvent];
    assert.equal(changed.type === 'task-changed' && changed.task.state, 'paused');
    assert.deepEqual(merged.type === 'progress' && merged.tasks.map((p) => p.id), ['bbbbbb']);
  });

  it('keeps an addition an addition, and forgets a task added and removed within one batch', () => {
    const { batches, batcher } = collect();
    batcher.push({ type: 'task-added', task: snapshot('aaaaaa', 'queued') });
    batcher.push({ type: 'task-changed', task: snapshot('aaaaaa', 'downloading') });
    batcher.push({ type: 'task-added', task: snapshot('bbbbbb', 'queued') });
    batcher.push({ type: 'progress', at: 1, tasks: [progress('bbbbbb', 1)] });
    batcher.push({ type: 'task-removed', id: 'bbbbbb' });
    batcher.push({ type: 'task-removed', id: 'cccccc' });
    batcher.flush();
    batcher.close();
    assert.deepEqual(
      batches[0]?.map((e) => (e.type === 'task-removed' ? `removed ${e.id}` : e.type)),
      ['task-added', 'removed cccccc'],
    );
    const added = batches[0]?.[0];
    assert.equal(added?.type === 'task-added' && added.task.state, 'downloading');
  });

  it('keeps every error of a batch, up to a bound', () => {
    const { batches, batcher } = collect();
    for (let i = 0; i < 500; i++) {
      batcher.push({ type: 'error', code: 'HTTP_404', message: `e${i}`, taskId: null, at: i });
    }
    batcher.flush();
    batcher.close();
    assert.equal(batches[0]?.length, 50);
  });

  it('sends nothing after close', () => {
    const { batches, batcher } = collect();
    batcher.close();
    batcher.push({ type: 'task-removed', id: 'aaaaaa' });
    batcher.flush();
    assert.equal(batches.length, 0);
  });
});
