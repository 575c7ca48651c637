import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TaskRetry, TaskSnapshot } from '../../shared/api/task.ts';
import {
  resumeToCompletion,
  waitForEnd,
  waitForTask,
  withHarness,
} from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';

const KiB = 1024;

describe('retrying', () => {
  it('retries 503 after the delay the server asked for in Retry-After', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(200 * KiB);
      server.addFile('/busy', {
        body,
        faults: { statusSequence: [{ status: 503, retryAfter: '1' }] },
      });
      const [task] = await engine.add([{ url: server.url('/busy'), connections: 1 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'busy')), sha256(body));
      const [first, second] = server.stats.requests;
      assert.equal(first?.status, 503);
      assert.ok(second!.startedAt - first!.startedAt >= 950, 'waited for Retry-After');
    });
  });

  it('says it is retrying, which attempt, when and why, until a byte arrives', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addFile('/flaky', {
        body: makeContent(200 * KiB),
        // Slow enough for progress to be reported after the bytes start.
        faults: {
          statusSequence: [{ status: 500 }, { status: 500, retryAfter: '1' }],
          connectionRate: 256 * KiB,
        },
      });
      const retries: (TaskRetry | null)[] = [];
      engine.subscribe((e) => {
        if (e.type === 'progress') for (const t of e.tasks) retries.push(t.retry);
      });
      const [task] = await engine.add([{ url: server.url('/flaky'), connections: 1 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      const second = retries.find((r) => r?.attempt === 2);
      assert.ok(second, `retry states seen: ${JSON.stringify(retries)}`);
      assert.equal(second.maxAttempts, engine.settings.maxRetries + 1, 'the first and its retries');
      assert.match(second.message, /500 Internal Server Error/);
      assert.equal(retries.at(-1), null, 'cleared once bytes came');
      assert.equal(done.retry, null);
    });
  });

  it('uses fewer connections when the server caps connections per client, and still completes', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(3 * MiB);
      server.addFile('/capped', {
        body,
        faults: { maxConnectionsPerClient: 2, connectionRate: 2 * MiB },
      });
      const [task] = await engine.add([{ url: server.url('/capped'), connections: 8 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'capped')), sha256(body));
      const refused = server.stats.requests.filter((r) => r.status === 503).length;
      assert.ok(refused > 0, 'the cap was hit');
      assert.ok(refused < 40, `the engine backed off instead of hammering (${refused} refusals)`);
    });
  });

  it('fails with the last error once the retry budget is spent', async () => {
    await withHarness(
      async ({ engine, server }) => {
        server.addFile('/down', {
          body: makeContent(10 * KiB),
          faults: {
            statusSequence: Array.from({ length: 50 }, () => ({ status: 502, retryAfter: '0' })),
          },
        });
        const [task] = await engine.add([{ url: server.url('/down') }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, 'HTTP_502');
        assert.match(done.error!.message, /gave up after 4 attempts/);
        assert.equal(server.stats.requests.length, 4);
      },
      { maxRetries: 3 },
    );
  });

  it('counts connections that fail together as one attempt, not one each', async () => {
    await withHarness(
      async ({ engine, server, log }) => {
        // Every response sends its head, then nothing: each connection times out, all at once.
        server.addFile('/stuck.bin', {
          body: makeContent(1024 * KiB),
          faults: { stall: { afterBytes: 0 } },
        });
        const [task] = await engine.add([{ url: server.url('/stuck.bin'), connections: 4 }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'failed');
        assert.match(done.error!.message, /gave up after 3 attempts/);
        const retries = log.filter((l) => l.event === 'retry' && l.host !== undefined);
        const attempts = retries.map((l) => l.attempt as number);
        assert.ok(retries.length > 3, `${retries.length} failed requests before giving up`);
        assert.equal(Math.max(...attempts), 2, `attempts ${attempts.join(' ')}`);
      },
      { maxRetries: 2, readTimeoutMs: 1000 },
    );
  });
});

