import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { SettingsPatch } from '../../shared/api/settings.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { cachedProxyResolver } from '../../electron/main/system-proxy.ts';
import { waitForEnd, waitForTask, withHarness, type Harness } from '../support/engine-harness.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';

const KiB = 1024;
import { REPLY, Socks5Proxy } from '../support/socks5-proxy.ts';

/** A name only the proxy can resolve: reaching it proves every connection went through the proxy. */
const FAR_HOST = 'files.behind-the-proxy.test';

/** The target's URL under FAR_HOST, which the proxy maps to 127.0.0.1. */
function farUrl(server: FaultServer, path: string): string {
  const url = new URL(server.url(path));
  url.hostname = FAR_HOST;
  return url.href;
}

function viaSocks(proxy: Socks5Proxy, credentials?: string, extra: SettingsPatch = {}) {
  return { proxyMode: 'custom' as const, proxyUrl: proxy.url(credentials), ...extra };
}

/** A proxy for the test, closed after it. */
async function socks(options: Parameters<typeof Socks5Proxy.start>[0] = {}): Promise<Socks5Proxy> {
  const hosts = { [FAR_HOST]: '127.0.0.1', localhost: '127.0.0.1' };
  const proxy = await Socks5Proxy.start({ hosts, ...options });
  after(() => proxy.close());
  return proxy;
}

/**
 * A proxy that answers the client's n-th message with `answers[n]` and then stays silent, for
 * what no proxy in good order says; closed after the test. Its `host:port`.
 */
async function scripted(...answers: number[][]): Promise<string> {
  const port = await fakeProxy((socket) => {
    let messages = 0;
    socket.on('data', () => {
      const answer = answers[messages++];
      if (answer) socket.write(Buffer.from(answer));
    });
  });
  return `127.0.0.1:${port}`;
}

/** A TCP server on 127.0.0.1 that treats each connection as `onSocket` says, closed after the test: its port. */
async function fakeProxy(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

/** Adds `url` to the harness's engine and waits for how it ends. */
async function download(h: Harness, url: string, connections = 1): Promise<TaskSnapshot> {
  const [task] = await h.engine.add([{ url, connections }]);
  return waitForEnd(h.engine, task!.id);
}

describe('downloads through a SOCKS5 proxy', () => {
  it('downloads over HTTP with several connections, the proxy resolving the host name', async () => {
    const proxy = await socks();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    after(() => void process.off('warning', onWarning));
    await withHarness(async (h) => {
      const body = makeContent(3 * MiB);
      h.server.addFile('/far.bin', { body, faults: { connectionRate: 2 * MiB } });
      const done = await download(h, farUrl(h.server, '/far.bin'), 4);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(h.dir, 'far.bin')), sha256(body));
      assert.ok(h.server.stats.maxOpenConnections >= 2, 'several connections at once');
      assert.equal(proxy.tunnels.length, h.server.stats.connectionsOpened, 'each one tunnelled');
      for (const tunnel of proxy.tunnels) {
        assert.deepEqual(
          [tunnel.host, tunnel.addressType, tunnel.reply],
          [FAR_HOST, 'domain', REPLY.succeeded],
          'the name is sent for the proxy to resolve',
        );
      }
    }, viaSocks(proxy));
    assert.deepEqual(warnings, [], 'no warning printed to the terminal');
  });

  it('logs in with the user name and password in its address (socks5h:// alike)', async () => {
    const proxy = await socks({ credentials: 'alice:s3 cr@t' });
    await withHarness(
      async (h) => {
        const body = makeContent(1 * MiB);
        h.server.addFile('/login.bin', { body });
        const done = await download(h, farUrl(h.server, '/login.bin'), 3);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(h.dir, 'login.bin')), sha256(body));
        assert.ok(proxy.tunnels.length > 0);
        assert.ok(proxy.tunnels.every((t) => t.user === 'alice'));
        assert.equal(proxy.refusedLogins, 0);
      },
      {
        proxyMode: 'custom',
        proxyUrl: proxy.url('alice:s3%20cr%40t').replace('socks5:', 'socks5h:'),
      },
    );
  });

  it('sends IPv4 and IPv6 addresses as addresses', async () => {
    const proxy = await socks();
    let serverPort = 0;
    await withHarness(async (h) => {
      h.server.addFile('/ip.bin', { body: makeContent(100 * KiB) });
      serverPort = Number(new URL(h.server.origin).port);
      const done = await download(h, h.server.url('/ip.bin'));
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
    }, viaSocks(proxy));
    const refusing = await socks({ reply: REPLY.connectionRefused });
    await withHarness(
      async (h) => {
        await download(h, 'http://[2001:db8::1:2]:8080/x.bin');
        await download(h, 'http://[::ffff:10.0.0.1]/x.bin');
      },
      viaSocks(refusing, undefined, { maxRetries: 0 }),
    );
    assert.deepEqual(
      [...proxy.tunnels, ...refusing.tunnels].map((t) => [t.addressType, t.host, t.port]),
      [
        ['ipv4', '127.0.0.1', serverPort],
        ['ipv6', '2001:db8:0:0:0:0:1:2', 8080],
        ['ipv6', '0:0:0:0:0:ffff:a00:1', 80],
      ],
    );
  });

  it('carries on after the app restarts, through the proxy, from what was saved', async () => {
    const proxy = await socks();
    await withHarness(async (h) => {
      const body = makeContent(2 * MiB);
      h.server.addFile('/resume.bin', { body, faults: { connectionRate: 1 * MiB } });
      const [task] = await h.engine.add([{ url: farUrl(h.server, '/resume.bin'), connections: 4 }]);
      await waitForTask(h.engine, task!.id, (t) => t.downloaded > 700 * KiB);
      const tunnelsBefore = proxy.tunnels.length;
      const engine = await h.restart();
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(h.dir, 'resume.bin')), sha256(body));
      assert.ok(proxy.tunnels.length > tunnelsBefore, 'the resumed run went through the proxy');
      const resumed = h.server.stats.requests.slice(-1)[0];
      assert.ok(resumed?.ifRange, 'resumed with If-Range');
      assert.ok(h.server.stats.bodyBytes < body.length * 1.4, `served ${h.server.stats.bodyBytes}`);
    }, viaSocks(proxy));
  });
});

