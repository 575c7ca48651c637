import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DownloadError } from '../../electron/engine/errors.ts';
import type { BodySink, HttpResponse } from '../../electron/engine/http-body.ts';
import { ConnectionPool } from '../../electron/engine/connection-pool.ts';
import { DirectTransport } from '../../electron/engine/http-transport.ts';
import { HttpConnection } from '../../electron/engine/http1-connection.ts';
import { toDownloadError } from '../../electron/engine/retry-policy.ts';
import { makeContent } from '../support/fixtures.ts';

const TLS_DIR = new URL('../support/tls/', import.meta.url);
const CERT = readFileSync(new URL('cert.pem', TLS_DIR));
const KEY = readFileSync(new URL('key.pem', TLS_DIR));

/** Reads requests off a raw socket and lets a script answer them byte by byte. */
type Script = (socket: net.Socket, request: string, index: number) => void | Promise<void>;

interface Scripted {
  url: string;
  /** Sockets accepted so far. */
  connections: number;
  requests: string[];
  close(): Promise<void>;
}

const servers: Scripted[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function scripted(script: Script, secure = false): Promise<Scripted> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0, requests: [] as string[] };
  const onSocket = (socket: net.Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const request = pending.slice(0, end);
        pending = pending.slice(end + 4);
        state.requests.push(request);
        void script(socket, request, state.requests.length - 1);
      }
    });
  };
  const server = secure
    ? tls.createServer({ cert: CERT, key: KEY }, onSocket)
    : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const handle: Scripted = {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}/file`,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

/** Writes `data` in pieces of `size` bytes with a pause between them, so reads see every split. */
async function trickle(socket: net.Socket, data: Buffer | string, size: number): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  for (let i = 0; i < bytes.length; i += size) {
    socket.write(bytes.subarray(i, i + size));
    await sleep(1);
  }
}

/** A sink with small spaces that collects what it is given. */
function collector(spaceBytes = 7, took?: (n: number) => Promise<void> | false | undefined) {
  const parts: Buffer[] = [];
  let region = Buffer.alloc(spaceBytes);
  const sink: BodySink = {
    space: () => (region = Buffer.alloc(spaceBytes)),
    took: (n) => {
      parts.push(Buffer.from(region.subarray(0, n)));
      return took?.(n);
    },
  };
  return { sink, bytes: () => Buffer.concat(parts) };
}

function get(url: string, options: { tls?: tls.ConnectionOptions; timeoutMs?: number } = {}) {
  const connection = new HttpConnection(new URL(url), {
    timeoutMs: options.timeoutMs ?? 5000,
    tls: options.tls,
  });
  return {
    connection,
    request: (headers: Record<string, string> = {}): Promise<HttpResponse> =>
      connection.request(new URL(url), headers, new AbortController().signal),
  };
}

function head(status: string, headers: string[]): string {
  return `HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/** A 200 response with `body`, as one write. */
function wholeResponse(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(head('200 OK', [`Content-Length: ${body.length}`])), body]);
}

/** The response of a server that writes the whole of it at once. */
async function answeredAtOnce(body: Buffer): Promise<HttpResponse> {
  const server = await scripted((socket) => {
    socket.write(wholeResponse(body));
  });
  return get(server.url).request();
}

