import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTransport } from '../../electron/engine/http-transport.ts';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { makeContent, sha256, sha256File, MiB } from '../support/fixtures.ts';
import { FaultServer } from '../support/fault-server.ts';
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

describe("the OS's proxy per URL in system mode", () => {
  it('sends a host the OS proxies through its proxy and a bypassed host directly, both downloads whole', async () => {
    const proxy = await HttpProxy.start();
    const internet = await FaultServer.start();
    const asked: string[] = [];
    // As the OS would answer with `intranet` on its bypass list.
    const systemProxy = async (url: URL) => {
      asked.push(url.origin);
      return url.origin === internet.origin ? proxy.url : null;
    };
    try {
      await withHarness(
        async ({ engine, server: intranet, dir }) => {
          const outside = makeContent(1 * MiB);
          const inside = makeContent(1 * MiB + 7);
          internet.addFile('/outside.bin', { body: outside });
          intranet.addFile('/inside.bin', { body: inside });
          const tasks = await engine.add([
            { url: internet.url('/outside.bin'), connections: 3 },
            { url: intranet.url('/inside.bin'), connections: 3 },
          ]);
          for (const task of tasks) {
            const done = await waitForEnd(engine, task.id);
            assert.equal(done.state, 'completed', JSON.stringify(done.error));
          }
          assert.equal(await sha256File(join(dir, 'outside.bin')), sha256(outside));
          assert.equal(await sha256File(join(dir, 'inside.bin')), sha256(inside));
          assert.ok(internet.stats.requests.length > 1, 'several requests to the proxied host');
          assert.ok(intranet.stats.requests.length > 1, 'several requests to the bypassed host');
          assert.equal(
            proxy.requests + proxy.tunnels,
            internet.stats.requests.length,
            'every request to the proxied host, and none other, went through the proxy',
          );
          assert.deepEqual(new Set(asked), new Set([internet.origin, intranet.origin]));
        },
        { proxyMode: 'system' },
        { systemProxy },
      );
    } finally {
      await internet.close();
      await proxy.close();
    }
  });

  it('probes a link the way its download would go', async () => {
    const proxy = await HttpProxy.start();
    try {
      await withHarness(
        async ({ engine, server }) => {
          server.addFile('/probed.bin', { body: makeContent(5000) });
          const probe = await engine.probe(server.url('/probed.bin'), {});
          assert.equal(probe.size, 5000);
          assert.equal(proxy.requests, 1);
        },
        { proxyMode: 'system' },
        { systemProxy: async () => proxy.url },
      );
    } finally {
      await proxy.close();
    }
  });

  it('fails clearly, asking no server, when the OS names no proxy the engine can use', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        server.addFile('/x.bin', { body: makeContent(1000) });
        const [task] = await engine.add([{ url: server.url('/x.bin') }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'failed');
        assert.equal(
          done.error?.message,
          `no usable system proxy for ${new URL(server.origin).host}: only SOCKS5 10.0.0.9:1080`,
        );
        assert.equal(server.stats.requests.length, 0, 'nothing reached the server');
        assert.ok(!(await import('node:fs')).existsSync(join(dir, 'x.bin')));
      },
      { proxyMode: 'system' },
      { systemProxy: () => Promise.reject(new Error('only SOCKS5 10.0.0.9:1080')) },
    );
  });

  it('lets HTTP_PROXY from the environment win over the OS, and none mode ask neither', async () => {
    const proxy = await HttpProxy.start();
    let asked = 0;
    const systemProxy = async () => {
      asked++;
      return null;
    };
    const base = { readTimeoutMs: 3000, proxyUrl: '' };
    const attempt = async (mode: 'system' | 'none', env: NodeJS.ProcessEnv) => {
      const transport = createTransport({ ...base, proxyMode: mode }, { env, systemProxy });
      try {
        const res = await transport.get(
          new URL('http://127.0.0.2:9/x'),
          {},
          AbortSignal.timeout(3000),
        );
        await res.body.dump(1024);
      } catch {
        // Nothing listens at port 9: only which way the request went matters.
      } finally {
        transport.close();
      }
    };
    try {
      await attempt('system', { HTTP_PROXY: proxy.url });
      assert.deepEqual([proxy.requests, asked], [1, 0], 'the environment proxy, OS not asked');
      await attempt('system', {});
      assert.deepEqual([proxy.requests, asked], [1, 1], 'without it, the OS decides (direct)');
      await attempt('none', {});
      assert.deepEqual([proxy.requests, asked], [1, 1], 'none means direct, OS not asked');
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
