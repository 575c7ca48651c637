import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultServer } from './fault-server.ts';
import { makeContent, tempDir } from './fixtures.ts';

const KiB = 1024;
const FIXED_DATE = 'Tue, 01 Sep 2026 10:00:00 GMT';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** False when the connection ended before the message did. */
  complete: boolean;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Default: a fresh connection per request. */
  agent?: http.Agent;
}

/** Sends a request and resolves with the response head; the body is left to read. */
function open(
  url: string,
  options: RequestOptions = {},
): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: options.agent ?? false,
    });
    req.once('response', (res) => resolve({ req, res }));
    req.once('error', reject);
    req.end();
  });
}

/** Reads a response to its end, or to wherever the connection dropped. */
function collect(res: http.IncomingMessage): Promise<Reply> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A dropped connection surfaces as an 'aborted' error; `complete` tells the story.
    res.on('error', () => {});
    res.once('close', () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks),
        complete: res.complete,
      }),
    );
  });
}

async function fetch(url: string, options: RequestOptions = {}): Promise<Reply> {
  return collect((await open(url, options)).res);
}

/** Reads whatever arrives within `ms`, then hangs up. */
async function readFor(
  req: http.ClientRequest,
  res: http.IncomingMessage,
  ms: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('error', () => {});
  await sleep(ms);
  req.destroy();
  return Buffer.concat(chunks);
}

async function withServer(fn: (server: FaultServer) => Promise<void>): Promise<void> {
  const server = await FaultServer.start();
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 200) throw new Error('condition not met within 2 s');
    await sleep(10);
  }
}

const sha1Tag = (data: Buffer) => `"${createHash('sha1').update(data).digest('hex').slice(0, 16)}"`;