describe('resuming', () => {
  it('resumes a paused download with If-Range and does not fetch finished bytes again', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/big.bin', { body, faults: { connectionRate: 1 * MiB } });
      const [task] = await engine.add([{ url: server.url('/big.bin'), connections: 4 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 800 * KiB);
      const paused = await engine.pause(task!.id);
      assert.equal(paused.state, 'paused');
      const after = await resumeToCompletion(engine, server, task!.id, join(dir, 'big.bin'), body);
      for (const r of after) assert.ok(r.ifRange, `resume request ${r.range} carries If-Range`);
      assert.ok(
        server.stats.bodyBytes < body.length * 1.3,
        `served ${server.stats.bodyBytes} bytes`,
      );
    });
  });

  it('carries on after the app restarts, from what was saved', async () => {
    await withHarness(async (h) => {
      const body = makeContent(2 * MiB);
      h.server.addFile('/restart.bin', { body, faults: { connectionRate: 1 * MiB } });
      const [task] = await h.engine.add([{ url: h.server.url('/restart.bin'), connections: 4 }]);
      await waitForTask(h.engine, task!.id, (t) => t.downloaded > 700 * KiB);
      const engine = await h.restart();
      const listed = engine.get(task!.id);
      assert.ok(listed, 'the task list survives a restart');
      assert.ok(listed.downloaded > 500 * KiB, `kept ${listed.downloaded} bytes`);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(h.dir, 'restart.bin')), sha256(body));
      assert.ok(h.server.stats.bodyBytes < body.length * 1.4, `served ${h.server.stats.bodyBytes}`);
    });
  });

  it('does not rewrite the records of finished tasks when the app closes and opens again', async () => {
    await withHarness(async (h) => {
      h.server.addFile('/done.bin', { body: makeContent(100 * KiB) });
      const [task] = await h.engine.add([{ url: h.server.url('/done.bin') }]);
      assert.equal((await waitForEnd(h.engine, task!.id)).state, 'completed');
      const tasks = join(h.home, 'tasks');
      // The first start flushes the file and clears its mark; the next one compacts that save.
      await h.restart();
      await h.restart();
      const files = async () => {
        const names = (await readdir(tasks)).sort();
        return Promise.all(names.map(async (n) => [n, (await stat(join(tasks, n))).mtimeMs]));
      };
      const before = await files();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await h.restart();
      await h.restart();
      // Any save would append to the log, and the next open would write a new snapshot.
      assert.deepEqual(await files(), before);
      assert.equal(h.engine.get(task!.id)?.state, 'completed');
    });
  });

  it('starts over when the ETag changed, never mixing two versions', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const v1 = makeContent(1 * MiB, 'v1');
      const v2 = makeContent(1 * MiB, 'v2');
      server.addFile('/changing', {
        body: v1,
        etag: '"v1"',
        faults: { connectionRate: 512 * KiB },
      });
      const [task] = await engine.add([{ url: server.url('/changing'), connections: 2 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 300 * KiB);
      await engine.pause(task!.id);
      server.addFile('/changing', { body: v2, etag: '"v2"' });
      await engine.resume(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'changing')), sha256(v2));
    });
  });

  it('says how much it discards when a server that cannot resume makes it start again', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const body = makeContent(1 * MiB);
      server.addFile('/whole.bin', {
        body,
        faults: { range: 'ignore', connectionRate: 256 * KiB },
      });
      const [task] = await engine.add([{ url: server.url('/whole.bin') }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 100 * KiB);
      const paused = await engine.pause(task!.id);
      assert.ok(paused.downloaded > 0);
      assert.equal((await stat(join(dir, 'whole.bin.part'))).size, paused.downloaded);
      server.addFile('/whole.bin', { body, faults: { range: 'ignore' } });
      await resumeToCompletion(engine, server, task!.id, join(dir, 'whole.bin'), body);
      const said = log.filter((r) => r.event === 'started_over');
      assert.deepEqual(said, [
        {
          level: 'warn',
          event: 'started_over',
          taskId: task!.id,
          code: 'NOT_RESUMABLE',
          message: 'the server cannot resume; starting again from the beginning',
          bytes: paused.downloaded,
        },
      ]);
    });
  });

  it('says how much it discards when a server stops taking ranges between two runs', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/ranges.bin', { body, faults: { connectionRate: 1 * MiB } });
      const [task] = await engine.add([{ url: server.url('/ranges.bin'), connections: 4 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 500 * KiB);
      const paused = await engine.pause(task!.id);
      server.addFile('/ranges.bin', { body, faults: { range: 'ignore' } });
      await resumeToCompletion(engine, server, task!.id, join(dir, 'ranges.bin'), body);
      const said = log.filter((r) => r.event === 'started_over');
      assert.equal(said.length, 1, JSON.stringify(said));
      assert.equal(said[0]!.code, 'RANGE_BROKEN');
      assert.equal(said[0]!.message, 'the server cannot resume; starting again from the beginning');
      assert.equal(said[0]!.bytes, paused.downloaded);
    });
  });

  it('says how much it discards when a broken connection to such a server makes it start again', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const body = makeContent(1 * MiB);
      server.addFile('/cut.bin', {
        body,
        faults: { range: 'ignore', reset: { afterBytes: 300 * KiB, times: 1 } },
      });
      const [task] = await engine.add([{ url: server.url('/cut.bin') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'cut.bin')), sha256(body));
      const said = log.filter((r) => r.event === 'started_over');
      assert.equal(said.length, 1, JSON.stringify(said));
      assert.equal(said[0]!.code, 'NOT_RESUMABLE');
      assert.ok(said[0]!.bytes! > 0 && said[0]!.bytes! <= 300 * KiB, `${said[0]!.bytes}`);
    });
  });

  it('asks the original URL again when a signed redirect target expires, keeping the bytes', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/store/file.bin', {
        body,
        faults: { connectionRate: (i) => (i % 2 ? 128 * KiB : 2 * MiB) },
      });
      server.addSignedRedirect('/download', '/store/file.bin', 150);
      const [task] = await engine.add([{ url: server.url('/download'), connections: 4 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.fileName, 'file.bin');
      assert.equal(await sha256File(join(dir, 'file.bin')), sha256(body));
      const expired = server.stats.requests.filter((r) => r.status === 403).length;
      assert.ok(expired > 0, 'the signed URL did expire during the download');
      assert.ok(server.stats.bodyBytes < body.length * 1.5, `served ${server.stats.bodyBytes}`);
    });
  });
});

