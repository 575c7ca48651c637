import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';

const KiB = 1024;

function rangeRequests(requests: readonly { range: string | null; status: number }[]) {
  return requests.filter((r) => r.range !== null && r.status === 206);
}

describe('downloading', () => {
  it('downloads over several connections and the bytes match the source', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(24 * MiB + 12345);
      server.addFile('/files/data.bin', { body, faults: { connectionRate: 4 * MiB } });
      const [task] = await engine.add([{ url: server.url('/files/data.bin'), connections: 3 }]);
      let peakConnections = 0;
      engine.subscribe((e) => {
        if (e.type === 'progress') {
          for (const t of e.tasks) peakConnections = Math.max(peakConnections, t.connections);
        }
      });
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.fileName, 'data.bin');
      assert.equal(await sha256File(join(dir, 'data.bin')), sha256(body));
      assert.deepEqual(await listDir(dir), ['data.bin'], 'no .part file is left behind');
      assert.equal(peakConnections, 3, 'used every connection it was given');
      assert.ok(
        rangeRequests(server.stats.requests).length >= 6,
        'each connection asked for several windows',
      );
      for (const r of server.stats.requests) {
        assert.equal(r.headers['accept-encoding'], 'identity');
        assert.match(r.range ?? '', /^bytes=\d+-\d*$/, 'ranges are well-formed whole numbers');
      }
    });
  });

  it('follows redirects, keeps the original URL and names the file after the final one', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(300 * KiB);
      server.addFile('/real/name.iso', { body });
      server.addRedirect('/go', '/hop');
      server.addRedirect('/hop', '/real/name.iso', 307);
      const [task] = await engine.add([{ url: server.url('/go') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed');
      assert.equal(done.url, server.url('/go'));
      assert.equal(done.fileName, 'name.iso');
      assert.equal(await sha256File(join(dir, 'name.iso')), sha256(body));
    });
  });

  it('creates a missing download folder, however deep, and saves into it', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(100 * KiB);
      server.addFile('/deep.bin', { body });
      const target = join(dir, 'not', 'yet', 'there');
      const [task] = await engine.add([{ url: server.url('/deep.bin'), dir: target }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(target, 'deep.bin')), sha256(body));
      assert.deepEqual(await listDir(target), ['deep.bin']);
    });
  });

  it('never splits work below the minimum segment size', async () => {
    await withHarness(
      async ({ engine, server }) => {
        server.addFile('/small', { body: makeContent(300 * KiB) });
        const [task] = await engine.add([{ url: server.url('/small'), connections: 16 }]);
        assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
        for (const r of rangeRequests(server.stats.requests)) {
          const [, from, to] = /bytes=(\d+)-(\d*)/.exec(r.range!)!;
          const length = Number(to) + 1 - Number(from);
          assert.ok(length >= 128 * KiB || Number(to) + 1 === 300 * KiB, `range ${r.range}`);
        }
        assert.ok(rangeRequests(server.stats.requests).length <= 2);
      },
      { minSegmentSize: 128 * KiB },
    );
  });

  it('lets fast connections take the work of a crawling one', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(2 * MiB);
      // The second connection would need over a minute for a quarter of the file on its own.
      server.addFile('/uneven', {
        body,
        faults: { connectionRate: (i) => (i === 1 ? 8 * KiB : 4 * MiB) },
      });
      const [task] = await engine.add([{ url: server.url('/uneven'), connections: 4 }]);
      const done = await waitForEnd(engine, task!.id, 30_000);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'uneven')), sha256(body));
    });
  });

  it('replaces a connection far slower than its siblings with a fresh one', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const body = makeContent(8 * MiB);
        // Only the second connection ever opened crawls; any new one is fast.
        server.addFile('/crawl', {
          body,
          faults: { connectionRate: (i) => (i === 1 ? 16 * KiB : 2 * MiB) },
        });
        const [task] = await engine.add([{ url: server.url('/crawl'), connections: 2 }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'crawl')), sha256(body));
        const crawler = server.stats.requests.filter((r) => r.connection === 1);
        assert.ok(
          crawler.length > 0 && crawler.every((r) => r.bodyBytes < 256 * KiB),
          'the crawler was cut off early',
        );
        assert.ok(server.stats.connectionsOpened >= 3, 'a fresh connection took over');
      },
      { minSegmentSize: 1024 * KiB },
    );
  });

  it('closes connections at once when a running download is given fewer, and still completes', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(3 * MiB);
      server.addFile('/fewer.bin', { body, faults: { connectionRate: 384 * KiB } });
      const [task] = await engine.add([{ url: server.url('/fewer.bin'), connections: 6 }]);
      await waitForTask(engine, task!.id, (t) => t.connections === 6);
      await engine.setConnections(task!.id, 2);
      const fewer = await waitForTask(engine, task!.id, (t) => t.connections <= 2, 5000);
      assert.equal(fewer.state, 'downloading', 'closed them while it ran, not at the end');
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, server.openResponses)), 20);
      const done = await waitForEnd(engine, task!.id).finally(() => clearInterval(sampler));
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.ok(most <= 2, `${most} responses at once after asking for 2`);
      assert.equal(await sha256File(join(dir, 'fewer.bin')), sha256(body));
    });
  });

  it('replaces a connection that stalls, after the read timeout', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const body = makeContent(1 * MiB);
        server.addFile('/stall', { body, faults: { stall: { afterBytes: 200 * KiB, times: 1 } } });
        const [task] = await engine.add([{ url: server.url('/stall'), connections: 1 }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'stall')), sha256(body));
        const resumed = server.stats.requests.filter(
          (r) => r.range && !r.range.startsWith('bytes=0-'),
        );
        assert.ok(resumed.length >= 1, 'the rest was fetched with a new range request');
      },
      { readTimeoutMs: 1000 },
    );
  });

  it('ends a stalled request as soon as its rest is taken over, not at the read timeout', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const body = makeContent(8 * MiB);
        server.addFile('/held', { body, faults: { stall: { afterBytes: 0, times: 1 } } });
        const [task] = await engine.add([{ url: server.url('/held'), connections: 4 }]);
        // Far shorter than the read timeout: waiting it out fails the test.
        const done = await waitForEnd(engine, task!.id, 20_000);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'held')), sha256(body));
      },
      { readTimeoutMs: 60_000 },
    );
  });

  it('continues after a connection is reset mid-body without re-fetching what arrived', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/reset', { body, faults: { reset: { afterBytes: 700 * KiB, times: 2 } } });
      const [task] = await engine.add([{ url: server.url('/reset'), connections: 1 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'reset')), sha256(body));
      assert.ok(server.stats.bodyBytes < body.length * 1.5, `served ${server.stats.bodyBytes}`);
    });
  });

  it('names the file from Content-Disposition, filename* first', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addFile('/dl', {
        body: makeContent(10 * KiB),
        contentDisposition: `attachment; filename="plain.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt`,
      });
      const [task] = await engine.add([{ url: server.url('/dl?id=7') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.fileName, '€ rates.txt');
      assert.deepEqual(await listDir(dir), ['€ rates.txt']);
    });
  });

  it('never overwrites an existing file and gives concurrent same-named downloads distinct names', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const { mkdir, writeFile } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'report.pdf'), 'precious');
      const a = makeContent(200 * KiB, 'a');
      const b = makeContent(200 * KiB, 'b');
      server.addFile('/a/report.pdf', { body: a, faults: { connectionRate: 1 * MiB } });
      server.addFile('/b/report.pdf', { body: b, faults: { connectionRate: 1 * MiB } });
      const tasks = await engine.add([
        { url: server.url('/a/report.pdf') },
        { url: server.url('/b/report.pdf') },
      ]);
      const done = await Promise.all(tasks.map((t) => waitForEnd(engine, t.id)));
      assert.equal(await readFile(join(dir, 'report.pdf'), 'utf8'), 'precious');
      const names = done.map((t) => t.fileName).sort();
      assert.deepEqual(names, ['report (1).pdf', 'report (2).pdf']);
      const sums = await Promise.all(done.map((t) => sha256File(join(dir, t.fileName!))));
      assert.deepEqual(sums.sort(), [sha256(a), sha256(b)].sort());
    });
  });

  it('publishes under a fresh name when its own was taken during the download, and remembers it', async () => {
    await withHarness(async (h) => {
      const { writeFile } = await import('node:fs/promises');
      const body = makeContent(2 * MiB, 'ours');
      h.server.addFile('/disk.img', { body, faults: { connectionRate: 1 * MiB } });
      const [task] = await h.engine.add([{ url: h.server.url('/disk.img') }]);
      await waitForTask(h.engine, task!.id, (t) => t.fileName === 'disk.img' && t.downloaded > 0);
      await writeFile(join(h.dir, 'disk.img'), 'theirs');
      const done = await waitForEnd(h.engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.fileName, 'disk (1).img');
      assert.equal(await readFile(join(h.dir, 'disk.img'), 'utf8'), 'theirs');
      assert.equal(await sha256File(join(h.dir, 'disk (1).img')), sha256(body));
      assert.deepEqual(await listDir(h.dir), ['disk (1).img', 'disk.img']);
      const reopened = await h.restart();
      assert.equal(
        reopened.get(task!.id)?.fileName,
        'disk (1).img',
        'the journal has the new name',
      );
    });
  });

  it('finishes moving its verified .part to the fresh name it journaled, after a run stopped between the two, fetching nothing again', async () => {
    await withHarness(async (h) => {
      const body = makeContent(2 * MiB, 'ours');
      h.server.addFile('/fr1.bin', { body, faults: { connectionRate: 1 * MiB } });
      const [task] = await h.engine.add([{ url: h.server.url('/fr1.bin') }]);
      await waitForTask(h.engine, task!.id, (t) => t.fileName === 'fr1.bin' && t.downloaded > 0);
      await writeFile(join(h.dir, 'fr1.bin'), 'theirs');
      // Once the fresh name is announced (and journaled), a folder in its way stops the move,
      // as a kill right then would.
      const inTheWay = join(h.dir, 'fr1 (1).bin.part');
      h.engine.subscribe((e) => {
        if (e.type === 'task-changed' && e.task.fileName === 'fr1 (1).bin') {
          mkdirSync(inTheWay, { recursive: true });
        }
      });
      assert.equal((await waitForEnd(h.engine, task!.id)).state, 'failed');
      await rm(inTheWay, { recursive: true });
      const served = h.server.stats.bodyBytes;
      const engine = await h.restart();
      await engine.retry(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.fileName, 'fr1 (1).bin');
      assert.equal(h.server.stats.bodyBytes, served, 'nothing fetched again');
      assert.equal(await sha256File(join(h.dir, 'fr1 (1).bin')), sha256(body));
      assert.deepEqual(await listDir(h.dir), ['fr1 (1).bin', 'fr1.bin']);
    });
  });

  it('never takes over a leftover .part file, however many share the name', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const { mkdir, writeFile } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true });
      const leftovers = Array.from({ length: 25 }, (_, n) =>
        n === 0 ? 'notes.txt.part' : `notes (${n}).txt.part`,
      );
      for (const name of leftovers) await writeFile(join(dir, name), `left ${name}`);
      const body = makeContent(100 * KiB, 'notes');
      server.addFile('/notes.txt', { body });
      const [task] = await engine.add([{ url: server.url('/notes.txt') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.fileName, 'notes (25).txt');
      assert.equal(await sha256File(join(dir, 'notes (25).txt')), sha256(body));
      for (const name of leftovers)
        assert.equal(await readFile(join(dir, name), 'utf8'), `left ${name}`);
    });
  });

  it('reports per-segment progress and coalesces progress into about ten events a second', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addFile('/progress', {
        body: makeContent(4 * MiB),
        faults: { connectionRate: 1 * MiB },
      });
      let progressEvents = 0;
      let maxActiveSegments = 0;
      const started = performance.now();
      engine.subscribe((e) => {
        if (e.type !== 'progress') return;
        progressEvents++;
        for (const t of e.tasks) {
          maxActiveSegments = Math.max(
            maxActiveSegments,
            t.segments.filter((s) => s.active).length,
          );
          assert.ok(t.downloaded <= 4 * MiB);
        }
      });
      const [task] = await engine.add([{ url: server.url('/progress'), connections: 8 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 0 && t.speed > 0);
      await waitForEnd(engine, task!.id);
      const seconds = (performance.now() - started) / 1000;
      assert.ok(
        progressEvents / seconds <= 12,
        `${progressEvents} events in ${seconds.toFixed(1)} s`,
      );
      assert.ok(maxActiveSegments >= 4, `${maxActiveSegments} segments active at once`);
    });
  });

  it('ends a task’s speed with one sample of zero once it stops, then sends no more while idle', async () => {
    await withHarness(async ({ engine, server }) => {
      // ~4 s of transfer: the first sample (after a second) finds it still running.
      server.addFile('/speed', { body: makeContent(8 * MiB), faults: { connectionRate: 1 * MiB } });
      const samples: { total: number; speed: number | undefined }[] = [];
      engine.subscribe((e) => {
        if (e.type !== 'speed') return;
        samples.push({ total: e.total, speed: e.tasks.find((t) => t.id === task?.id)?.speed });
      });
      const [task] = await engine.add([{ url: server.url('/speed'), connections: 2 }]);
      while (!samples.some((s) => (s.speed ?? 0) > 0)) await sleep(50);
      await engine.pause(task!.id);
      await sleep(2500);
      assert.deepEqual(samples.at(-1), { total: 0, speed: 0 }, 'the last sample says it stopped');
      assert.equal(samples.filter((s) => s.total === 0 && s.speed === 0).length, 1);
      const count = samples.length;
      await sleep(1200);
      assert.equal(samples.length, count, 'no speed events while nothing runs');
    });
  });

  it('sends no speed sample for a task once it is removed', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addFile('/gone', { body: makeContent(8 * MiB), faults: { connectionRate: 1 * MiB } });
      const mentions: string[][] = [];
      engine.subscribe((e) => {
        if (e.type === 'speed') mentions.push(e.tasks.map((t) => t.id));
      });
      const [task] = await engine.add([{ url: server.url('/gone'), connections: 2 }]);
      while (!mentions.some((ids) => ids.includes(task!.id))) await sleep(50);
      await engine.remove(task!.id);
      const before = mentions.length;
      await sleep(1500);
      assert.ok(mentions.slice(before).every((ids) => !ids.includes(task!.id)));
    });
  });

  it('downloads an empty file', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addFile('/empty.txt', { body: Buffer.alloc(0) });
      const [task] = await engine.add([{ url: server.url('/empty.txt') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal((await readFile(join(dir, 'empty.txt'))).length, 0);
    });
  });

  it('downloads a list of small files from one server over kept-alive connections, one per slot', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const bodies = Array.from({ length: 24 }, (_, i) => makeContent(8 * 1024, `s${i}`));
        bodies.forEach((body, i) => server.addFile(`/s${i}.bin`, { body }));
        const tasks = await engine.add(bodies.map((_, i) => ({ url: server.url(`/s${i}.bin`) })));
        for (const task of tasks) {
          assert.equal((await waitForEnd(engine, task.id)).state, 'completed');
        }
        for (const [i, body] of bodies.entries()) {
          assert.equal(await sha256File(join(dir, `s${i}.bin`)), sha256(body));
        }
        assert.ok(
          server.stats.connectionsOpened <= 3,
          `${server.stats.connectionsOpened} connections for 24 files, 3 at a time`,
        );
      },
      { maxConcurrent: 3 },
    );
  });
});