describe('https:// through a SOCKS5 proxy', () => {
  let server: FaultServer;
  before(async () => {
    const dir = new URL('../support/tls/', import.meta.url);
    const cert = await readFile(new URL('cert.pem', dir));
    // Trusted as a certificate authority of this machine would be: the check stays on.
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), cert.toString()]);
    server = await FaultServer.start({
      tls: { cert, key: await readFile(new URL('key.pem', dir)) },
    });
  });
  after(() => server.close());

  it('downloads with several connections, TLS from end to end with the server', async () => {
    const proxy = await socks();
    const body = makeContent(3 * MiB);
    server.addFile('/secure.bin', { body, faults: { connectionRate: 2 * MiB } });
    const url = new URL(server.url('/secure.bin'));
    url.hostname = 'localhost';
    await withHarness(async (h) => {
      const done = await download(h, url.href, 4);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(h.dir, 'secure.bin')), sha256(body));
    }, viaSocks(proxy));
    assert.ok(server.stats.maxOpenConnections >= 2, 'several connections at once');
    assert.equal(proxy.tunnels.length, server.stats.connectionsOpened);
    for (const tunnel of proxy.tunnels) {
      assert.deepEqual([tunnel.host, tunnel.addressType], ['localhost', 'domain']);
      assert.equal(tunnel.firstBytes[0], 0x16, 'the proxy relayed a TLS handshake, not HTTP');
    }
  });

  it('refuses a certificate that is not for the host asked for, through the tunnel too', async () => {
    const proxy = await socks({ hosts: { 'other.test': '127.0.0.1' } });
    server.addFile('/wrong-name.bin', { body: makeContent(1000) });
    const url = new URL(server.url('/wrong-name.bin'));
    url.hostname = 'other.test';
    await withHarness(async (h) => {
      const done = await download(h, url.href);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'TLS_CERTIFICATE');
      assert.match(done.error?.message ?? '', /issued for another host name/);
    }, viaSocks(proxy));
  });
});

