import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { summarize, tooltip } from '../../electron/main/progress-summary.ts';
import { translator } from '../../shared/i18n/translate.ts';

function task(state: TaskSnapshot['state'], downloaded: number, size: number | null, speed = 0) {
  return { state, downloaded, size, speed } as TaskSnapshot;
}

describe('tray and taskbar progress', () => {
  it('sums running and queued work of known size, and speed', () => {
    const summary = summarize([
      task('downloading', 50, 100, 1000),
      task('queued', 0, 100),
      task('downloading', 10, null, 500),
      task('completed', 300, 300),
      task('paused', 10, 100),
    ]);
    assert.deepEqual(summary, { downloading: 2, queued: 1, fraction: 0.25, speed: 1500 });
    assert.equal(
      tooltip(summary, translator('en')),
      'Braid — 2 downloading, 1 queued · 25% · 1.46 KiB/s',
    );
    assert.equal(
      tooltip(summary, translator('zh-CN')),
      'Braid — 2 个下载中，1 个排队 · 25% · 1.46 KiB/s',
    );
  });

  it('shows no bar when idle', () => {
    const summary = summarize([task('completed', 1, 1), task('paused', 0, 10)]);
    assert.equal(summary.fraction, null);
    assert.equal(tooltip(summary, translator('en')), 'Braid — idle');
  });
});