describe('FaultServer as a correct static server', { timeout: 10_000 }, () => {
  const body = makeContent(10_000);

  it('serves a full GET with a strong content ETag, a fixed Last-Modified and Accept-Ranges', async () => {
    await withServer(async (server) => {
      server.addFile('/data.bin', { body });
      const reply = await fetch(server.url('/data.bin'));
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, body);
      assert.equal(reply.headers['content-length'], '10000');
      assert.equal(reply.headers['content-type'], 'application/octet-stream');
      assert.equal(reply.headers['etag'], sha1Tag(body));
      assert.equal(reply.headers['last-modified'], FIXED_DATE);
      assert.equal(reply.headers['accept-ranges'], 'bytes');
      assert.equal(reply.headers['content-disposition'], undefined);
    });
  });

  it('sends Content-Disposition and Content-Type verbatim, and no validators when told null', async () => {
    await withServer(async (server) => {
      server.addFile('/dl', {
        body,
        etag: null,
        lastModified: null,
        contentType: 'application/pdf',
        contentDisposition: 'attachment; filename="report.pdf"',
      });
      const reply = await fetch(server.url('/dl'));
      assert.equal(reply.headers['content-type'], 'application/pdf');
      assert.equal(reply.headers['content-disposition'], 'attachment; filename="report.pdf"');
      assert.equal(reply.headers['etag'], undefined);
      assert.equal(reply.headers['last-modified'], undefined);
    });
  });

  it('matches the pathname only, ignoring the query', async () => {
    await withServer(async (server) => {
      server.addFile('/data.bin', { body });
      const reply = await fetch(server.url('/data.bin?token=abc'));
      assert.equal(reply.status, 200);
      assert.equal(server.stats.requests[0]?.path, '/data.bin');
    });
  });

  it('answers an unknown path with 404 and an HTML body, and other methods with 405', async () => {
    await withServer(async (server) => {
      const missing = await fetch(server.url('/nope'));
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['content-type'], 'text/html');
      assert.equal(missing.body.toString(), '<html>404 Not Found</html>');
      server.addFile('/data.bin', { body });
      const post = await fetch(server.url('/data.bin'), { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers['allow'], 'GET, HEAD');
    });
  });

  it('serves each single-range form with 206 and the matching Content-Range', async () => {
    await withServer(async (server) => {
      server.addFile('/data.bin', { body });
      const cases: Array<[string, number, number]> = [
        ['bytes=10-19', 10, 20],
        ['bytes=9000-', 9000, 10_000],
        ['bytes=-500', 9500, 10_000],
        ['bytes=9990-20000', 9990, 10_000],
        ['bytes=-20000', 0, 10_000],
      ];
      for (const [range, start, end] of cases) {
        const reply = await fetch(server.url('/data.bin'), { headers: { range } });
        assert.equal(reply.status, 206, range);
        assert.equal(reply.headers['content-range'], `bytes ${start}-${end - 1}/10000`, range);
        assert.equal(reply.headers['content-length'], String(end - start), range);
        assert.deepEqual(reply.body, body.subarray(start, end), range);
      }
    });
  });

  it('ignores several ranges, other units and malformed ranges, sending the whole body', async () => {
    await withServer(async (server) => {
      server.addFile('/data.bin', { body });
      for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=20-10', 'bytes=abc', 'bytes=-']) {
        const reply = await fetch(server.url('/data.bin'), { headers: { range } });
        assert.equal(reply.status, 200, range);
        assert.deepEqual(reply.body, body, range);
      }
    });
  });

  it('answers 416 with bytes */size to a range starting at or past the end', async () => {
    await withServer(async (server) => {
      server.addFile('/data.bin', { body });
      for (const range of ['bytes=10000-', 'bytes=20000-20010', 'bytes=-0']) {
        const reply = await fetch(server.url('/data.bin'), { headers: { range } });
        assert.equal(reply.status, 416, range);
        assert.equal(reply.headers['content-range'], 'bytes */10000', range);
      }
    });
  });

  it('honours Range when If-Range matches the strong ETag or the exact date, else sends 200', async () => {
    await withServer(async (server) => {
      server.addFile('/data.bin', { body });
      const ask = (ifRange: string) =>
        fetch(server.url('/data.bin'), { headers: { range: 'bytes=0-9', 'if-range': ifRange } });
      assert.equal((await ask(sha1Tag(body))).status, 206);
      assert.equal((await ask(FIXED_DATE)).status, 206);
      const stale = await ask('"0123456789abcdef"');
      assert.equal(stale.status, 200);
      assert.deepEqual(stale.body, body);
      assert.equal((await ask('Wed, 02 Sep 2026 10:00:00 GMT')).status, 200);
      assert.equal((await ask(`W/${sha1Tag(body)}`)).status, 200);
      assert.deepEqual(
        server.stats.requests.map((r) => r.ifRange),
        [
          sha1Tag(body),
          FIXED_DATE,
          '"0123456789abcdef"',
          'Wed, 02 Sep 2026 10:00:00 GMT',
          `W/${sha1Tag(body)}`,
        ],
      );
    });
  });

  it('answers HEAD with the GET headers and no body', async () => {
    await withServer(async (server) => {
      server.addFile('/data.bin', { body });
      const head = await fetch(server.url('/data.bin'), { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers['content-length'], '10000');
      assert.equal(head.headers['etag'], sha1Tag(body));
      assert.equal(head.body.length, 0);
      const ranged = await fetch(server.url('/data.bin'), {
        method: 'HEAD',
        headers: { range: 'bytes=100-199' },
      });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers['content-range'], 'bytes 100-199/10000');
      assert.equal(server.stats.bodyBytes, 0);
      assert.equal(server.stats.requests[0]?.method, 'HEAD');
    });
  });

  it('streams a file on disk, with an ETag from its size and mtime', async () => {
    const dir = await tempDir();
    try {
      const content = makeContent(600 * KiB, 'disk');
      const path = join(dir.path, 'big.bin');
      await writeFile(path, content);
      await withServer(async (server) => {
        server.addFile('/big.bin', { body: { path } });
        const full = await fetch(server.url('/big.bin'));
        assert.deepEqual(full.body, content);
        assert.match(full.headers['etag'] ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
        const part = await fetch(server.url('/big.bin'), {
          headers: { range: 'bytes=300000-599999', 'if-range': full.headers['etag'] ?? '' },
        });
        assert.equal(part.status, 206);
        assert.deepEqual(part.body, content.subarray(300_000, 600_000));
        server.addFile('/gone.bin', { body: { path: join(dir.path, 'missing') } });
        assert.equal((await fetch(server.url('/gone.bin'))).status, 404);
      });
    } finally {
      await dir.cleanup();
    }
  });

  it('replaces a file when it is added again, as a file changed between runs', async () => {
    await withServer(async (server) => {
      server.addFile('/v', { body });
      const v2 = makeContent(10_000, 'v2');
      server.addFile('/v', { body: v2 });
      const reply = await fetch(server.url('/v'), {
        headers: { range: 'bytes=0-9', 'if-range': sha1Tag(body) },
      });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, v2);
    });
  });

  it('serves the replacement after the first `after` requests, with its own ETag', async () => {
    await withServer(async (server) => {
      const v2 = makeContent(10_000, 'v2');
      server.addFile('/v', { body, replacedBy: { after: 2, body: v2 } });
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await fetch(server.url('/v')));
      assert.deepEqual(
        replies.map((r) => [r.body.equals(v2) ? 'v2' : 'v1', r.headers['etag']]),
        [
          ['v1', sha1Tag(body)],
          ['v1', sha1Tag(body)],
          ['v2', sha1Tag(v2)],
        ],
      );
    });
  });

  it('answers redirects with their status and Location, and hands paths to custom handlers', async () => {
    await withServer(async (server) => {
      server.addRedirect('/old', '/new');
      server.addRedirect('/moved', 'http://example.invalid/x', 301);
      server.addHandler('/hello', (_req, res) => res.end('hi'));
      const found = await fetch(server.url('/old'));
      assert.equal(found.status, 302);
      assert.equal(found.headers['location'], '/new');
      const moved = await fetch(server.url('/moved'));
      assert.equal(moved.status, 301);
      assert.equal(moved.headers['location'], 'http://example.invalid/x');
      assert.equal((await fetch(server.url('/hello'))).body.toString(), 'hi');
    });
  });

  it('serves a signed redirect target until it expires, then answers 403', async () => {
    await withServer(async (server) => {
      server.addFile('/store/file.bin', { body });
      server.addSignedRedirect('/download', '/store/file.bin', 300);
      const redirect = await fetch(server.url('/download'));
      assert.equal(redirect.status, 302);
      const location = redirect.headers['location'] ?? '';
      assert.match(location, /\/signed\/store\/file\.bin\?expires=\d+&sig=[0-9a-f]+$/);
      const valid = await fetch(location);
      assert.equal(valid.status, 200);
      assert.deepEqual(valid.body, body);
      const forged = await fetch(location.replace(/sig=./, 'sig=x'));
      assert.equal(forged.status, 403);
      await sleep(350);
      const expired = await fetch(location);
      assert.equal(expired.status, 403);
      assert.equal(expired.headers['content-type'], 'text/html');
      assert.equal(expired.body.toString(), '<html>403 Forbidden</html>');
    });
  });
});

