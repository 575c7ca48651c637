import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { DownloadEngine } from '../../electron/engine/download-engine.ts';
import { ApiError } from '../../shared/api/errors.ts';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import type { FaultServer } from '../support/fault-server.ts';
import { listDir, makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';

const KiB = 1024;

describe('the queue', () => {
  it('runs at most maxConcurrent transfers at once and starts the next as one has its bytes', async () => {
    await withHarness(
      async ({ engine, server }) => {
        for (let i = 0; i < 5; i++) {
          server.addFile(`/q${i}`, {
            body: makeContent(256 * KiB, `q${i}`),
            faults: { connectionRate: 1 * MiB },
          });
        }
        let maxRunning = 0;
        engine.subscribe(() => {
          maxRunning = Math.max(
            maxRunning,
            engine.list().filter((t) => t.state === 'downloading' && t.downloaded !== t.size)
              .length,
          );
        });
        const tasks = await engine.add([0, 1, 2, 3, 4].map((i) => ({ url: server.url(`/q${i}`) })));
        const done = await Promise.all(tasks.map((t) => waitForEnd(engine, t.id)));
        assert.ok(done.every((t) => t.state === 'completed'));
        assert.equal(maxRunning, 2);
      },
      { maxConcurrent: 2 },
    );
  });

  it('starts the next download while the last one still verifies and publishes its file', async () => {
    await withHarness(
      async ({ engine, server }) => {
        const first = makeContent(4 * MiB, 'first');
        server.addFile('/first', { body: first });
        server.addFile('/second', { body: makeContent(64 * KiB, 'second') });
        let overlapped = false;
        let transfersAtOnce = 0;
        engine.subscribe(() => {
          const running = engine.list().filter((t) => t.state === 'downloading');
          const transferring = running.filter((t) => t.downloaded !== t.size);
          transfersAtOnce = Math.max(transfersAtOnce, transferring.length);
          if (running.length === 2 && transferring.length <= 1) overlapped = true;
        });
        const tasks = await engine.add([
          { url: server.url('/first'), checksum: { algorithm: 'sha256', expected: sha256(first) } },
          { url: server.url('/second') },
        ]);
        const done = await Promise.all(tasks.map((t) => waitForEnd(engine, t.id)));
        assert.deepEqual(
          done.map((t) => t.state),
          ['completed', 'completed'],
        );
        assert.ok(overlapped, 'the second download started before the first was published');
        assert.equal(transfersAtOnce, 1);
      },
      { maxConcurrent: 1 },
    );
  });

  it('lets no more downloads finish outside the queue than maxConcurrent', async () => {
    await withHarness(
      async ({ engine, server }) => {
        // The first one's checksum keeps it finishing (~0.1 s of hashing) while the second,
        // tiny, gets all its bytes: two finishers, one slot; the third must wait for one of them.
        const big = makeContent(48 * MiB, 'big');
        server.addFile('/big', { body: big });
        server.addFile('/tiny1', { body: makeContent(1 * KiB, 'tiny1') });
        server.addFile('/tiny2', { body: makeContent(1 * KiB, 'tiny2') });
        let mostRunning = 0;
        let mostFinishing = 0;
        const watch = setInterval(() => {
          const running = engine.list().filter((t) => t.state === 'downloading');
          mostRunning = Math.max(mostRunning, running.length);
          const finishing = running.filter((t) => t.downloaded === t.size).length;
          mostFinishing = Math.max(mostFinishing, finishing);
        }, 1);
        try {
          const tasks = await engine.add([
            { url: server.url('/big'), checksum: { algorithm: 'sha256', expected: sha256(big) } },
            { url: server.url('/tiny1') },
            { url: server.url('/tiny2') },
          ]);
          const done = await Promise.all(tasks.map((t) => waitForEnd(engine, t.id)));
          assert.ok(done.every((t) => t.state === 'completed'));
        } finally {
          clearInterval(watch);
        }
        assert.equal(mostFinishing, 2, 'two downloads were finishing at once');
        assert.equal(mostRunning, 2, 'the third waited for a finisher');
      },
      { maxConcurrent: 1 },
    );
  });

  it('downloads many small files at once, each completing whole', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const bodies = Array.from({ length: 80 }, (_, i) => makeContent(64 * KiB, `s${i}`));
        bodies.forEach((body, i) => server.addFile(`/small/${i}.bin`, { body }));
        const tasks = await engine.add(
          bodies.map((_, i) => ({ url: server.url(`/small/${i}.bin`) })),
        );
        const done = await Promise.all(tasks.map((t) => waitForEnd(engine, t.id)));
        for (const [i, t] of done.entries()) {
          assert.equal(t.state, 'completed', `${t.fileName}: ${JSON.stringify(t.error)}`);
          assert.equal(await sha256File(join(dir, t.fileName!)), sha256(bodies[i]!));
        }
      },
      { maxConcurrent: 16, minSegmentSize: 1024 * KiB },
    );
  });

  it('gives a batch of links one creation time and their order as given, for lists sorted by both', async () => {
    await withHarness(async ({ engine, server }) => {
      const urls = Array.from({ length: 2000 }, (_, i) => server.url(`/f${i}.bin`));
      const added = await engine.add(urls.map((url) => ({ url, paused: true })));
      assert.equal(new Set(added.map((t) => t.createdAt)).size, 1);
      assert.deepEqual(
        added.map((t) => t.url),
        [...added].sort((a, b) => a.order - b.order).map((t) => t.url),
      );
      assert.deepEqual(
        added.map((t) => t.url),
        urls,
      );
    });
  });

  it('starts high-priority tasks first and honours the order set by move()', async () => {
    await withHarness(
      async ({ engine, server }) => {
        server.addFile('/blocker', {
          body: makeContent(256 * KiB),
          faults: { connectionRate: 256 * KiB },
        });
        for (const name of ['a', 'b', 'c', 'd'])
          server.addFile(`/${name}`, { body: makeContent(64 * KiB, name) });
        const [blocker] = await engine.add([{ url: server.url('/blocker') }]);
        await waitForTask(engine, blocker!.id, 'downloading');
        const [a, b, c, d] = await engine.add(
          ['a', 'b', 'c', 'd'].map((n) => ({ url: server.url(`/${n}`) })),
        );
        await engine.setPriority(c!.id, 'high');
        await engine.move(b!.id, a!.id);
        await Promise.all([blocker, a, b, c, d].map((t) => waitForEnd(engine, t!.id)));
        const order = [...new Set(server.stats.requests.map((r) => r.path))];
        assert.deepEqual(order, ['/blocker', '/c', '/b', '/a', '/d']);
      },
      { maxConcurrent: 1 },
    );
  });

  it('honours a move made while the queue is already being worked through', async () => {
    await withHarness(
      async ({ engine, server }) => {
        for (const name of ['a', 'b', 'c']) {
          server.addFile(`/${name}`, {
            body: makeContent(128 * KiB, name),
            faults: { connectionRate: 256 * KiB },
          });
        }
        const [a, b, c] = await engine.add(
          ['a', 'b', 'c'].map((n) => ({ url: server.url(`/${n}`) })),
        );
        await waitForTask(engine, a!.id, 'downloading');
        await engine.move(c!.id, b!.id);
        await Promise.all([a, b, c].map((t) => waitForEnd(engine, t!.id)));
        const order = [...new Set(server.stats.requests.map((r) => r.path))];
        assert.deepEqual(order, ['/a', '/c', '/b']);
      },
      { maxConcurrent: 1 },
    );
  });

  it('keeps the order of many moves into the same gap, and a task moved before itself stays put', async () => {
    await withHarness(
      async (h) => {
        h.server.addFile('/blocker', {
          body: makeContent(256 * KiB),
          faults: { connectionRate: 64 * KiB },
        });
        for (const name of ['a', 'b', 'c'])
          h.server.addFile(`/${name}`, { body: makeContent(KiB, name) });
        const [blocker] = await h.engine.add([{ url: h.server.url('/blocker') }]);
        await waitForTask(h.engine, blocker!.id, 'downloading');
        const [a, b, c] = await h.engine.add(
          ['a', 'b', 'c'].map((n) => ({ url: h.server.url(`/${n}`) })),
        );
        const queue = () =>
          h.engine
            .list()
            .filter((t) => t.state === 'queued')
            .map((t) => [a!.id, b!.id, c!.id].indexOf(t.id));
        // Each move lands between a and the task moved last: the gap after a halves every time.
        for (let i = 0; i < 60; i++) {
          const [moved, before] = i % 2 === 0 ? [c!, b!] : [b!, c!];
          await h.engine.move(moved.id, before.id);
          assert.deepEqual(queue(), i % 2 === 0 ? [0, 2, 1] : [0, 1, 2], `after move ${i + 1}`);
        }
        await h.engine.move(a!.id, a!.id);
        assert.deepEqual(queue(), [0, 1, 2]);
        await h.restart();
        assert.deepEqual(queue(), [0, 1, 2], 'the orders were saved');
      },
      { maxConcurrent: 1 },
    );
  });

  it('fills several free slots at once with the best of the queue: priority, then order', async () => {
    await withHarness(
      async ({ engine, server }) => {
        for (const name of ['a', 'b', 'c', 'd', 'e']) {
          server.addFile(`/${name}`, {
            body: makeContent(256 * KiB, name),
            faults: { connectionRate: 64 * KiB },
          });
        }
        const [a, b, c, d, e] = await engine.add(
          ['a', 'b', 'c', 'd', 'e'].map((n) => ({ url: server.url(`/${n}`) })),
        );
        await waitForTask(engine, a!.id, 'downloading');
        await engine.setPriority(b!.id, 'low');
        await engine.setPriority(e!.id, 'high');
        await engine.updateSettings({ maxConcurrent: 3 });
        const state = (t: typeof a) => engine.get(t!.id)!.state;
        assert.deepEqual([a, b, c, d, e].map(state), [
          'downloading',
          'queued',
          'downloading',
          'queued',
          'downloading',
        ]);
        for (const t of [a, b, c, d, e]) await engine.cancel(t!.id);
      },
      { maxConcurrent: 1 },
    );
  });

  it('resumes all in queue order, and pauses all without starting a waiting task on the way', async () => {
    await withHarness(
      async ({ engine, server }) => {
        for (const name of ['normal', 'low', 'high']) {
          server.addFile(`/${name}`, {
            body: makeContent(256 * KiB, name),
            faults: { connectionRate: 16 * KiB },
          });
        }
        const [normal, low, high] = await engine.add([
          { url: server.url('/normal'), priority: 'normal' },
          { url: server.url('/low'), priority: 'low' },
          { url: server.url('/high'), priority: 'high' },
        ]);
        const states = () => [normal, low, high].map((t) => engine.get(t!.id)!.state);
        assert.deepEqual(states(), ['downloading', 'queued', 'downloading']);
        let lowStarted = false;
        engine.subscribe((e) => {
          if (e.type === 'task-changed' && e.task.id === low!.id && e.task.state === 'downloading')
            lowStarted = true;
        });
        assert.equal(await engine.pauseAll(), 3);
        assert.equal(lowStarted, false, 'the slot the normal one freed went to no one');
        assert.deepEqual(states(), ['paused', 'paused', 'paused']);
        // Resumed one by one in list order, normal and low took both slots and high waited.
        assert.equal(await engine.resumeAll(), 3);
        assert.deepEqual(states(), ['downloading', 'queued', 'downloading']);
        assert.equal(lowStarted, false);
        for (const t of [normal, low, high]) await engine.cancel(t!.id);
      },
      { maxConcurrent: 2 },
    );
  });

  it('sends the last-started task back to the queue when the limit drops, and runs it again when it rises', async () => {
    await withHarness(
      async ({ engine, server }) => {
        for (const name of ['a', 'b']) {
          server.addFile(`/${name}`, {
            body: makeContent(256 * KiB, name),
            faults: { connectionRate: 128 * KiB },
          });
        }
        const [a, b] = await engine.add(['a', 'b'].map((n) => ({ url: server.url(`/${n}`) })));
        await waitForTask(engine, b!.id, 'downloading');
        await engine.updateSettings({ maxConcurrent: 1 });
        await waitForTask(engine, b!.id, 'queued');
        assert.equal(engine.get(a!.id)!.state, 'downloading');
        await engine.updateSettings({ maxConcurrent: 2 });
        await waitForTask(engine, b!.id, 'downloading');
        const done = await Promise.all([a, b].map((t) => waitForEnd(engine, t!.id)));
        assert.deepEqual(
          done.map((t) => t.state),
          ['completed', 'completed'],
        );
      },
      { maxConcurrent: 2 },
    );
  });

  it('treats invalid transitions as errors, not silent no-ops', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addFile('/t', { body: makeContent(10 * KiB) });
      const [task] = await engine.add([{ url: server.url('/t') }]);
      await waitForEnd(engine, task!.id);
      await assert.rejects(
        engine.pause(task!.id),
        (e: ApiError) => e.code === 'INVALID_TRANSITION',
      );
      await assert.rejects(
        engine.resume(task!.id),
        (e: ApiError) => e.code === 'INVALID_TRANSITION',
      );
      await assert.rejects(
        engine.cancel(task!.id),
        (e: ApiError) => e.code === 'INVALID_TRANSITION',
      );
      await assert.rejects(engine.pause('nosuchtask'), (e: ApiError) => e.code === 'NOT_FOUND');
      assert.equal(engine.get(task!.id)?.state, 'completed');
    });
  });

  it('rejects bad input with a clear error and adds nothing', async () => {
    await withHarness(async ({ engine }) => {
      await assert.rejects(engine.add([{ url: 'file:///etc/passwd' }]), /only http: and https:/);
      await assert.rejects(
        engine.add([{ url: 'http://x/', headers: { Range: 'bytes=0-' } }]),
        /managed by Braid/,
      );
      await assert.rejects(
        engine.add([{ url: 'http://x/', headers: { 'X-A': 'a\r\nInjected: 1' } }]),
        /CR, LF or NUL/,
      );
      for (const value of ['snow \u2603', 'bell \x07', 'del \x7f']) {
        await assert.rejects(
          engine.add([{ url: 'http://x/', headers: { 'X-A': value } }]),
          /beyond Latin-1/,
          JSON.stringify(value),
        );
      }
      await assert.rejects(engine.add([{ url: 'http://x/', connections: 99 }]), ApiError);
      await assert.rejects(engine.add([]), /1 to 10000 tasks/);
      assert.equal(engine.list().length, 0);
    });
  });

  it('sends a header value with tabs and Latin-1 letters byte for byte', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addFile('/h.bin', { body: makeContent(64 * KiB) });
      const value = 'caf\u00e9\tna\u00efve';
      const [task] = await engine.add([
        { url: server.url('/h.bin'), headers: { 'X-Name': value } },
      ]);
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      assert.ok(server.stats.requests.length > 0);
      for (const r of server.stats.requests) assert.equal(r.headers['x-name'], value);
    });
  });

  it('cancels a running download and deletes its partial data', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addFile('/c.bin', {
        body: makeContent(2 * MiB),
        faults: { connectionRate: 256 * KiB },
      });
      const [task] = await engine.add([{ url: server.url('/c.bin') }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 50 * KiB);
      const canceled = await engine.cancel(task!.id);
      assert.equal(canceled.state, 'canceled');
      assert.deepEqual(await listDir(dir), []);
      await engine.remove(task!.id);
      assert.equal(engine.get(task!.id), undefined);
    });
  });

  it('saves the queue so tasks survive a restart in the same order and state', async () => {
    await withHarness(async (h) => {
      h.server.addFile('/p', { body: makeContent(10 * KiB) });
      const added = await h.engine.add([
        { url: h.server.url('/p'), paused: true },
        { url: h.server.url('/p'), paused: true, priority: 'high' },
      ]);
      const engine = await h.restart();
      const listed = engine.list();
      assert.deepEqual(
        listed.map((t) => t.id),
        added.map((t) => t.id),
      );
      assert.deepEqual(
        listed.map((t) => [t.state, t.priority]),
        [
          ['paused', 'normal'],
          ['paused', 'high'],
        ],
      );
    });
  });
});