describe('HTTP/1.1 connection', () => {
  it('reads a Content-Length body whose head and body arrive a few bytes at a time', async () => {
    const body = makeContent(3000);
    const server = await scripted(async (socket) => {
      await trickle(socket, head('200 OK', [`Content-Length: ${body.length}`]), 5);
      await trickle(socket, body, 333);
    });
    const { connection, request } = get(server.url);
    const res = await request();
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(body.length));
    const { sink, bytes } = collector();
    assert.equal(await res.body.pipe(sink), true);
    assert.deepEqual(bytes(), body);
    assert.equal(connection.reusable, true);
    connection.destroy();
  });

  it('decodes chunked bodies split at every byte, with extensions and trailers', async () => {
    const body = makeContent(600);
    const framed = Buffer.concat([
      Buffer.from('a;name=value\r\n'),
      body.subarray(0, 10),
      Buffer.from('\r\n1F4\r\n'),
      body.subarray(10, 510),
      Buffer.from('\r\n5a\r\n'),
      body.subarray(510),
      Buffer.from('\r\n0\r\nX-Checksum: none\r\n\r\n'),
    ]);
    const server = await scripted(async (socket) => {
      await trickle(socket, head('200 OK', ['Transfer-Encoding: chunked']), 64);
      await trickle(socket, framed, 1);
    });
    const { connection, request } = get(server.url);
    const res = await request();
    const { sink, bytes } = collector(64);
    assert.equal(await res.body.pipe(sink), true);
    assert.deepEqual(bytes(), body);
    assert.equal(
      connection.reusable,
      true,
      'a cleanly ended chunked body leaves the connection usable',
    );
    connection.destroy();
  });

  it('fails a chunk that is longer than its announced size', async () => {
    const server = await scripted((socket) => {
      socket.write(head('200 OK', ['Transfer-Encoding: chunked']) + '3\r\nabcdef\r\n0\r\n\r\n');
    });
    const res = await get(server.url).request();
    await assert.rejects(res.body.pipe(collector().sink), { code: 'BAD_RESPONSE' });
  });

  it('carries several requests over one kept-alive connection', async () => {
    const server = await scripted((socket, _request, index) => {
      const text = `response ${index}`;
      socket.write(head('200 OK', [`Content-Length: ${text.length}`]) + text);
    });
    const { connection, request } = get(server.url);
    for (let i = 0; i < 3; i++) {
      const res = await request();
      const { sink, bytes } = collector();
      await res.body.pipe(sink);
      assert.equal(bytes().toString(), `response ${i}`);
    }
    assert.equal(server.connections, 1);
    connection.destroy();
  });

  it('sends the Host header and the caller’s headers, and refuses a header that would split the request', async () => {
    const server = await scripted((socket) => {
      socket.write(head('204 No Content', []));
    });
    const { connection, request } = get(server.url);
    const res = await request({ Range: 'bytes=0-9', 'X-Test': 'yes' });
    assert.equal(res.status, 204);
    assert.equal(await res.body.pipe(collector().sink), true);
    const sent = server.requests[0]!;
    assert.match(sent, /^GET \/file HTTP\/1\.1\r\n/);
    assert.match(sent, new RegExp(`\\r\\nHost: ${new URL(server.url).host}(\\r\\n|$)`));
    assert.match(sent, /\r\nRange: bytes=0-9(\r\n|$)/);
    await assert.rejects(request({ 'X-Evil': 'a\r\nInjected: 1' }), { code: 'BAD_HEADER' });
    assert.equal(server.requests.length, 1, 'nothing was sent for the refused request');
    connection.destroy();
  });

  it('ends a body without length at the close of the connection, even when it all came with the head', async () => {
    const body = makeContent(5000);
    const server = await scripted((socket, _request, index) => {
      const bytes = Buffer.concat([Buffer.from(head('200 OK', ['Connection: close'])), body]);
      if (index === 0) socket.end(bytes);
      else void trickle(socket, bytes, 700).then(() => socket.end());
    });
    for (let i = 0; i < 2; i++) {
      const { connection, request } = get(server.url);
      const res = await request();
      await sleep(50); // the whole response and the close are in before anyone reads the body
      const { sink, bytes } = collector(1000);
      assert.equal(await res.body.pipe(sink), true);
      assert.deepEqual(bytes(), body);
      assert.equal(connection.reusable, false);
    }
  });

  it('skips interim 1xx responses before the real one', async () => {
    const server = await scripted((socket) => {
      socket.write(head('103 Early Hints', ['Link: </style.css>; rel=preload']));
      socket.write(head('200 OK', ['Content-Length: 2']) + 'ok');
    });
    const { connection, request } = get(server.url);
    const res = await request();
    assert.equal(res.status, 200);
    const { sink, bytes } = collector();
    await res.body.pipe(sink);
    assert.equal(bytes().toString(), 'ok');
    connection.destroy();
  });

  it('refuses an oversized head, a broken status line and conflicting lengths', async () => {
    const answers = [
      head('200 OK', [`X-Big: ${'a'.repeat(70 * 1024)}`, 'Content-Length: 1']) + 'x',
      'HTTP/1.1 OK\r\nContent-Length: 1\r\n\r\nx',
      head('200 OK', ['Content-Length: 5', 'Content-Length: 6']) + 'hello!',
      'HTTP/1.1 200 OK\r\nBad Header Name: 1\r\n\r\n',
    ];
    const server = await scripted((socket, _request, index) => {
      socket.write(answers[index % answers.length]!);
    });
    for (let i = 0; i < answers.length; i++) {
      const { connection, request } = get(server.url);
      await assert.rejects(request(), (error: unknown) => {
        assert.ok(error instanceof DownloadError);
        assert.equal(error.code, 'BAD_RESPONSE');
        assert.equal(error.retryable, false);
        return true;
      });
      assert.equal(connection.reusable, false);
    }
  });

  it('refuses a body in a transfer coding other than chunked, naming it, before any byte is taken', async () => {
    // Braid asks for no transfer coding: gzip bytes saved as the file would be a corrupt file.
    const answers = [
      head('200 OK', ['Transfer-Encoding: gzip, chunked']) + '3\r\nabc\r\n0\r\n\r\n',
      head('200 OK', ['Transfer-Encoding: chunked', 'Transfer-Encoding: deflate']) + 'abc',
    ];
    const server = await scripted((socket, _request, index) => {
      socket.write(answers[index]!);
    });
    for (const coding of ['gzip', 'deflate']) {
      const { connection, request } = get(server.url);
      await assert.rejects(request(), (error: unknown) => {
        assert.ok(error instanceof DownloadError);
        assert.equal(error.code, 'BAD_RESPONSE');
        assert.equal(error.retryable, false);
        assert.match(error.message, new RegExp(`\\b${coding}\\b`));
        return true;
      });
      assert.equal(connection.reusable, false);
    }
  });

  it('accepts bare LF line endings in the head and in chunked framing', async () => {
    const body = makeContent(300);
    const framed = Buffer.concat([
      Buffer.from('a;ext\n'),
      body.subarray(0, 10),
      Buffer.from('\n122\r\n'),
      body.subarray(10),
      Buffer.from('\n0\nX-Trailer: 1\n\n'),
    ]);
    const responses = [
      // Every line ends with a bare LF, split at every byte.
      Buffer.from('HTTP/1.1 200 OK\nContent-Length: 5\nX-Mode: lf\n\nhello'),
      // Mixed: CRLF status line, LF header lines, CRLF blank line.
      Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\n\r\n'), framed]),
    ];
    const server = await scripted(async (socket, _request, index) => {
      await trickle(socket, responses[index]!, 1);
    });
    const { connection, request } = get(server.url);
    const first = await request();
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-mode'], 'lf');
    const one = collector();
    assert.equal(await first.body.pipe(one.sink), true);
    assert.equal(one.bytes().toString(), 'hello');
    const second = await request();
    const two = collector(64);
    assert.equal(await second.body.pipe(two.sink), true);
    assert.deepEqual(two.bytes(), body);
    assert.equal(server.connections, 1, 'both responses were framed exactly');
    assert.equal(connection.reusable, true);
    connection.destroy();
  });

  it('unfolds folded header lines into one value joined by a space', async () => {
    const server = await scripted((socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\nX-Note: first part\r\n  continued\r\n\tand more \r\n' +
          'Content-Length:\r\n 2\r\n\r\nok',
      );
    });
    const { connection, request } = get(server.url);
    const res = await request();
    assert.equal(res.headers['x-note'], 'first part continued and more');
    assert.equal(res.headers['content-length'], '2');
    const { sink, bytes } = collector();
    assert.equal(await res.body.pipe(sink), true);
    assert.equal(bytes().toString(), 'ok');
    connection.destroy();
  });

  it('gives up on a head that keeps trickling in past twice the read timeout', async () => {
    const server = await scripted(async (socket) => {
      // Every byte comes well within the read timeout, but the whole head would take ~4 s.
      const bytes = head('200 OK', ['Content-Length: 2', 'X-Padding: ' + 'p'.repeat(40)]);
      for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
        socket.write(bytes[i]!);
        await sleep(50);
      }
    });
    const started = performance.now();
    const { connection, request } = get(server.url, { timeoutMs: 300 });
    await assert.rejects(request(), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.code, 'TIMEOUT');
      assert.equal(error.retryable, true);
      assert.match(error.message, /headers/);
      return true;
    });
    // Not before twice the read timeout (no upper bound: this machine is shared and noisy; without
    // the deadline the head arrives whole after ~4 s and the request does not fail at all).
    const took = performance.now() - started;
    assert.ok(took >= 550, `gave up after ${Math.round(took)} ms`);
    assert.equal(connection.reusable, false);
  });

  it('never hands over bytes beyond Content-Length, and drops such a connection', async () => {
    const server = await scripted((socket) => {
      socket.write(head('200 OK', ['Content-Length: 4']) + 'bodyEXTRA-GARBAGE');
    });
    const { connection, request } = get(server.url);
    const res = await request();
    const { sink, bytes } = collector(100);
    assert.equal(await res.body.pipe(sink), true);
    assert.equal(bytes().toString(), 'body');
    assert.equal(connection.reusable, false);
  });

  it('stops reading while the sink waits, and goes on when it is ready', async () => {
    const body = makeContent(256 * 1024);
    const res = await answeredAtOnce(body);
    let holding = false;
    let tookWhileHolding = 0;
    const { sink, bytes } = collector(16 * 1024, () => {
      if (holding) tookWhileHolding++;
      holding = true;
      return sleep(5).then(() => {
        holding = false;
      });
    });
    assert.equal(await res.body.pipe(sink), true);
    assert.deepEqual(bytes(), body);
    assert.equal(tookWhileHolding, 0, 'no bytes were handed over while the sink was waiting');
  });

  /** Serves a 1 MiB body at once; the sink makes the reader wait after every read. */
  async function readWaitingEachTime(hasRoom: boolean) {
    const body = makeContent(1024 * 1024);
    const res = await answeredAtOnce(body);
    let holding = false;
    let spacesWhileHolding = 0;
    let largestRead = 0;
    const collected = collector(256 * 1024, (n) => {
      largestRead = Math.max(largestRead, n);
      holding = true;
      return sleep(1).then(() => {
        holding = false;
      });
    });
    const sink: BodySink = {
      space: () => {
        if (holding) spacesWhileHolding++;
        return collected.sink.space();
      },
      took: (n) => collected.sink.took(n),
      hasRoom: () => hasRoom,
    };
    assert.equal(await res.body.pipe(sink), true);
    assert.deepEqual(collected.bytes(), body);
    return { spacesWhileHolding, largestRead };
  }

  it('asks a waiting sink for no new buffer, so a connection behind its disk holds no spare one', async () => {
    const { spacesWhileHolding } = await readWaitingEachTime(false);
    assert.equal(spacesWhileHolding, 0, 'space was asked for while the sink was waiting');
  });

  it('reads on into a waiting sink that still has room, in reads larger than its scratch', async () => {
    // A rate limit makes the sink wait after nearly every read: scratch-sized reads would cost
    // a system call and a copy per 16 KiB.
    const { largestRead } = await readWaitingEachTime(true);
    assert.ok(largestRead > 16 * 1024, `largest read ${largestRead} bytes`);
  });

  it('closes the connection when the sink wants no more', async () => {
    const server = await scripted((socket) => {
      socket.write(head('200 OK', ['Content-Length: 100000']) + 'x'.repeat(100000));
    });
    const { connection, request } = get(server.url);
    const res = await request();
    const { sink } = collector(10, () => false);
    assert.equal(await res.body.pipe(sink), false);
    assert.equal(connection.reusable, false);
  });

  it('times out when the server goes silent in the middle of a body', async () => {
    const server = await scripted((socket) => {
      socket.write(head('200 OK', ['Content-Length: 10']) + 'abc');
    });
    const res = await get(server.url, { timeoutMs: 150 }).request();
    await assert.rejects(res.body.pipe(collector().sink), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.code, 'TIMEOUT');
      assert.equal(error.retryable, true);
      return true;
    });
  });

  it('fails a body the server ends early, as retryable', async () => {
    const server = await scripted((socket) => {
      socket.end(head('200 OK', ['Content-Length: 10']) + 'abc');
    });
    const res = await get(server.url).request();
    await assert.rejects(res.body.pipe(collector().sink), { code: 'CONNECTION_CLOSED' });
  });

  it('aborts a request when its signal fires', async () => {
    const server = await scripted(() => undefined);
    const connection = new HttpConnection(new URL(server.url), { timeoutMs: 5000 });
    const abort = new AbortController();
    const pending = connection.request(new URL(server.url), {}, abort.signal);
    abort.abort(new Error('stop now'));
    await assert.rejects(pending, /stop now/);
    assert.equal(connection.reusable, false);
  });

  it('reads HTTPS bodies straight into the sink too', async () => {
    const body = makeContent(200 * 1024);
    const server = await scripted((socket) => {
      socket.write(wholeResponse(body));
    }, true);
    const { connection, request } = get(server.url, { tls: { ca: CERT } });
    const res = await request();
    const { sink, bytes } = collector(4096);
    assert.equal(await res.body.pipe(sink), true);
    assert.deepEqual(bytes(), body);
    connection.destroy();
  });

  it('keeps the HTTPS body that arrives before the caller starts reading it', async () => {
    const body = makeContent(300 * 1024);
    const server = await scripted((socket) => {
      socket.write(wholeResponse(body));
    }, true);
    const { connection, request } = get(server.url, { tls: { ca: CERT } });
    const res = await request();
    // The engine opens the file between the head and the body: TLS goes on handing over what it
    // had decrypted.
    await sleep(100);
    const { sink, bytes } = collector(64 * 1024);
    assert.equal(await res.body.pipe(sink), true);
    assert.deepEqual(bytes(), body);
    connection.destroy();
  });

  it('keeps every HTTPS byte that arrives while the sink makes it wait', async () => {
    const body = makeContent(1024 * 1024);
    const server = await scripted((socket) => {
      socket.write(wholeResponse(body));
    }, true);
    const { connection, request } = get(server.url, { tls: { ca: CERT } });
    const res = await request();
    // A slow disk with no room left: every write makes the connection wait a moment, and what
    // TLS hands over meanwhile has to be kept aside.
    const { sink, bytes } = collector(16 * 1024, () => sleep(2));
    assert.equal(await res.body.pipe({ ...sink, hasRoom: () => false }), true);
    assert.deepEqual(bytes(), body);
    connection.destroy();
  });

  it('refuses an HTTPS server whose certificate is not trusted, saying why, not to be retried', async () => {
    const server = await scripted(() => undefined, true);
    const error: unknown = await get(server.url)
      .request()
      .then(
        () => assert.fail('a self-signed certificate was accepted'),
        (e: unknown) => e,
      );
    const refused = toDownloadError(error);
    assert.equal(refused.code, 'TLS_CERTIFICATE');
    assert.equal(refused.retryable, false);
    assert.equal(refused.message, "the server's certificate is refused: it is self-signed");
  });
});

