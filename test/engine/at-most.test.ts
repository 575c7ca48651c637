import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eachAtMost } from '../../electron/engine/at-most.ts';

describe('eachAtMost', () => {
  it('runs every item once, never more than the limit at a time', async () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const seen: number[] = [];
    let running = 0;
    let most = 0;
    await eachAtMost(items, 8, async (item) => {
      most = Math.max(most, ++running);
      await sleep(item % 3);
      seen.push(item);
      running--;
    });
    assert.equal(most, 8);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      items,
    );
  });

  it('resolves at once for no items', async () => {
    await eachAtMost([], 8, () => assert.fail('called'));
  });
});
