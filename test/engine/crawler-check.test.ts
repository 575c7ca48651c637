import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findCrawlers,
  graceMs,
  type ConnectionSample,
} from '../../electron/engine/crawler-check.ts';

const MB = 1_000_000;

function conn(id: number, speed: number, extra: Partial<ConnectionSample> = {}): ConnectionSample {
  return { id, ageMs: 2000, firstResponseMs: 2, speed, remaining: 16 * MB, ...extra };
}

describe('crawler check', () => {
  it('waits four first-response latencies before judging, at least 100 ms and at most 1 s', () => {
    assert.equal(graceMs(1), 100);
    assert.equal(graceMs(100), 400);
    assert.equal(graceMs(400), 1000);
    assert.equal(graceMs(null), 1000);
  });

  it('replaces connections slower than a quarter of the fastest one', () => {
    const found = findCrawlers([
      conn(1, 8 * MB),
      conn(2, 1 * MB),
      conn(3, 0.25 * MB),
      conn(4, 3 * MB),
    ]);
    assert.deepEqual(found, [2, 3]);
  });

  it('judges a crawler on a low-latency link sooner than one on a slow-to-answer link', () => {
    const fast = conn(1, 8 * MB);
    const lan = conn(2, 0.25 * MB, { ageMs: 200, firstResponseMs: 2 });
    const far = conn(3, 0.25 * MB, { ageMs: 200, firstResponseMs: 120 });
    assert.deepEqual(findCrawlers([fast, lan, far]), [2]);
    assert.deepEqual(findCrawlers([fast, lan, { ...far, ageMs: 500 }]), [2, 3]);
  });

  it('leaves a connection alone before its first response, until the longest grace passed', () => {
    const waiting = conn(2, 0, { ageMs: 600, firstResponseMs: null });
    assert.deepEqual(findCrawlers([conn(1, 8 * MB), waiting]), []);
    assert.deepEqual(findCrawlers([conn(1, 8 * MB), { ...waiting, ageMs: 1000 }]), [2]);
  });

  it('needs a settled sibling to compare with', () => {
    assert.deepEqual(findCrawlers([conn(1, 8 * MB), conn(2, 1, { ageMs: 60 })]), []);
    assert.deepEqual(findCrawlers([conn(2, 1)]), []);
  });

  it('keeps a slow connection that would finish its segment within a second', () => {
    assert.deepEqual(findCrawlers([conn(1, 8 * MB), conn(2, 1 * MB, { remaining: 0.5 * MB })]), []);
  });
});