describe('FaultServer faults', { timeout: 10_000 }, () => {
  const body = makeContent(100 * KiB);

  it("range 'ignore' answers a Range request with 200, the whole body and no Accept-Ranges", async () => {
    await withServer(async (server) => {
      server.addFile('/f', { body, faults: { range: 'ignore' } });
      const reply = await fetch(server.url('/f'), { headers: { range: 'bytes=100-199' } });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, body);
      assert.equal(reply.headers['accept-ranges'], undefined);
      assert.equal(reply.headers['content-range'], undefined);
    });
  });

  it("range 'wrong-start' sends a 206 starting 1024 bytes after the asked start", async () => {
    await withServer(async (server) => {
      server.addFile('/f', { body, faults: { range: 'wrong-start' } });
      const reply = await fetch(server.url('/f'), { headers: { range: 'bytes=2048-8191' } });
      assert.equal(reply.status, 206);
      assert.equal(reply.headers['content-range'], `bytes 3072-8191/${body.length}`);
      assert.deepEqual(reply.body, body.subarray(3072, 8192));
    });
  });

  it("range 'overlong' sends the asked Content-Range but a body to EOF, unframed, then closes", async () => {
    await withServer(async (server) => {
      server.addFile('/f', { body, faults: { range: 'overlong' } });
      const reply = await fetch(server.url('/f'), { headers: { range: 'bytes=1000-1999' } });
      assert.equal(reply.status, 206);
      assert.equal(reply.headers['content-range'], `bytes 1000-1999/${body.length}`);
      assert.equal(reply.headers['content-length'], undefined);
      assert.equal(reply.headers['transfer-encoding'], undefined);
      assert.equal(reply.headers['connection'], 'close');
      assert.deepEqual(reply.body, body.subarray(1000));
    });
  });

  it('chunked sends no Content-Length, for 200 and 206 alike', async () => {
    await withServer(async (server) => {
      server.addFile('/f', { body, faults: { chunked: true } });
      const full = await fetch(server.url('/f'));
      assert.equal(full.headers['content-length'], undefined);
      assert.equal(full.headers['transfer-encoding'], 'chunked');
      assert.deepEqual(full.body, body);
      const part = await fetch(server.url('/f'), { headers: { range: 'bytes=10-' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers['content-length'], undefined);
      assert.deepEqual(part.body, body.subarray(10));
    });
  });

  it('connectionRate paces each connection on its own at the configured rate', async () => {
    await withServer(async (server) => {
      const rate = 256 * KiB;
      server.addFile('/slow', { body: makeContent(rate), faults: { connectionRate: rate } });
      const started = performance.now();
      const replies = await Promise.all([fetch(server.url('/slow')), fetch(server.url('/slow'))]);
      const seconds = (performance.now() - started) / 1000;
      for (const reply of replies) assert.equal(reply.body.length, rate);
      // One second of bytes per connection, less the slice that goes out at once.
      assert.ok(seconds > 0.9 && seconds < 1.15, `took ${seconds.toFixed(3)} s`);
    });
  });

  it('a connectionRate function is asked once per connection, with increasing indexes', async () => {
    await withServer(async (server) => {
      const asked: number[] = [];
      server.addFile('/f', {
        body: makeContent(4 * KiB),
        faults: {
          connectionRate: (index) => {
            asked.push(index);
            return 1000 * KiB;
          },
        },
      });
      await fetch(server.url('/f'));
      await fetch(server.url('/f'));
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        await fetch(server.url('/f'), { agent });
        await fetch(server.url('/f'), { agent });
      } finally {
        agent.destroy();
      }
      assert.deepEqual(asked, [0, 1, 2]);
      assert.deepEqual(
        server.stats.requests.map((r) => r.connection),
        [0, 1, 2, 2],
      );
    });
  });

  it('stall stops the body after afterBytes with the socket open, for the first `times` responses', async () => {
    await withServer(async (server) => {
      server.addFile('/f', { body, faults: { stall: { afterBytes: 5000, times: 1 } } });
      const { req, res } = await open(server.url('/f'));
      const received = await readFor(req, res, 300);
      assert.deepEqual(received, body.subarray(0, 5000));
      assert.equal(res.complete, false);
      const next = await fetch(server.url('/f'));
      assert.equal(next.complete, true);
      assert.deepEqual(next.body, body);
    });
  });

  it('stall does not count responses too short to reach it', async () => {
    await withServer(async (server) => {
      server.addFile('/f', { body, faults: { stall: { afterBytes: 5000, times: 1 } } });
      const short = await fetch(server.url('/f'), { headers: { range: 'bytes=0-99' } });
      assert.equal(short.complete, true);
      const { req, res } = await open(server.url('/f'));
      assert.equal((await readFor(req, res, 200)).length, 5000);
    });
  });

  it('reset drops the connection after exactly afterBytes, for the first `times` responses', async () => {
    await withServer(async (server) => {
      server.addFile('/f', { body, faults: { reset: { afterBytes: 70_000, times: 2 } } });
      for (let i = 0; i < 2; i++) {
        const cut = await fetch(server.url('/f'));
        assert.equal(cut.complete, false);
        assert.deepEqual(cut.body, body.subarray(0, 70_000));
      }
      const whole = await fetch(server.url('/f'));
      assert.equal(whole.complete, true);
      assert.deepEqual(whole.body, body);
      assert.deepEqual(
        server.stats.requests.map((r) => r.bodyBytes),
        [70_000, 70_000, body.length],
      );
    });
  });

  it('statusSequence answers the first requests with its statuses and Retry-After, then serves', async () => {
    await withServer(async (server) => {
      server.addFile('/f', {
        body,
        faults: { statusSequence: [{ status: 503, retryAfter: '2' }, { status: 500 }] },
      });
      const first = await fetch(server.url('/f'));
      assert.equal(first.status, 503);
      assert.equal(first.headers['retry-after'], '2');
      assert.equal(first.headers['content-type'], 'text/html');
      assert.equal(first.body.toString(), '<html>503 Service Unavailable</html>');
      const second = await fetch(server.url('/f'));
      assert.equal(second.status, 500);
      assert.equal(second.headers['retry-after'], undefined);
      assert.equal((await fetch(server.url('/f'))).status, 200);
      assert.deepEqual(
        server.stats.requests.map((r) => r.status),
        [503, 500, 200],
      );
    });
  });

  it('maxConnectionsPerClient refuses connections past the cap with 503 and closes them', async () => {
    await withServer(async (server) => {
      server.addFile('/f', {
        body,
        faults: { maxConnectionsPerClient: 2, stall: { afterBytes: 0 } },
      });
      const first = await open(server.url('/f'));
      const second = await open(server.url('/f'));
      const third = await fetch(server.url('/f'));
      assert.equal(first.res.statusCode, 200);
      assert.equal(second.res.statusCode, 200);
      assert.equal(third.status, 503);
      assert.equal(third.headers['retry-after'], '1');
      assert.equal(third.headers['connection'], 'close');
      assert.equal(server.stats.maxOpenConnections, 3);
      // Once a connection goes, a new one fits under the cap again.
      first.req.destroy();
      await until(() => server.stats.requests.some((r) => r.connection === 0));
      const fourth = await open(server.url('/f'));
      assert.equal(fourth.res.statusCode, 200);
      second.req.destroy();
      fourth.req.destroy();
    });
  });

  it('reportedTotal lies in the complete length of Content-Range', async () => {
    await withServer(async (server) => {
      server.addFile('/f', { body, faults: { reportedTotal: 999_999 } });
      const reply = await fetch(server.url('/f'), { headers: { range: 'bytes=0-9' } });
      assert.equal(reply.headers['content-range'], 'bytes 0-9/999999');
      assert.deepEqual(reply.body, body.subarray(0, 10));
    });
  });
});

