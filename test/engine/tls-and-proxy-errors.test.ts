import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';

const TLS_DIR = new URL('../support/tls/', import.meta.url);
const CERT = readFileSync(new URL('cert.pem', TLS_DIR));
const KEY = readFileSync(new URL('key.pem', TLS_DIR));

/** A listening server on 127.0.0.1 that counts its TCP connections. */
async function listening(server: net.Server): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `127.0.0.1:${port}`, connections: () => connections };
}

/** Downloads `url` with the engine and returns how the task ended. */
async function download(url: string, settings = {}): Promise<TaskSnapshot> {
  let done: TaskSnapshot | undefined;
  await withHarness(async ({ engine }) => {
    const [task] = await engine.add([{ url }]);
    done = await waitForEnd(engine, task!.id);
  }, settings);
  return done!;
}

describe('TLS handshakes that fail', () => {
  it('says an HTTP/2-only server offers no protocol Braid speaks, and does not retry', async () => {
    const server = await listening(
      http2.createSecureServer({ cert: CERT, key: KEY, allowHTTP1: false }, (_req, res) =>
        res.end(),
      ),
    );
    const done = await download(`https://${server.url}/file.bin`);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'TLS_FAILED');
    assert.equal(
      done.error?.message,
      'the TLS connection failed: the server offers no protocol Braid speaks, likely HTTP/2 alone where Braid uses HTTP/1.1 (tlsv1 alert no application protocol)',
    );
    assert.equal(server.connections(), 1);
  });

  it('says a TLS 1.0-only server offers a TLS version too old to be safe', async () => {
    const server = await listening(
      https.createServer(
        { cert: CERT, key: KEY, minVersion: 'TLSv1', maxVersion: 'TLSv1' },
        (_req, res) => res.end(),
      ),
    );
    const done = await download(`https://${server.url}/file.bin`);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'TLS_FAILED');
    assert.match(done.error?.message ?? '', /too old to be safe \(likely TLS 1\.0 or 1\.1\)/);
    assert.doesNotMatch(done.error?.message ?? '', /error:0A|openssl/);
    assert.equal(server.connections(), 1);
  });

  it('says an https:// link to a plain-HTTP port is likely that, with no OpenSSL text', async () => {
    const server = await listening(
      net.createServer((socket) =>
        socket.once('data', () =>
          socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'),
        ),
      ),
    );
    const done = await download(`https://${server.url}/file.bin`);
    assert.equal(done.state, 'failed');
    assert.equal(
      done.error?.message,
      'the TLS connection failed: the server did not answer in TLS, likely a plain-HTTP port (try http://) (wrong version number)',
    );
    assert.equal(server.connections(), 1);
  });
});

/** A proxy that answers every request and CONNECT with `reply`, or closes the connection. */
async function proxyThat(reply: string | 'close') {
  return listening(
    net.createServer((socket) =>
      socket.once('data', () => (reply === 'close' ? socket.destroy() : socket.end(reply))),
    ),
  );
}

describe('a proxy that refuses or closes, for an https:// download', () => {
  it('says the proxy wants a user name and password when it answers CONNECT with 407', async () => {
    const proxy = await proxyThat(
      'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\nContent-Length: 0\r\n\r\n',
    );
    const done = await download('https://127.0.0.1:9/file.bin', {
      proxyMode: 'custom',
      proxyUrl: `http://${proxy.url}`,
    });
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'PROXY_AUTH');
    assert.equal(
      done.error?.message,
      `the proxy ${proxy.url} wants a user name and password (407 Proxy Authentication Required): give them in its address, as http://user:password@${proxy.url}`,
    );
  });

  it('says the proxy refused the credentials given for it', async () => {
    const proxy = await proxyThat(
      'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n',
    );
    const done = await download('https://127.0.0.1:9/file.bin', {
      proxyMode: 'custom',
      proxyUrl: `http://alice:wrong@${proxy.url}`,
    });
    assert.equal(
      done.error?.message,
      `the proxy ${proxy.url} refused the user name and password given for it (407 Proxy Authentication Required)`,
    );
  });

  it('says the proxy refused to connect to the server when it answers CONNECT with 403', async () => {
    const proxy = await proxyThat('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    const done = await download('https://127.0.0.1:9/file.bin', {
      proxyMode: 'custom',
      proxyUrl: `http://${proxy.url}`,
    });
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'PROXY_REFUSED');
    assert.equal(
      done.error?.message,
      `the proxy ${proxy.url} refused to connect to 127.0.0.1:9 (403 Forbidden)`,
    );
    assert.equal(proxy.connections(), 1, 'not retried');
  });

  it('names the proxy when it closes every connection, for https:// and http://', async () => {
    const proxy = await proxyThat('close');
    for (const url of ['https://127.0.0.1:9/file.bin', 'http://127.0.0.2:9/file.bin']) {
      const done = await download(url, {
        proxyMode: 'custom',
        proxyUrl: `http://${proxy.url}`,
        maxRetries: 0,
      });
      assert.equal(done.state, 'failed');
      assert.match(
        done.error?.message ?? '',
        new RegExp(`^the proxy ${proxy.url} closed the connection before an answer`),
        url,
      );
    }
  });
});
