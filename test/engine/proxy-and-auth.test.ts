import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTransport } from '../../electron/engine/http-transport.ts';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { makeContent, sha256, sha256File, MiB } from '../support/fixtures.ts';
import { HttpProxy } from '../support/http-proxy.ts';

describe('proxies', () => {
  it('downloads through a custom proxy with Basic proxy auth, every request via the proxy', async () => {
    const proxy = await HttpProxy.start('alice:s3cret');
    try {
      await withHarness(
        async ({ engine, server, dir }) => {
          const content = makeContent(2 * MiB);
          server.addFile('/via-proxy.bin', { body: content });
          const [task] = await engine.add([{ url: server.url('/via-proxy.bin'), connections: 4 }]);
          const done = await waitForEnd(engine, task!.id);
          assert.equal(done.state, 'completed', JSON.stringify(done.error));
          assert.equal(await sha256File(join(dir, 'via-proxy.bin')), sha256(content));
          assert.equal(proxy.refused, 0);
          assert.equal(proxy.requests + proxy.tunnels, server.stats.requests.length);
          assert.ok(proxy.requests > 1, 'several connections went through the proxy');
        },
        { proxyMode: 'custom', proxyUrl: `${proxy.url.replace('//', '//alice:s3cret@')}` },
      );
    } finally {
      await proxy.close();
    }
  });

  it('fails clearly when the proxy refuses the credentials', async () => {
    const proxy = await HttpProxy.start('alice:s3cret');
    try {
      await withHarness(
        async ({ engine, server, dir }) => {
          server.addFile('/x.bin', { body: makeContent(1000) });
          const [task] = await engine.add([{ url: server.url('/x.bin') }]);
          const done = await waitForEnd(engine, task!.id);
          assert.equal(done.state, 'failed');
          assert.match(done.error?.message ?? '', /407/);
          assert.equal(server.stats.requests.length, 0, 'nothing reached the server');
          assert.ok(!(await import('node:fs')).existsSync(join(dir, 'x.bin')));
        },
        { proxyMode: 'custom', proxyUrl: proxy.url.replace('//', '//alice:wrong@'), maxRetries: 0 },
      );
    } finally {
      await proxy.close();
    }
  });

  it('says the proxy, not the server, could not be reached, and does not hold it against the server', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await withHarness(
      async ({ engine, server }) => {
        server.addFile('/x.bin', { body: makeContent(1000) });
        const [task] = await engine.add([{ url: server.url('/x.bin') }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'failed');
        const message = done.error?.message ?? '';
        assert.match(
          message,
          new RegExp(`^the proxy 127\\.0\\.0\\.1:${port} refused the connection`),
        );
        assert.doesNotMatch(message, /has answered nothing/);
      },
      { proxyMode: 'custom', proxyUrl: `http://127.0.0.1:${port}`, maxRetries: 1 },
    );
  });

  it('uses the environment proxy in system mode, but never for loopback, and none in none mode', async () => {
    const proxy = await HttpProxy.start();
    const env = { HTTP_PROXY: proxy.url };
    const base = { readTimeoutMs: 3000, proxyUrl: '' };
    const attempt = async (mode: 'system' | 'none', host: string) => {
      const transport = createTransport({ ...base, proxyMode: mode }, { env });
      try {
        const res = await transport.get(
          new URL(`http://${host}:9/x`),
          {},
          AbortSignal.timeout(3000),
        );
        await res.body.dump(1024);
      } catch {
        // Nothing listens at port 9: only whether the proxy saw the request matters.
      } finally {
        transport.close();
      }
    };
    try {
      await attempt('system', '127.0.0.1');
      assert.equal(proxy.requests, 0, 'loopback bypasses the proxy');
      await attempt('system', '127.0.0.2');
      assert.equal(proxy.requests, 1, 'other hosts go through HTTP_PROXY');
      await attempt('none', '127.0.0.2');
      assert.equal(proxy.requests, 1, 'none means direct');
    } finally {
      await proxy.close();
    }
  });
});

describe('Basic auth from the link', () => {
  it('sends user:password from the URL as Authorization to that origin, and completes', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const content = makeContent(300 * 1024);
      server.addHandler('/private.bin', (req, res) => {
        if (req.headers.authorization !== `Basic ${Buffer.from('bob:pa ss').toString('base64')}`) {
          res.writeHead(401, { 'www-authenticate': 'Basic' }).end('who are you?');
          return;
        }
        res.writeHead(200, { 'content-length': content.length }).end(content);
      });
      const url = new URL(server.url('/private.bin'));
      url.username = 'bob';
      url.password = 'pa ss';
      const [task] = await engine.add([{ url: url.href }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'private.bin')), sha256(content));
    });
  });
});
