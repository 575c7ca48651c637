import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { RateLimiter, takeAll, type RateTaker } from '../../electron/engine/rate-limiter.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Party {
  connections: number;
  /** Bytes each of its reads brings. */
  read: number;
  /** Its own limit besides its share of the shared one; 0 for none. */
  limit?: number;
  /** The second it starts at. */
  startsAt?: number;
}

/**
 * Runs parties (downloads) against one shared limiter, each with a share of its own, on a mocked
 * clock: reads take no time, so only the limiter decides. Returns what each party got per second
 * over the last `measured` of `seconds`.
 */
async function shares(
  t: TestContext,
  rate: number,
  parties: Party[],
  { seconds = 12, measured = 8 } = {},
): Promise<number[]> {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const now = () => Date.now();
  const shared = new RateLimiter(rate, { now });
  const limiters = [shared];
  const got = parties.map(() => 0);
  let running = true;
  const connections = parties.flatMap((party, p) => {
    const takers: RateTaker[] = [shared.share()];
    if (party.limit) {
      const own = new RateLimiter(party.limit, { now });
      limiters.push(own);
      takers.push(own);
    }
    return Array.from({ length: party.connections }, async () => {
      if (party.startsAt)
        await new Promise((resolve) => setTimeout(resolve, party.startsAt! * 1000));
      while (running) {
        got[p]! += party.read;
        await takeAll(takers, party.read);
      }
    });
  });
  let before = got;
  for (let ms = 0; ms < seconds * 1000; ms++) {
    if (ms === (seconds - measured) * 1000) before = [...got];
    t.mock.timers.tick(1);
    await new Promise(setImmediate);
  }
  running = false;
  for (const limiter of limiters) limiter.setRate(0);
  await Promise.all(connections);
  return got.map((bytes, p) => (bytes - before[p]!) / measured);
}

const kib = (rates: number[]) => rates.map((r) => Math.round(r / KiB)).join(', ');
/** Within 5 %: on a mocked clock the shares are exact but for the reads at the window's edges. */
const near = (rate: number, expected: number) => Math.abs(rate / expected - 1) <= 0.05;

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

  describe('shared by several downloads', () => {
    it('gives each download an equal share, however small its reads', async (t) => {
      const rates = await shares(t, 1 * MiB, [
        { connections: 4, read: 16 * KiB },
        { connections: 4, read: 100 * KiB },
      ]);
      assert.ok(
        rates.every((r) => near(r, 512 * KiB)),
        `KiB/s: ${kib(rates)}; 512 each expected`,
      );
    });

    it('gives each download an equal share, however many connections it has', async (t) => {
      const rates = await shares(t, 1 * MiB, [
        { connections: 16, read: 64 * KiB },
        { connections: 4, read: 64 * KiB },
      ]);
      assert.ok(
        rates.every((r) => near(r, 512 * KiB)),
        `KiB/s: ${kib(rates)}; 512 each expected`,
      );
    });

    it('gives a download held below its share by its own limit that limit, and the rest to the others', async (t) => {
      const rates = await shares(t, 2 * MiB, [
        { connections: 4, read: 16 * KiB, limit: 300 * KiB },
        { connections: 4, read: 100 * KiB },
        { connections: 4, read: 100 * KiB },
      ]);
      const [limited, ...others] = rates as [number, number, number];
      assert.ok(near(limited, 300 * KiB), `KiB/s: ${kib(rates)}; the first limited to 300`);
      assert.ok(
        others.every((r) => near(r, 874 * KiB)),
        `KiB/s: ${kib(rates)}; the others 874 each`,
      );
    });

    it('gives a download limited above its share that share, as much as the others', async (t) => {
      const rates = await shares(t, 2 * MiB, [
        { connections: 4, read: 51 * KiB, limit: 1 * MiB },
        { connections: 4, read: 100 * KiB },
        { connections: 4, read: 100 * KiB },
      ]);
      assert.ok(
        rates.every((r) => near(r, (2 * MiB) / 3)),
        `KiB/s: ${kib(rates)}; 683 each expected`,
      );
    });

    it('keeps the whole of them to the rate', async (t) => {
      const rates = await shares(t, 2 * MiB, [
        { connections: 4, read: 16 * KiB, limit: 300 * KiB },
        { connections: 16, read: 100 * KiB },
        { connections: 1, read: 64 * KiB },
      ]);
      const total = rates.reduce((a, b) => a + b);
      assert.ok(Math.abs(total / (2 * MiB) - 1) <= 0.01, `KiB/s: ${kib(rates)}; 2048 in all`);
    });

    it('banks no credit for a download that was idle: it shares from when it starts', async (t) => {
      const rates = await shares(t, 1 * MiB, [
        { connections: 4, read: 64 * KiB },
        { connections: 4, read: 64 * KiB, startsAt: 4 },
      ]);
      assert.ok(
        rates.every((r) => near(r, 512 * KiB)),
        `KiB/s: ${kib(rates)} since the second started; 512 each expected`,
      );
    });

    it('counts the bytes of a taker that stopped waiting: they arrived all the same', async (t) => {
      t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
      const limiter = new RateLimiter(1000, { now: () => Date.now() });
      limiter.take(64 * KiB);
      let released = false;
      void limiter.take(1000)!.then(() => (released = true));
      const stopped = new AbortController();
      const waiting = limiter.take(9000, stopped.signal)!;
      stopped.abort(new Error('stopped'));
      await assert.rejects(waiting, /stopped/);
      t.mock.timers.tick(9900);
      await new Promise(setImmediate);
      assert.equal(released, false, "the next waits for the stopped taker's bytes too");
      t.mock.timers.tick(200);
      await new Promise(setImmediate);
      assert.equal(released, true);
    });
  });
});
