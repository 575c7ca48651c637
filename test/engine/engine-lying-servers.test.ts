import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';

const KiB = 1024;

describe('servers that lie', () => {
  it('falls back to one connection when a Range request gets 200, without appending', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/ignore', { body, faults: { range: 'ignore' } });
      const [task] = await engine.add([{ url: server.url('/ignore'), connections: 8 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.resumable, false);
      assert.equal(await sha256File(join(dir, 'ignore')), sha256(body));
      assert.equal(
        server.stats.requests.length,
        1,
        'the first 200 body was used, not re-requested',
      );
    });
  });

  it('rejects a 206 that starts elsewhere than asked and still ends with the right bytes', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(1 * MiB);
      server.addFile('/shifted', { body, faults: { range: 'wrong-start' } });
      const [task] = await engine.add([{ url: server.url('/shifted'), connections: 4 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'shifted')), sha256(body));
    });
  });

  it('stops at the boundary when a server sends more bytes than asked', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/overlong', { body, faults: { range: 'overlong', connectionRate: 4 * MiB } });
      const [task] = await engine.add([{ url: server.url('/overlong'), connections: 4 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'overlong')), sha256(body));
    });
  });

  it('downloads a body without Content-Length on one connection and completes on a clean end', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(700 * KiB);
      server.addFile('/chunked', { body, faults: { chunked: true, range: 'ignore' } });
      const [task] = await engine.add([{ url: server.url('/chunked'), connections: 8 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.size, body.length);
      assert.equal(await sha256File(join(dir, 'chunked')), sha256(body));
    });
  });

  it('does not complete a chunked body cut short; it starts again and gets it whole', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(700 * KiB);
      server.addFile('/cut', {
        body,
        faults: { chunked: true, range: 'ignore', reset: { afterBytes: 300 * KiB, times: 1 } },
      });
      const [task] = await engine.add([{ url: server.url('/cut') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'cut')), sha256(body));
      assert.equal(server.stats.requests.length, 2);
    });
  });

  it('starts over, never mixing versions, when a server that ignores If-Range changed the file', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const v1 = makeContent(2 * MiB, 'v1');
      const v2 = makeContent(2 * MiB, 'v2');
      const lastModifiedOnly = { etag: null, faults: { ignoreIfRange: true } } as const;
      server.addFile('/doc.pdf', {
        body: v1,
        ...lastModifiedOnly,
        lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT',
        faults: { ...lastModifiedOnly.faults, connectionRate: 1 * MiB },
      });
      const [task] = await engine.add([{ url: server.url('/doc.pdf'), connections: 1 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 300 * KiB);
      await engine.pause(task!.id);
      server.addFile('/doc.pdf', {
        body: v2,
        ...lastModifiedOnly,
        lastModified: 'Tue, 02 Jan 2024 00:00:00 GMT',
      });
      await engine.resume(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'doc.pdf')), sha256(v2), 'one whole version');
    });
  });

  it('makes its last try one plain request when the ETag differs from answer to answer', async () => {
    const body = makeContent(8 * MiB);
    let answers = 0;
    // Two machines behind a balancer, each with its own ETag, both honouring If-Range strictly.
    const balancer = http.createServer((req, res) => {
      const etag = `"machine-${answers++ % 2}"`;
      const asked = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const ifRange = req.headers['if-range'];
      const headers = { etag, 'accept-ranges': 'bytes' };
      if (!asked || (ifRange !== undefined && ifRange !== etag)) {
        res.writeHead(200, { ...headers, 'content-length': body.length }).end(body);
        return;
      }
      const start = Number(asked[1]);
      const end = asked[2] ? Math.min(Number(asked[2]) + 1, body.length) : body.length;
      res.writeHead(206, {
        ...headers,
        'content-length': end - start,
        'content-range': `bytes ${start}-${end - 1}/${body.length}`,
      });
      res.end(body.subarray(start, end));
    });
    await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
    const { port } = balancer.address() as AddressInfo;
    try {
      await withHarness(async ({ engine, dir, log }) => {
        const url = `http://127.0.0.1:${port}/balanced.iso`;
        const [task] = await engine.add([{ url, connections: 4 }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'balanced.iso')), sha256(body));
        assert.ok(log.some((l) => l.event === 'started_over' && l.code === 'VALIDATOR_CHANGED'));
      });
    } finally {
      balancer.closeAllConnections();
      await new Promise((resolve) => balancer.close(resolve));
    }
  });

  it('says it gave up once three fresh starts ended as badly as the first', async () => {
    // Every answer, asked for a range or not, claims a range that is not the start of the file.
    const liar = http.createServer((_req, res) => {
      res.writeHead(206, { 'content-length': 5, 'content-range': 'bytes 5-9/100' }).end('abcde');
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const { port } = liar.address() as AddressInfo;
    try {
      await withHarness(async ({ engine, log }) => {
        const [task] = await engine.add([{ url: `http://127.0.0.1:${port}/liar.bin` }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, 'RANGE_BROKEN');
        assert.match(done.error?.message ?? '', /^gave up after starting over 3 times: /);
        assert.equal(log.filter((l) => l.event === 'started_over').length, 3);
      });
    } finally {
      liar.closeAllConnections();
      await new Promise((resolve) => liar.close(resolve));
    }
  });

  it('gives up on a server without ranges that always cuts the file short', async () => {
    await withHarness(
      async ({ engine, server }) => {
        server.addFile('/cut', {
          body: makeContent(1 * MiB),
          faults: { range: 'ignore', reset: { afterBytes: 300 * KiB } },
        });
        const [task] = await engine.add([{ url: server.url('/cut') }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'failed');
        assert.match(done.error?.message ?? '', /gave up after 3 attempts/);
      },
      { maxRetries: 2 },
    );
  });

  it('restarts from zero when the total length in Content-Range differs from the plan', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const first = makeContent(1 * MiB, 'v1');
      server.addFile('/grows', {
        body: first,
        etag: null,
        lastModified: null,
        faults: { connectionRate: 512 * KiB },
      });
      const [task] = await engine.add([{ url: server.url('/grows'), connections: 2 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 200 * KiB);
      await engine.pause(task!.id);
      const second = makeContent(1 * MiB + 4096, 'v2');
      server.addFile('/grows', { body: second, etag: null, lastModified: null });
      await engine.resume(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'grows')), sha256(second), 'never a mix of versions');
    });
  });

  it('never writes an error page into the file and leaves no file when the server keeps failing', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        server.addFile('/broken', {
          body: makeContent(100 * KiB),
          faults: { statusSequence: Array.from({ length: 10 }, () => ({ status: 500 })) },
        });
        const [task] = await engine.add([{ url: server.url('/broken') }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, 'HTTP_500');
        assert.match(done.error!.message, /500/);
        assert.deepEqual(await listDir(dir), []);
      },
      { maxRetries: 2 },
    );
  });

  it('fails at once with a clear message on 404, keeping no file', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const [task] = await engine.add([{ url: server.url('/missing.zip') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'HTTP_404');
      assert.match(done.error!.message, /404/);
      assert.equal(server.stats.requests.length, 1, 'a 404 is not retried');
      assert.deepEqual(await listDir(dir), []);
    });
  });

  it('refuses a redirect to a non-HTTP scheme', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addRedirect('/evil', 'file:///etc/passwd');
      const [task] = await engine.add([{ url: server.url('/evil') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'BAD_REDIRECT');
      assert.deepEqual(await listDir(dir), []);
    });
  });

  it('gives up on endless redirects after ten hops', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addRedirect('/loop', '/loop');
      const [task] = await engine.add([{ url: server.url('/loop') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.error?.code, 'TOO_MANY_REDIRECTS');
      assert.ok(server.stats.requests.length <= 11);
    });
  });

  it('keeps partial data of an unfinished download out of the final name', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addFile('/slow.bin', {
        body: makeContent(1 * MiB),
        faults: { connectionRate: 256 * KiB },
      });
      const [task] = await engine.add([{ url: server.url('/slow.bin') }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 100 * KiB);
      await engine.pause(task!.id);
      assert.deepEqual(await listDir(dir), ['slow.bin.part']);
      const part = await readFile(join(dir, 'slow.bin.part'));
      assert.ok(part.length <= 1 * MiB);
    });
  });
});
