import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFrame } from '../../electron/cli/progress-display.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';

function task(overrides: Partial<TaskSnapshot>): TaskSnapshot {
  return {
    id: 'task-000001',
    url: 'http://example/ubuntu.iso',
    dir: '/tmp',
    fileName: 'ubuntu.iso',
    requestedName: null,
    state: 'downloading',
    priority: 'normal',
    order: 1,
    options: { connections: 8, limit: 0, headers: {}, checksum: null, maxSize: null, mirrors: [] },
    resumable: true,
    error: null,
    createdAt: 0,
    completedAt: null,
    downloaded: 421,
    size: 1000,
    speed: 118.2 * 1024 * 1024,
    averageSpeed: 0,
    eta: 7,
    connections: 8,
    segments: [],
    retry: null,
    ...overrides,
  };
}

describe('the progress display', () => {
  it('says which attempt a retrying download is on', () => {
    const retry = { attempt: 3, maxAttempts: 10, at: 0, message: 'server answered 500' };
    const [line] = renderFrame([task({ speed: 0, eta: null, connections: 0, retry })], 80);
    assert.match(line!, /0 conn {2}retry 3\/10$/);
  });

  it('shows name, percent, speed, ETA and connections on one line', () => {
    const [line] = renderFrame([task({})], 80);
    assert.match(line!, /^ubuntu\.iso\s+42\.1%\s+118 MiB\/s\s+ETA\s+0:07\s+8 conn$/);
    assert.ok(line!.length <= 80);
  });

  it('shows bytes instead of a percentage when the size is unknown', () => {
    const [line] = renderFrame([task({ size: null, downloaded: 3 * 1024 * 1024, eta: null })], 80);
    assert.match(line!, /3\.00 MiB/);
    assert.match(line!, /--:--/);
  });

  it('shortens long names to fit the terminal', () => {
    const [line] = renderFrame([task({ fileName: 'x'.repeat(200) })], 60);
    assert.equal(line!.length, 60);
    assert.match(line!, /x…/);
  });
});