describe('checksums', () => {
  it('completes when the sha256 matches', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(500 * KiB);
      server.addFile('/sum.bin', { body });
      const [task] = await engine.add([
        {
          url: server.url('/sum.bin'),
          checksum: { algorithm: 'sha256', expected: sha256(body).toUpperCase() },
        },
      ]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'sum.bin')), sha256(body));
    });
  });

  it('says it is verifying, and how far, from its last byte until the checksum is checked', async () => {
    await withHarness(async ({ engine, server }) => {
      // Hashed 1 MiB a read: each read is its own turn of the event loop, seen by the poll below.
      const body = makeContent(8 * MiB);
      server.addFile('/sum.bin', { body });
      const [task] = await engine.add([
        { url: server.url('/sum.bin'), checksum: { algorithm: 'sha256', expected: sha256(body) } },
      ]);
      const id = task!.id;
      const announced: TaskSnapshot[] = [];
      const hashed: number[] = [];
      let progressBefore = 0;
      const poll = () => {
        const now = engine.get(id);
        if (now?.verifying) hashed.push(now.verifying.hashed);
        if (now?.state === 'downloading') setImmediate(poll);
      };
      engine.subscribe((e) => {
        if (e.type === 'task-changed' && e.task.id === id && e.task.verifying) {
          announced.push(e.task);
          if (announced.length === 1) poll();
        }
        if (e.type === 'progress' && announced.length === 0) {
          for (const t of e.tasks) if (t.verifying) progressBefore++;
        }
      });
      const done = await waitForEnd(engine, id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(announced.length, 1, 'said once when it began, not once per read');
      const [begun] = announced;
      assert.equal(begun!.state, 'downloading');
      assert.equal(begun!.downloaded, body.length, 'after the last byte');
      assert.deepEqual(begun!.verifying, { algorithm: 'sha256', hashed: 0, total: body.length });
      assert.equal(progressBefore, 0, 'not verifying before it said so');
      const between = hashed.filter((n) => n > 0 && n < body.length);
      assert.ok(between.length > 0, `hashed bytes seen: ${hashed.join(', ')}`);
      assert.deepEqual(
        hashed,
        [...hashed].sort((a, b) => a - b),
        'only ever grows',
      );
      assert.equal(done.verifying, null, 'gone once it is done');
    });
  });

  it('pauses at once while verifying, and checks the kept file again on resume without fetching it', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(8 * MiB);
      server.addFile('/sum.bin', { body });
      const [task] = await engine.add([
        { url: server.url('/sum.bin'), checksum: { algorithm: 'sha256', expected: sha256(body) } },
      ]);
      const id = task!.id;
      let pausing: Promise<TaskSnapshot> | null = null;
      engine.subscribe((e) => {
        if (e.type === 'task-changed' && e.task.id === id && e.task.verifying && !pausing) {
          pausing = engine.pause(id);
        }
      });
      await waitForTask(engine, id, () => pausing !== null);
      const paused = await pausing!;
      assert.equal(paused.state, 'paused', 'not published after the pause');
      assert.equal(paused.verifying, null);
      assert.deepEqual(await listDir(dir), ['sum.bin.part']);
      const served = server.stats.bodyBytes;
      await engine.resume(id);
      const done = await waitForEnd(engine, id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'sum.bin')), sha256(body));
      assert.equal(server.stats.bodyBytes, served, 'nothing fetched again');
    });
  });

  it('fails on a mismatch, keeps the data under a non-final name, and verifies it again without fetching once the checksum is corrected', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(500 * KiB);
      server.addFile('/bad.bin', { body });
      const [task] = await engine.add([
        { url: server.url('/bad.bin'), checksum: { algorithm: 'md5', expected: '0'.repeat(32) } },
      ]);
      const failed = await waitForEnd(engine, task!.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error?.code, 'CHECKSUM_MISMATCH');
      assert.deepEqual(await listDir(dir), ['bad.bin.part']);
      assert.equal(await sha256File(join(dir, 'bad.bin.part')), sha256(body));
      const served = server.stats.bodyBytes;
      await engine.setChecksum(task!.id, { algorithm: 'sha256', expected: sha256(body) });
      await engine.retry(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'bad.bin')), sha256(body));
      assert.equal(server.stats.bodyBytes, served, 'nothing fetched again');
    });
  });
});

describe('large files', () => {
  it('handles a file larger than the probe window with many segments', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(12 * MiB);
      server.addFile('/large', { body });
      const [task] = await engine.add([{ url: server.url('/large'), connections: 16 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'large')), sha256(body));
    });
  });
});