describe('bandwidth limits', () => {
  it('keeps a per-task limit and applies a change while running', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(1536 * KiB);
      server.addFile('/limited', { body });
      const limit = 512 * KiB;
      const started = performance.now();
      const [task] = await engine.add([{ url: server.url('/limited'), limit, connections: 4 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded >= 512 * KiB);
      const firstPart = (performance.now() - started) / 1000;
      // Rates can only come out lower on a busy machine, so only the upper bound is strict. Ahead
      // of the limit: the bucket's first quarter second, one read (50 ms) per connection, and
      // one batch of waiters released together (50 ms, rate-limiter.ts).
      const ahead = limit * 0.25 + 4 * limit * 0.05 + limit * 0.05;
      assert.ok(firstPart >= (512 * KiB - ahead) / limit, `${firstPart.toFixed(2)} s for 512 KiB`);
      await engine.setTaskLimit(task!.id, 2 * MiB);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed');
      const total = (performance.now() - started) / 1000;
      assert.ok(total < 6, `raising the limit took effect (${total.toFixed(2)} s)`);
      assert.equal(await sha256File(join(dir, 'limited')), sha256(body));
    });
  });

  it('reports a steady speed under a low limit, not bursts of a socket read and zeros', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addFile('/trickle', { body: makeContent(2 * MiB) });
      const limit = 24 * KiB;
      const [task] = await engine.add([{ url: server.url('/trickle'), limit, connections: 1 }]);
      await waitForTask(engine, task!.id, 'downloading');
      await sleep(3000);
      const speeds: number[] = [];
      for (let i = 0; i < 12; i++) {
        speeds.push(engine.get(task!.id)!.speed);
        await sleep(250);
      }
      await engine.pause(task!.id);
      const shown = speeds.map((s) => Math.round(s / KiB)).join(', ');
      assert.ok(
        speeds.every((s) => s > limit * 0.75 && s < limit * 1.33),
        `KiB/s shown under a ${limit / KiB} KiB/s limit: ${shown}`,
      );
    });
  });

  it('keeps its connections at the limit: none is replaced as a crawler for waiting its turn', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      // The limit, not the network, sets each connection's pace: which connection gets the
      // limiter's bytes next is a race, and its loser looked like a crawler (a 256 MiB download
      // at 16 MB/s replaced connections hundreds of times).
      const body = makeContent(24 * MiB);
      server.addFile('/paced', { body });
      const [task] = await engine.add([
        { url: server.url('/paced'), limit: 8 * MiB, connections: 8 },
      ]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed');
      assert.equal(await sha256File(join(dir, 'paced')), sha256(body));
      const replaced = log.filter((r) => r.event === 'connection_replaced').length;
      assert.equal(replaced, 0, `${replaced} connections replaced`);
    });
  });

  it('shares a global limit across tasks', async () => {
    await withHarness(
      async ({ engine, server }) => {
        server.addFile('/g1', { body: makeContent(512 * KiB, 'g1') });
        server.addFile('/g2', { body: makeContent(512 * KiB, 'g2') });
        const started = performance.now();
        const tasks = await engine.add([{ url: server.url('/g1') }, { url: server.url('/g2') }]);
        await Promise.all(tasks.map((t) => waitForEnd(engine, t.id)));
        const seconds = (performance.now() - started) / 1000;
        const rate = (1024 * KiB) / seconds;
        assert.ok(rate <= 512 * KiB * 1.25, `global rate ${(rate / KiB).toFixed(0)} KiB/s`);
      },
      { globalLimit: 512 * KiB },
    );
  });

  describe('a global limit with per-download limits', () => {
    const global = 2 * MiB;

    /**
     * Starts downloads of one big file under the global limit and returns what each got per
     * second over five seconds, from when the first quarter second's burst is long spent.
     */
    async function ratesUnder(
      engine: DownloadEngine,
      server: FaultServer,
      downloads: { limit: number; connections: number }[],
    ): Promise<number[]> {
      const body = makeContent(16 * MiB);
      const tasks = await engine.add(
        downloads.map((d, i) => {
          server.addFile(`/shared${i}`, { body });
          return { url: server.url(`/shared${i}`), ...d };
        }),
      );
      await Promise.all(tasks.map((t) => waitForTask(engine, t.id, (s) => s.downloaded > 0)));
      await sleep(1500);
      const before = tasks.map((t) => engine.get(t.id)!.downloaded);
      const started = performance.now();
      await sleep(5000);
      const after = tasks.map((t) => engine.get(t.id)!.downloaded);
      const seconds = (performance.now() - started) / 1000;
      for (const t of tasks) await engine.pause(t.id);
      return after.map((bytes, i) => (bytes - before[i]!) / seconds);
    }

    const kib = (rates: number[]) => rates.map((r) => Math.round(r / KiB)).join(', ');
    /** Within 15 %: a loaded machine shifts a few reads between downloads, not their shares. */
    const near = (rate: number, expected: number) => Math.abs(rate / expected - 1) <= 0.15;

    it('gives a download limited below its share its own limit, and the rest to the others alike, whatever their connections', async () => {
      await withHarness(
        async ({ engine, server }) => {
          const limit = 300 * KiB;
          const rates = await ratesUnder(engine, server, [
            { limit, connections: 4 },
            { limit: 0, connections: 16 },
            { limit: 0, connections: 4 },
          ]);
          const [limited, many, few] = rates as [number, number, number];
          const rest = (global - limit) / 2;
          assert.ok(near(limited, limit), `KiB/s: ${kib(rates)}; the first limited to 300`);
          assert.ok(near(many, rest) && near(few, rest), `KiB/s: ${kib(rates)}; 874 expected`);
          assert.ok(limited + many + few <= global * 1.1, `KiB/s: ${kib(rates)}; 2048 in all`);
        },
        { globalLimit: global, maxConcurrent: 3 },
      );
    });

    it('gives a download limited above its share that share, as much as the others', async () => {
      await withHarness(
        async ({ engine, server }) => {
          const rates = await ratesUnder(engine, server, [
            { limit: 1 * MiB, connections: 4 },
            { limit: 0, connections: 4 },
            { limit: 0, connections: 4 },
          ]);
          assert.ok(
            rates.every((r) => near(r, global / 3)),
            `KiB/s: ${kib(rates)}; 683 each expected`,
          );
          const total = rates.reduce((a, b) => a + b);
          assert.ok(total <= global * 1.1, `KiB/s: ${kib(rates)}; 2048 in all`);
        },
        { globalLimit: global, maxConcurrent: 3 },
      );
    });
  });
});

describe('bulk add', () => {
  it('makes every added task durable before add() returns, and they survive a restart', async () => {
    await withHarness(async ({ engine, server, restart }) => {
      const added = await engine.add(
        Array.from({ length: 50 }, (_, i) => ({ url: server.url(`/f${i}.bin`), paused: true })),
      );
      const reopened = await restart();
      assert.deepEqual(
        reopened
          .list()
          .map((t) => t.id)
          .sort(),
        added.map((t) => t.id).sort(),
      );
      assert.ok(reopened.list().every((t) => t.state === 'paused'));
    });
  });
});