describe('FaultServer bookkeeping', { timeout: 10_000 }, () => {
  it('counts body bytes sent, partial responses included, in total, per path and per request', async () => {
    await withServer(async (server) => {
      const a = makeContent(50 * KiB, 'a');
      const b = makeContent(80 * KiB, 'b');
      server.addFile('/a', { body: a });
      server.addFile('/b', { body: b, faults: { reset: { afterBytes: 30_000, times: 1 } } });
      await fetch(server.url('/a'));
      await fetch(server.url('/a'), { headers: { range: 'bytes=0-999' } });
      await fetch(server.url('/b'));
      await fetch(server.url('/b'), { method: 'HEAD' });
      assert.equal(server.stats.bodyBytes, a.length + 1000 + 30_000);
      assert.deepEqual(
        [...server.stats.bodyBytesByPath],
        [
          ['/a', a.length + 1000],
          ['/b', 30_000],
        ],
      );
      const [first, ranged, cut, head] = server.stats.requests;
      assert.deepEqual(
        { ...first, headers: undefined, startedAt: undefined },
        {
          method: 'GET',
          path: '/a',
          range: null,
          ifRange: null,
          status: 200,
          bodyBytes: a.length,
          connection: 0,
          startedAt: undefined,
          headers: undefined,
        },
      );
      assert.equal(first?.headers['host'], new URL(server.origin).host);
      assert.equal(ranged?.range, 'bytes=0-999');
      assert.equal(cut?.bodyBytes, 30_000);
      assert.equal(head?.bodyBytes, 0);
      assert.equal(server.stats.connectionsOpened, 4);

      server.resetStats();
      assert.equal(server.stats.bodyBytes, 0);
      assert.equal(server.stats.requests.length, 0);
      assert.equal(server.stats.connectionsOpened, 0);
      assert.equal(server.stats.bodyBytesByPath.size, 0);
    });
  });

  it('close() resolves promptly with a stalled and a slowly paced response open, leaving no timers', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const timersBefore = timers();
    const server = await FaultServer.start();
    const body = makeContent(100 * KiB);
    server.addFile('/stalled', { body, faults: { stall: { afterBytes: 1000 } } });
    // The second slice of this one is due in minutes: its timer must not outlive the server.
    server.addFile('/crawl', { body, faults: { connectionRate: 1 } });
    const stalled = collect((await open(server.url('/stalled'))).res);
    const crawling = collect((await open(server.url('/crawl'))).res);
    await sleep(50);
    const started = performance.now();
    await server.close();
    assert.ok(performance.now() - started < 500, 'close() waited on open responses');
    assert.equal((await stalled).complete, false);
    assert.equal((await crawling).complete, false);
    assert.deepEqual(server.stats.requests.map((r) => r.bodyBytes).sort(), [1000, 256]);
    assert.equal(timers(), timersBefore);
  });
});
