import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter, takeAll } from '../../electron/engine/rate-limiter.ts';

describe('rate limiter', () => {
  it('lets everything through without waiting when unlimited', () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) assert.equal(limiter.take(256 * 1024), undefined);
  });

  it('holds many concurrent takers to the rate on average', async () => {
    const rate = 2 * 1024 * 1024;
    const limiter = new RateLimiter(rate);
    const started = performance.now();
    let total = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() - started < 1500) {
          await limiter.take(64 * 1024);
          total += 64 * 1024;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const measured = total / seconds;
    // A busy machine can only make it slower; the burst allowance (0.25 s) is the upper slack.
    assert.ok(measured <= rate * 1.25, `measured ${(measured / rate).toFixed(3)}× the rate`);
    assert.ok(measured >= rate * 0.7, `measured ${(measured / rate).toFixed(3)}× the rate`);
  });

  it('applies a new rate to callers already waiting', async () => {
    const limiter = new RateLimiter(1024);
    limiter.take(64 * 1024);
    const waiting = limiter.take(1024 * 1024)!;
    assert.ok(waiting instanceof Promise);
    const started = performance.now();
    limiter.setRate(0);
    await waiting;
    assert.ok(performance.now() - started < 1000, 'lifting the limit releases waiters');
  });

  it('releases a waiter whose download was stopped', async () => {
    const limiter = new RateLimiter(1024);
    limiter.take(64 * 1024);
    const controller = new AbortController();
    const waiting = limiter.take(1024 * 1024, controller.signal)!;
    controller.abort(new Error('stopped'));
    await assert.rejects(waiting, /stopped/);
  });

  it('tells it sets the pace while takers wait, and for a second after', () => {
    let now = 0;
    const limiter = new RateLimiter(64 * 1024, { now: () => now });
    // Lifting the limit releases whoever waits: no waiter outlives the test, even a failed one.
    const releaseAll = () => {
      limiter.setRate(0);
      limiter.setRate(64 * 1024);
    };
    try {
      assert.equal(limiter.binding, false);
      limiter.take(64 * 1024);
      assert.equal(limiter.binding, false, 'within the burst nobody waits');
      void limiter.take(1024 * 1024);
      assert.equal(limiter.binding, true);
      now = 5000;
      assert.equal(limiter.binding, true, 'a taker still waits, long after it began to');
      releaseAll();
      assert.equal(limiter.binding, false, 'nobody waits, and the last wait began 5 s ago');
      void limiter.take(1);
      releaseAll();
      now = 5999;
      assert.equal(limiter.binding, true, 'within a second of a wait');
      now = 6001;
      assert.equal(limiter.binding, false, 'a second after it');
      limiter.setRate(0);
      assert.equal(limiter.binding, false, 'no limit never binds');
    } finally {
      limiter.setRate(0);
    }
  });

  it('waits for the strictest of several limiters', async () => {
    const loose = new RateLimiter(0);
    const strict = new RateLimiter(64 * 1024);
    assert.equal(takeAll([loose, strict], 1024), undefined);
    strict.take(64 * 1024);
    assert.ok(takeAll([loose, strict], 32 * 1024) instanceof Promise);
  });
});