describe('a SOCKS5 proxy that refuses', () => {
  it('says the proxy refused the user name and password, once, never showing the password', async () => {
    const proxy = await socks({ credentials: 'alice:s3cret' });
    await withHarness(
      async (h) => {
        h.server.addFile('/x.bin', { body: makeContent(1000) });
        const done = await download(h, farUrl(h.server, '/x.bin'));
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, 'PROXY_AUTH');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy.host} refused the user name and password given for it`,
        );
        assert.equal(proxy.refusedLogins, 1, 'not retried');
        assert.equal(h.server.stats.requests.length, 0, 'nothing reached the server');
        assert.ok(!existsSync(join(h.dir, 'x.bin')));
        assert.doesNotMatch(JSON.stringify([done, h.log]), /wrongpass/);
      },
      viaSocks(proxy, 'alice:wrongpass', { maxRetries: 3 }),
    );
  });

  it('says the proxy wants a user name and password when none was given', async () => {
    const proxy = await socks({ credentials: 'alice:s3cret' });
    await withHarness(
      async (h) => {
        h.server.addFile('/x.bin', { body: makeContent(1000) });
        const done = await download(h, farUrl(h.server, '/x.bin'));
        assert.equal(done.error?.code, 'PROXY_AUTH');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy.host} wants a user name and password: give them in its address, as socks5://user:password@${proxy.host}`,
        );
        assert.equal(proxy.refusedMethods, 1, 'not retried');
      },
      viaSocks(proxy, undefined, { maxRetries: 3 }),
    );
  });

  it('says the proxy refused the connection when nothing listens there, and retries', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await withHarness(
      async (h) => {
        h.server.addFile('/x.bin', { body: makeContent(1000) });
        const done = await download(h, h.server.url('/x.bin'));
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, 'PROXY_UNREACHABLE');
        assert.match(
          done.error?.message ?? '',
          new RegExp(
            `^the proxy 127\\.0\\.0\\.1:${port} refused the connection .*\\(gave up after 2 attempts\\)$`,
          ),
        );
        assert.doesNotMatch(JSON.stringify([done, h.log]), /s3cret/);
      },
      { proxyMode: 'custom', proxyUrl: `socks5://alice:s3cret@127.0.0.1:${port}`, maxRetries: 1 },
    );
  });

  it('says the server refused the proxy, and retries as it would a direct refusal', async () => {
    const proxy = await socks();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await withHarness(
      async (h) => {
        const done = await download(h, `http://${FAR_HOST}:${port}/x.bin`);
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, 'PROXY_TARGET_REFUSED');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy.host} could not connect to ${FAR_HOST}:${port}: connection refused (SOCKS5 reply 5) (gave up after 2 attempts)`,
        );
        assert.deepEqual(
          proxy.tunnels.map((t) => t.reply),
          [REPLY.connectionRefused, REPLY.connectionRefused],
        );
      },
      viaSocks(proxy, undefined, { maxRetries: 1 }),
    );
  });

  it('says the proxy could not reach a host whose name does not resolve there', async () => {
    const proxy = await socks();
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://nowhere.invalid/x.bin');
        assert.equal(done.error?.code, 'PROXY_TARGET_UNREACHABLE');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy.host} could not reach nowhere.invalid:80: host unreachable, or its name does not resolve there (SOCKS5 reply 4) (gave up after 1 attempt)`,
        );
      },
      viaSocks(proxy, undefined, { maxRetries: 0 }),
    );
  });

  it('says the proxy refused by its rules, and does not retry', async () => {
    const proxy = await socks({ reply: REPLY.notAllowed });
    await withHarness(
      async (h) => {
        h.server.addFile('/x.bin', { body: makeContent(1000) });
        const done = await download(h, farUrl(h.server, '/x.bin'));
        assert.equal(done.error?.code, 'PROXY_REFUSED');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy.host} refused to connect to ${new URL(farUrl(h.server, '/')).host}: its rules do not allow it (SOCKS5 reply 2)`,
        );
        assert.equal(proxy.tunnels.length, 1, 'not retried');
      },
      viaSocks(proxy, undefined, { maxRetries: 3 }),
    );
  });

  it('names the proxy at once when it closes the connection mid-handshake', async () => {
    const port = await fakeProxy((socket) => socket.once('data', () => socket.destroy()));
    await withHarness(
      async (h) => {
        const started = performance.now();
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_CLOSED');
        assert.equal(
          done.error?.message,
          `the proxy 127.0.0.1:${port} closed the connection before the tunnel to 127.0.0.2:9 was open (gave up after 1 attempt)`,
        );
        assert.ok(performance.now() - started < 2000, 'without waiting for the read timeout');
      },
      { proxyMode: 'custom', proxyUrl: `socks5://127.0.0.1:${port}`, maxRetries: 0 },
    );
  });

  it('says the proxy did not answer when it takes the connection and stays silent', async () => {
    const port = await fakeProxy((socket) => socket.resume());
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_UNREACHABLE');
        assert.equal(
          done.error?.message,
          `the proxy 127.0.0.1:${port} did not answer the SOCKS5 greeting in 1 s (gave up after 1 attempt)`,
        );
      },
      {
        proxyMode: 'custom',
        proxyUrl: `socks5://127.0.0.1:${port}`,
        maxRetries: 0,
        readTimeoutMs: 1000,
      },
    );
  });

  it('says an HTTP proxy given as socks5:// answered in HTTP', async () => {
    const port = await fakeProxy((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')),
    );
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_PROTOCOL');
        assert.equal(
          done.error?.message,
          `the proxy 127.0.0.1:${port} answered in HTTP, not SOCKS5: give it as http://127.0.0.1:${port}`,
        );
      },
      { proxyMode: 'custom', proxyUrl: `socks5://127.0.0.1:${port}`, maxRetries: 3 },
    );
  });
});

