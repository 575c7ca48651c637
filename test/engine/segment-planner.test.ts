import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SegmentPlanner, type Segment } from '../../electron/engine/segment-planner.ts';

const KiB = 1024;
const noSpeeds = { speedOf: () => null, fallbackSpeed: null };

/** Every byte belongs to exactly one segment, in order. */
function assertCovers(planner: SegmentPlanner, size: number): void {
  let expect = 0;
  for (const s of planner.segments) {
    assert.equal(s.start, expect, 'segments are contiguous');
    assert.ok(s.end >= s.start, 'segments do not run backwards');
    assert.ok(
      s.start <= s.written && s.written <= s.pos && s.pos <= s.end,
      'start ≤ written ≤ pos ≤ end',
    );
    expect = s.end;
  }
  assert.equal(expect, size, 'segments cover the file');
}

function receive(segment: Segment, bytes: number, write = true): void {
  segment.pos = Math.min(segment.end, segment.pos + bytes);
  if (write) segment.written = segment.pos;
}

describe('SegmentPlanner', () => {
  it('gives the first worker the whole file', () => {
    const p = new SegmentPlanner(1000 * KiB, 64 * KiB);
    const s = p.claim(0, noSpeeds);
    assert.deepEqual([s?.start, s?.end], [0, 1000 * KiB]);
  });

  it('lets an idle worker take the second half of the largest remaining segment', () => {
    const p = new SegmentPlanner(1024 * KiB, 64 * KiB);
    const a = p.claim(0, noSpeeds)!;
    receive(a, 128 * KiB);
    a.requestEnd = a.pos; // no request in flight
    const b = p.claim(1, noSpeeds)!;
    assert.equal(a.end, b.start, 'the owner stops where the thief starts');
    assert.equal(b.end, 1024 * KiB);
    assert.equal(b.start, 128 * KiB + 448 * KiB, 'split in the middle of what was left');
    assertCovers(p, 1024 * KiB);
  });

  it('splits where the owner’s current request ends when that still leaves a big enough piece', () => {
    const p = new SegmentPlanner(4096 * KiB, 64 * KiB);
    const a = p.claim(0, noSpeeds)!;
    a.requestEnd = 3072 * KiB;
    const b = p.claim(1, noSpeeds)!;
    assert.equal(b.start, 3072 * KiB, 'no connection is cut');
  });

  it('gives a faster thief the share of a segment that lets both finish together', () => {
    const p = new SegmentPlanner(4096 * KiB, 64 * KiB);
    const a = p.claim(0, noSpeeds)!;
    a.requestEnd = a.pos;
    const speeds = {
      speedOf: (w: number) => (w === 0 ? 1000 * KiB : 3000 * KiB),
      fallbackSpeed: null,
    };
    const b = p.claim(1, speeds)!;
    assert.equal(a.end, b.start);
    assert.equal(b.start, 1024 * KiB, 'the owner keeps a quarter: it is a third as fast');
    assertCovers(p, 4096 * KiB);
  });

  it('splits the segment that would finish last, not the largest one', () => {
    const p = new SegmentPlanner(12 * 1024 * KiB, 64 * KiB);
    const fast = p.claim(0, noSpeeds)!;
    fast.requestEnd = fast.pos;
    const slow = p.claim(1, noSpeeds)!; // takes the second half: 6 MiB each
    slow.requestEnd = slow.pos;
    receive(slow, 2048 * KiB);
    const rates: Record<number, number> = { 0: 10_000 * KiB, 1: 2000 * KiB, 2: 3000 * KiB };
    const piece = p.claim(2, { speedOf: (w) => rates[w] ?? null, fallbackSpeed: null })!;
    assert.equal(piece.end, 12 * 1024 * KiB);
    assert.equal(slow.end, piece.start, 'the 4 MiB at 2 MB/s is split, not the 6 MiB at 10 MB/s');
    assertCovers(p, 12 * 1024 * KiB);
  });

  it('takes over the whole rest of a crawling segment before splitting a healthy one', () => {
    const p = new SegmentPlanner(8192 * KiB, 64 * KiB);
    const healthy = p.claim(0, noSpeeds)!;
    healthy.requestEnd = healthy.pos;
    const crawler = p.claim(1, noSpeeds)!;
    receive(crawler, 64 * KiB);
    const rates: Record<number, number> = { 0: 8000 * KiB, 1: 100 * KiB, 2: 8000 * KiB };
    const piece = p.claim(2, { speedOf: (w) => rates[w] ?? null, fallbackSpeed: null })!;
    assert.equal(piece.start, crawler.pos, 'from where the crawler got to');
    assert.equal(crawler.end, crawler.pos, 'the crawler keeps nothing');
    assertCovers(p, 8192 * KiB);
  });

  it('never splits below the minimum segment size', () => {
    const p = new SegmentPlanner(100 * KiB, 64 * KiB);
    p.claim(0, noSpeeds);
    assert.equal(p.claim(1, noSpeeds), null);
    assert.equal(p.hasWork(), false);
  });

  it('takes over the rest of a segment whose owner crawls', () => {
    const p = new SegmentPlanner(200 * KiB, 64 * KiB);
    const slow = p.claim(0, noSpeeds)!;
    receive(slow, 100 * KiB);
    const speeds = new Map([
      [0, 1 * KiB],
      [1, 1000 * KiB],
    ]);
    const taken = p.claim(1, { speedOf: (id) => speeds.get(id) ?? null, fallbackSpeed: null })!;
    assert.deepEqual([taken.start, taken.end], [100 * KiB, 200 * KiB]);
    assert.equal(slow.end, 100 * KiB, 'the slow owner stops where it is');
    assertCovers(p, 200 * KiB);
  });

  it('does not take over from an owner that is about as fast', () => {
    const p = new SegmentPlanner(200 * KiB, 64 * KiB);
    receive(p.claim(0, noSpeeds)!, 100 * KiB);
    const claim = p.claim(1, { speedOf: () => 50 * KiB, fallbackSpeed: null });
    assert.equal(claim, null);
  });

  it('re-fetches only unwritten bytes of a released segment', () => {
    const p = new SegmentPlanner(512 * KiB, 64 * KiB);
    const a = p.claim(0, noSpeeds)!;
    a.pos = 300 * KiB;
    a.written = 256 * KiB;
    p.release(a);
    assert.equal(a.pos, 256 * KiB);
    const again = p.claim(1, noSpeeds)!;
    assert.equal(again, a, 'unowned work is taken before anything is split');
  });

  it('restores from a journal and merges finished neighbours when saving', () => {
    const p = new SegmentPlanner(300, 10, [
      [0, 100, 100],
      [100, 200, 150],
      [200, 300, 300],
    ]);
    assert.equal(p.written, 250);
    p.segments[1]!.written = 200;
    p.segments[1]!.pos = 200;
    assert.deepEqual(p.toSaved(), [[0, 300, 300]]);
    assert.ok(p.isComplete());
  });

  it('rejects journals that do not cover the file exactly', () => {
    assert.ok(
      SegmentPlanner.isValidSaved(
        [
          [0, 10, 5],
          [10, 20, 20],
        ],
        20,
      ),
    );
    assert.ok(
      !SegmentPlanner.isValidSaved(
        [
          [0, 10, 5],
          [12, 20, 20],
        ],
        20,
      ),
      'gap',
    );
    assert.ok(!SegmentPlanner.isValidSaved([[0, 10, 11]], 10), 'written beyond end');
    assert.ok(!SegmentPlanner.isValidSaved([[0, 10, 10]], 20), 'short');
  });

  it('keeps every byte in exactly one segment under any sequence of claims, progress and releases', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(
          fc.record({
            worker: fc.integer({ min: 0, max: 7 }),
            op: fc.constantFrom('claim', 'receive', 'release', 'request'),
            bytes: fc.integer({ min: 1, max: 800 }),
          }),
          { maxLength: 200 },
        ),
        (size, minSplit, ops) => {
          const p = new SegmentPlanner(size, minSplit);
          const owned = new Map<number, Segment>();
          const speeds = { speedOf: (id: number) => (id % 2 ? 10 : 1000), fallbackSpeed: 100 };
          for (const { worker, op, bytes } of ops) {
            const seg = owned.get(worker);
            if (op === 'claim' && !seg) {
              const s = p.claim(worker, speeds);
              if (s) owned.set(worker, s);
            } else if (seg && op === 'receive') {
              receive(seg, bytes, bytes % 3 !== 0);
              if (seg.pos >= seg.end && seg.written === seg.end) {
                seg.owner = null;
                owned.delete(worker);
              }
            } else if (seg && op === 'release') {
              p.release(seg);
              owned.delete(worker);
            } else if (seg && op === 'request') {
              seg.requestEnd = Math.min(seg.end, seg.pos + bytes);
            }
            for (const [w, s] of owned) {
              if (s.pos >= s.end && s.owner === w) {
                s.written = s.pos; // writes settle
              }
            }
            assertCovers(p, size);
            for (const s of p.segments) {
              if (s.owner !== null) assert.equal(owned.get(s.owner), s, 'one owner per segment');
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
