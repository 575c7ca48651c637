import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roundOrder } from '../../bench/round-order.ts';

describe('benchmark round order', () => {
  it('runs every tool exactly once per round', () => {
    for (let round = 0; round < 20; round++) {
      assert.deepEqual(
        [...roundOrder(round, 7)].sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6],
      );
    }
  });

  it('repeats the same order for the same round, so a rerun is comparable', () => {
    assert.deepEqual(roundOrder(3, 7), roundOrder(3, 7));
  });

  it('gives each tool more than one predecessor across rounds', () => {
    const rounds = Array.from({ length: 5 }, (_, r) => roundOrder(r, 7));
    assert.ok(new Set(rounds.map((o) => o.join())).size > 1, 'every round had the same order');
    for (let tool = 0; tool < 7; tool++) {
      const before = new Set(rounds.map((o) => o[o.indexOf(tool) - 1] ?? 'first'));
      assert.ok(before.size > 1, `tool ${tool} always ran after ${[...before][0]}`);
    }
  });
});