describe('a SOCKS5 proxy that answers what Braid cannot use', () => {
  it('says the proxy wants a user name and password when it picks that way unoffered', async () => {
    const proxy = await scripted([0x05, 0x02], [0x01, 0x01]);
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_AUTH');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy} wants a user name and password: give them in its address, as socks5://user:password@${proxy}`,
        );
      },
      { proxyMode: 'custom', proxyUrl: `socks5://${proxy}`, maxRetries: 3 },
    );
  });

  it('says the proxy takes no way of signing in that Braid speaks, never showing the password', async () => {
    const proxy = await scripted([0x05, 0xff]);
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_AUTH');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy} accepts neither a user name and password nor no login (it wants a way of signing in that Braid does not speak, such as GSSAPI)`,
        );
        assert.doesNotMatch(JSON.stringify([done, h.log]), /s3cret/);
      },
      { proxyMode: 'custom', proxyUrl: `socks5://alice:s3cret@${proxy}`, maxRetries: 3 },
    );
  });

  it('says the proxy could not reach the server when it never answers the CONNECT', async () => {
    const open = await scripted([0x05, 0x00]);
    const login = await scripted([0x05, 0x02], [0x01, 0x00]);
    for (const proxyUrl of [`socks5://${open}`, `socks5://alice:s3cret@${login}`]) {
      await withHarness(
        async (h) => {
          const done = await download(h, 'http://127.0.0.2:9/x.bin');
          assert.equal(done.error?.code, 'PROXY_TARGET_UNREACHABLE');
          assert.equal(
            done.error?.message,
            `the proxy ${new URL(proxyUrl).host} could not reach 127.0.0.2:9: no answer in 1 s (gave up after 1 attempt)`,
          );
        },
        { proxyMode: 'custom', proxyUrl, maxRetries: 0, readTimeoutMs: 1000 },
      );
    }
  });

  it('says the proxy did not answer when it asks for a login and never answers it', async () => {
    const proxy = await scripted([0x05, 0x02]);
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_UNREACHABLE');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy} did not answer the SOCKS5 greeting in 1 s (gave up after 1 attempt)`,
        );
      },
      {
        proxyMode: 'custom',
        proxyUrl: `socks5://alice:s3cret@${proxy}`,
        maxRetries: 0,
        readTimeoutMs: 1000,
      },
    );
  });

  it('says a proxy that answers in another version is not a SOCKS5 proxy', async () => {
    const proxy = await scripted([0x04, 0x00]);
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_PROTOCOL');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy} did not answer as a SOCKS5 proxy (Braid speaks SOCKS5, not SOCKS4)`,
        );
      },
      { proxyMode: 'custom', proxyUrl: `socks5://${proxy}`, maxRetries: 3 },
    );
  });

  it('says the proxy failed with a reply the RFC does not define, and retries', async () => {
    const proxy = await socks({ reply: 0x09 });
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_REFUSED');
        assert.equal(
          done.error?.message,
          `the proxy ${proxy.host} failed to connect to 127.0.0.2:9 (a SOCKS5 reply RFC 1928 does not define) (gave up after 2 attempts)`,
        );
        assert.equal(proxy.tunnels.length, 2);
      },
      viaSocks(proxy, undefined, { maxRetries: 1 }),
    );
  });

  it('turns down a user name longer than SOCKS5 carries, before sending it', async () => {
    const proxy = await socks({ credentials: 'alice:s3cret' });
    await withHarness(
      async (h) => {
        const done = await download(h, 'http://127.0.0.2:9/x.bin');
        assert.equal(done.error?.code, 'PROXY_AUTH');
        assert.equal(
          done.error?.message,
          `the user name and password for the proxy ${proxy.host} must be at most 255 bytes each`,
        );
        assert.equal(proxy.refusedLogins, 0, 'nothing sent');
      },
      viaSocks(proxy, `${'a'.repeat(256)}:s3cret`, { maxRetries: 3 }),
    );
  });
});

describe('a SOCKS5 proxy the OS names', () => {
  it('downloads through it, and probes the way the download goes', async () => {
    const proxy = await socks();
    // What Chromium's resolveProxy answers for a SOCKS5 proxy in the OS settings.
    const systemProxy = cachedProxyResolver(async () => `SOCKS5 ${proxy.host}; DIRECT`);
    await withHarness(
      async (h) => {
        const body = makeContent(1 * MiB);
        h.server.addFile('/os.bin', { body });
        const probe = await h.engine.probe(farUrl(h.server, '/os.bin'), {});
        assert.equal(probe.size, body.length);
        const done = await download(h, farUrl(h.server, '/os.bin'), 3);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(h.dir, 'os.bin')), sha256(body));
        assert.equal(proxy.tunnels.length, h.server.stats.connectionsOpened);
      },
      { proxyMode: 'system' },
      { systemProxy },
    );
  });
});
