import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpeedHistory } from '../../electron/api/speed-history.ts';
import { SPEED_HISTORY } from '../../shared/speed-samples.ts';

const speed = (at: number, tasks: Record<string, number>) => ({
  type: 'speed' as const,
  at,
  total: Object.values(tasks).reduce((sum, s) => sum + s, 0),
  tasks: Object.entries(tasks).map(([id, s]) => ({ id, speed: s })),
});

describe('the host’s speed history', () => {
  it('keeps the app’s and each task’s last samples, as many as the graphs show', () => {
    const history = new SpeedHistory();
    for (let i = 0; i < SPEED_HISTORY + 5; i++) {
      history.observe(speed(i * 1000, { aaaaaa: i, bbbbbb: 1 }));
    }
    const { app, tasks } = history.snapshot();
    assert.equal(app.length, SPEED_HISTORY);
    assert.deepEqual(app.at(-1), { at: (SPEED_HISTORY + 4) * 1000, speed: SPEED_HISTORY + 5 });
    assert.equal(tasks['aaaaaa']?.length, SPEED_HISTORY);
    assert.deepEqual(tasks['bbbbbb']?.[0], { at: 5000, speed: 1 });
  });

  it('forgets a removed task at once and a stopped one when its samples are off the graph', () => {
    const history = new SpeedHistory();
    history.observe(speed(0, { aaaaaa: 5, bbbbbb: 7 }));
    history.observe(speed(1000, { aaaaaa: 0, bbbbbb: 0 }));
    history.observe({ type: 'task-removed', id: 'bbbbbb' });
    assert.deepEqual(Object.keys(history.snapshot().tasks), ['aaaaaa']);
    history.observe(speed(SPEED_HISTORY * 1000, { cccccc: 1 }));
    assert.deepEqual(Object.keys(history.snapshot().tasks), ['aaaaaa', 'cccccc']);
    history.observe(speed(SPEED_HISTORY * 1000 + 1001, { cccccc: 1 }));
    assert.deepEqual(Object.keys(history.snapshot().tasks), ['cccccc']);
    assert.equal(history.snapshot().app.length, 4, 'the app’s samples stay, up to the limit');
  });
});