describe('direct transport', () => {
  it('lets the process exit as soon as the last response ended its connection', async () => {
    // Connection: close with a length, then an HTTP/1.0 body that ends at the close.
    const server = await scripted((socket, request) => {
      const body = 'x'.repeat(1000);
      if (request.startsWith('GET /file?close ')) {
        socket.end(head('200 OK', ['Connection: close', `Content-Length: ${body.length}`]) + body);
      } else {
        socket.end(`HTTP/1.0 200 OK\r\n\r\n${body}`);
      }
    });
    const transport = new URL('../../electron/engine/http-transport.ts', import.meta.url).href;
    const child = `
      const { DirectTransport } = await import(${JSON.stringify(transport)});
      const scratch = Buffer.alloc(64 * 1024);
      for (const query of ['?close', '?http10']) {
        const t = new DirectTransport(60000);
        const res = await t.get(new URL(${JSON.stringify(server.url)} + query), {}, new AbortController().signal);
        let total = 0;
        await res.body.pipe({ space: () => scratch, took: (n) => { total += n; } });
        if (total !== 1000) throw new Error('got ' + total + ' bytes');
        t.close();
      }
      process.stdout.write('done');`;
    const result = await new Promise<{ error: string | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', child],
        { timeout: 10_000 },
        (error, stdout, stderr) =>
          resolve({ error: error && (error.killed ? 'still running after 10 s' : stderr), stdout }),
      );
    });
    // Held by a read timeout, the child would run 60 s: it is killed at 10.
    assert.equal(result.error, null);
    assert.equal(result.stdout, 'done');
  });

  it('reuses its connection, and replaces one the server closed while idle', async () => {
    const server = await scripted((socket, _request, index) => {
      socket.write(head('200 OK', ['Content-Length: 1']) + String(index));
      // The second answer is the last one this socket carries, without saying so.
      if (index === 1) setTimeout(() => socket.destroy(), 20);
    });
    const transport = new DirectTransport(5000);
    const signal = new AbortController().signal;
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await transport.get(new URL(server.url), {}, signal);
      const { sink, bytes } = collector();
      await res.body.pipe(sink);
      seen.push(bytes().toString());
      await sleep(60);
    }
    transport.close();
    assert.deepEqual(seen, ['0', '1', '2', '3']);
    assert.equal(server.connections, 2);
  });

  it('hands its connection to the pool for the next transport, which forgets one the server closed', async () => {
    const server = await scripted((socket, _request, index) => {
      socket.write(head('200 OK', ['Content-Length: 1']) + String(index));
      // After its second answer this socket is closed while it waits in the pool.
      if (index === 1) setTimeout(() => socket.destroy(), 20);
    });
    const pool = new ConnectionPool();
    const signal = new AbortController().signal;
    const fetchOnce = async () => {
      const transport = new DirectTransport(5000, pool);
      const res = await transport.get(new URL(server.url), {}, signal);
      const { sink, bytes } = collector();
      await res.body.pipe(sink);
      transport.close();
      return bytes().toString();
    };
    assert.equal(await fetchOnce(), '0');
    assert.equal(await fetchOnce(), '1');
    assert.equal(server.connections, 1, 'the second transport took the pooled connection');
    await sleep(80);
    assert.equal(await fetchOnce(), '2');
    assert.equal(server.connections, 2, 'a closed connection is not handed out again');
    pool.close();
  });
});
