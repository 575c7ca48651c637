import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunQueue } from '../../electron/engine/run-queue.ts';

interface Item {
  name: string;
  rank: number;
  waiting: boolean;
}

function queueOf(...items: Item[]): RunQueue<Item> {
  const queue = new RunQueue<Item>(
    (a, b) => a.rank - b.rank,
    (item) => item.waiting,
  );
  for (const item of items) queue.add(item);
  return queue;
}

const item = (name: string, rank: number): Item => ({ name, rank, waiting: true });
const names = (items: Item[]) => items.map((i) => i.name);
const any = () => true;

describe('RunQueue', () => {
  it('hands out the best waiting items first, ties in the order they were added', () => {
    const queue = queueOf(item('c', 3), item('a', 1), item('b1', 2), item('b2', 2));
    assert.deepEqual(names(queue.take(3, any)), ['a', 'b1', 'b2']);
  });

  it('keeps handing out an item until it stops waiting, then never again', () => {
    const a = item('a', 1);
    const queue = queueOf(a, item('b', 2));
    assert.deepEqual(names(queue.take(1, any)), ['a']);
    assert.deepEqual(names(queue.take(1, any)), ['a']);
    a.waiting = false;
    assert.deepEqual(names(queue.take(2, any)), ['b']);
  });

  it('skips items that are not ready without losing their place', () => {
    const a = item('a', 1);
    const queue = queueOf(a, item('b', 2), item('c', 3));
    assert.deepEqual(names(queue.take(1, (i) => i !== a)), ['b']);
    assert.deepEqual(names(queue.take(1, any)), ['a']);
  });

  it('takes an item back in order when it waits again after leaving', () => {
    const a = item('a', 1);
    const queue = queueOf(a, item('b', 2));
    a.waiting = false;
    assert.deepEqual(names(queue.take(2, any)), ['b']);
    a.waiting = true;
    queue.add(a);
    assert.deepEqual(names(queue.take(2, any)), ['a', 'b']);
  });

  it('follows a changed rank once told to reorder', () => {
    const c = item('c', 3);
    const queue = queueOf(item('a', 1), item('b', 2), c);
    assert.deepEqual(names(queue.take(1, any)), ['a']);
    c.rank = 0;
    queue.reorder();
    assert.deepEqual(names(queue.take(1, any)), ['c']);
  });

  it('picks from thousands without sorting them again', () => {
    let comparisons = 0;
    const items = Array.from({ length: 5000 }, (_, i) => item(`t${i}`, i));
    const queue = new RunQueue<Item>(
      (a, b) => (comparisons++, a.rank - b.rank),
      (i) => i.waiting,
    );
    for (const i of items) queue.add(i);
    queue.take(1, any);
    const afterFirstSort = comparisons;
    for (const i of items) {
      assert.deepEqual(names(queue.take(1, any)), [i.name]);
      i.waiting = false;
    }
    assert.equal(comparisons, afterFirstSort);
  });
});
