import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startServe, type RunningServe } from '../../electron/serve/serve-command.ts';
import { nextFrame, openSocket } from '../support/api-socket.ts';
import { waitForEnd } from '../support/engine-harness.ts';
import { FaultServer } from '../support/fault-server.ts';
import { startNginx } from '../support/nginx.ts';
import { makeContent, sha256, tempDir } from '../support/fixtures.ts';

const TOKEN = 'test-token-0123456789abcdef';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    // A server that never answers fails the spec instead of hanging it.
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${path} in 10 s`)));
    req.end();
  });
}

/** Like `get`, keeping the body as bytes. */
function getBytes(port: number, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Reply['headers']; body: Buffer }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

async function withServe(
  fn: (s: RunningServe, port: number) => Promise<void>,
  { allowedHosts = [] as string[] } = {},
): Promise<void> {
  const dirs = await tempDir();
  const staticDir = `${dirs.path}/ui/`;
  await mkdir(`${staticDir}assets`, { recursive: true });
  await writeFile(`${staticDir}index.html`, '<!doctype html><title>Braid</title>');
  await writeFile(`${staticDir}assets/app.js`, 'console.log(1)');
  await writeFile(`${dirs.path}/secret.txt`, 'outside the web root');
  const running = await startServe({
    home: `${dirs.path}/home`,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    defaultDownloadDir: `${dirs.path}/dl`,
    allowedHosts,
    version: 'test',
    staticDir,
  });
  // A spec may stop it itself (to see what its clients are told): closed once either way.
  let closing: Promise<void> | null = null;
  const stop = () => (closing ??= running.close());
  try {
    await fn({ ...running, close: stop }, running.server.port);
  } finally {
    await stop();
    await dirs.cleanup();
  }
}

describe('braid serve web server', () => {
  it('prints a URL with the token on loopback', async () => {
    await withServe(async (s, port) => {
      assert.equal(s.url, `http://127.0.0.1:${port}/?token=${TOKEN}`);
    });
  });

  it('refuses requests without the token, and trades the URL token for an HttpOnly cookie', async () => {
    await withServe(async (_s, port) => {
      const bare = await get(port, '/');
      assert.equal(bare.status, 401);
      assert.match(bare.body, /Open the URL that `braid serve` printed/);
      assert.equal((await get(port, '/?token=wrong-token-0123456789')).status, 401);

      const login = await get(port, `/?token=${TOKEN}`);
      assert.equal(login.status, 303);
      assert.equal(login.headers.location, '/');
      const cookie = String(login.headers['set-cookie']);
      assert.match(
        cookie,
        new RegExp(`^braid_token_${port}=.+; HttpOnly; SameSite=Strict; Path=/`),
      );

      const page = await get(port, '/', { cookie: cookie.split(';')[0] as string });
      assert.equal(page.status, 200);
      // The printed address works in a browser holding the cookie of an earlier run's token.
      const again = await get(port, `/?token=${TOKEN}`, {
        cookie: `braid_token_${port}=an-old-run-token`,
      });
      assert.equal(again.status, 303);
      assert.match(String(again.headers['set-cookie']), new RegExp(`braid_token_${port}=${TOKEN}`));
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'[;]/);
      assert.doesNotMatch(String(page.headers['content-security-policy']), /unsafe-eval/);
      assert.equal(
        (await get(port, '/assets/app.js', { authorization: `Bearer ${TOKEN}` })).status,
        200,
      );
    });
  });

  it('hands a finished download to the browser as an attachment, by task id only, with the token', async () => {
    const files = await FaultServer.start();
    try {
      const body = makeContent(300 * 1024, 'take home');
      files.addFile('/take-home.bin', {
        body,
        contentDisposition: "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29%27s.bin",
      });
      files.addFile('/slow.bin', { body, faults: { connectionRate: 16 * 1024 } });
      await withServe(async (s, port) => {
        const { engine } = s.hub;
        const [done, running] = await engine.add([
          { url: files.url('/take-home.bin') },
          { url: files.url('/slow.bin') },
        ]);
        assert.equal((await waitForEnd(engine, done!.id)).state, 'completed');
        const auth = { authorization: `Bearer ${TOKEN}` };

        const sent = await getBytes(port, `/files/${done!.id}`, auth);
        assert.equal(sent.status, 200);
        assert.equal(sha256(sent.body), sha256(body));
        assert.equal(sent.headers['content-length'], String(body.length));
        assert.equal(
          sent.headers['content-disposition'],
          // RFC 5987 has no ' ( ) in a value: they are escaped, which encodeURIComponent alone skips.
          `attachment; filename="r_sum_ (1)'s.bin"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29%27s.bin`,
        );
        assert.equal((await get(port, `/files/${done!.id}`)).status, 401, 'not without the token');
        assert.equal(
          (await get(port, `/files/${running!.id}`, auth)).status,
          404,
          'not unfinished',
        );
        assert.equal((await get(port, '/files/..%2F..%2Fsecret.txt', auth)).status, 404);
        assert.equal((await get(port, '/files/%E0%A4%A', auth)).status, 404, 'a malformed escape');
        const task = engine.get(done!.id)!;
        await rm(join(task.dir, task.fileName!));
        assert.equal((await get(port, `/files/${done!.id}`, auth)).status, 410, 'gone since');
        // Something else put under its name: refused at once (a plain open of a FIFO would wait).
        execFileSync('mkfifo', [join(task.dir, task.fileName!)]);
        assert.equal((await get(port, `/files/${done!.id}`, auth)).status, 410, 'not a file');
      });
    } finally {
      await files.close();
    }
  });

  it('refuses an unexpected Host (DNS rebinding) and a foreign Origin even with the token', async () => {
    await withServe(async (_s, port) => {
      const auth = { authorization: `Bearer ${TOKEN}` };
      assert.equal((await get(port, '/', { ...auth, host: `evil.example:${port}` })).status, 421);
      assert.equal((await get(port, '/', { ...auth, host: `localhost:${port}` })).status, 200);
      assert.equal((await get(port, '/', { ...auth, origin: 'http://evil.example' })).status, 403);
      assert.equal(
        (await get(port, '/', { ...auth, origin: `http://127.0.0.1:${port}` })).status,
        200,
      );
    });
  });

  it('never serves a file outside the web root, and only GET and HEAD', async () => {
    await withServe(async (_s, port) => {
      const auth = { authorization: `Bearer ${TOKEN}` };
      for (const path of [
        '/../secret.txt',
        '/%2e%2e/secret.txt',
        '/..%2fsecret.txt',
        '/assets/..%2f..%2fsecret.txt',
        '/..%5csecret.txt',
        '/index.html%00.js',
      ]) {
        const reply = await get(port, path, auth);
        assert.equal(reply.status, 404, path);
        assert.doesNotMatch(reply.body, /outside the web root/);
      }
      assert.equal((await get(port, '/', auth, 'POST')).status, 405);
    });
  });

  it('carries the API over a WebSocket only with the token and our own Origin', async () => {
    await withServe(async (_s, port) => {
      await assert.rejects(openSocket(port, {}), /HTTP 401/);
      await assert.rejects(
        openSocket(port, { cookie: `braid_token_${port}=${TOKEN}`, origin: 'http://evil.example' }),
        /HTTP 403/,
      );
      await assert.rejects(
        openSocket(port, {
          cookie: `braid_token_${port}=${TOKEN}`,
          host: `rebind.example:${port}`,
        }),
        /HTTP 421/,
      );
      const ws = await openSocket(port, {
        cookie: `braid_token_${port}=${TOKEN}`,
        origin: `http://127.0.0.1:${port}`,
      });
      ws.send(JSON.stringify({ kind: 'call', id: 1, command: 'app.state', input: {} }));
      const state = await nextFrame(ws, (f) => f.kind === 'result');
      assert.ok(state.kind === 'result' && state.result.ok);
      const { info } = state.result.value as { info: { shell: string; canOpenFiles: boolean } };
      assert.deepEqual([info.shell, info.canOpenFiles], ['browser', false]);

      const added = nextFrame(
        ws,
        (f) => f.kind === 'events' && f.events.some((e) => e.type === 'task-added'),
      );
      ws.send(
        JSON.stringify({
          kind: 'call',
          id: 2,
          command: 'tasks.add',
          input: { tasks: [{ url: 'http://127.0.0.1:9/x.bin', paused: true }] },
        }),
      );
      const reply = await nextFrame(ws, (f) => f.kind === 'result' && f.id === 2);
      assert.equal(reply.kind === 'result' && reply.result.ok, true);
      await added;

      ws.send(
        JSON.stringify({ kind: 'call', id: 3, command: 'files.open', input: { id: 'abcdefgh' } }),
      );
      const refused = await nextFrame(ws, (f) => f.kind === 'result' && f.id === 3);
      assert.equal(
        refused.kind === 'result' && !refused.result.ok && refused.result.error.code,
        'NOT_FOUND',
      );

      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send('{"kind":"call","id":"x"}');
      assert.equal(await closed, 1007);
    });
  });

  it('refuses an action for when downloads finish that it cannot carry out, saying what it can do', async () => {
    await withServe(async (s, port) => {
      const ws = await openSocket(port, {
        cookie: `braid_token_${port}=${TOKEN}`,
        origin: `http://127.0.0.1:${port}`,
      });
      ws.send(
        JSON.stringify({
          kind: 'call',
          id: 1,
          command: 'settings.update',
          input: { whenDone: 'sleep', theme: 'dark' },
        }),
      );
      const reply = await nextFrame(ws, (f) => f.kind === 'result' && f.id === 1);
      assert.ok(reply.kind === 'result' && !reply.result.ok, JSON.stringify(reply));
      assert.equal(reply.result.error.code, 'INVALID_INPUT');
      assert.equal(
        reply.result.error.message,
        'whenDone: this Braid cannot do "sleep" when downloads finish; it can do "nothing" or "quit"',
      );
      assert.deepEqual(
        [s.hub.engine.settings.whenDone, s.hub.engine.settings.theme],
        ['nothing', 'system'],
      );
      ws.close();
    });
  });

  it('stays up and refuses a token cookie it cannot decode, and finds the real one behind a bogus one', async () => {
    await withServe(async (_s, port) => {
      const origin = `http://127.0.0.1:${port}`;
      const bogus = `braid_token_${port}=%zz`;
      await assert.rejects(openSocket(port, { cookie: bogus, origin }), /HTTP 401/);
      assert.equal((await get(port, '/', { cookie: bogus })).status, 401);
      // Another local page can set one for a narrower path, which the browser sends first.
      const both = `${bogus}; braid_token_${port}=wrong; braid_token_${port}=${TOKEN}`;
      assert.equal((await get(port, '/', { cookie: both })).status, 200);
      const ws = await openSocket(port, { cookie: both, origin });
      ws.close();
    });
  });

  it('works through a tunnel that listens on another port (ssh -L)', async () => {
    await withServe(async (_s, port) => {
      const tunnel = createServer((client) => {
        const upstream = connect(port, '127.0.0.1');
        client.pipe(upstream).pipe(client);
        const end = () => (client.destroy(), upstream.destroy());
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      await new Promise<void>((resolve) => tunnel.listen(0, '127.0.0.1', resolve));
      const local = (tunnel.address() as AddressInfo).port;
      try {
        const login = await get(local, `/?token=${TOKEN}`);
        assert.equal(login.status, 303);
        const cookie = String(login.headers['set-cookie']).split(';')[0]!;
        assert.equal((await get(local, '/', { cookie })).status, 200);
        const ws = await openSocket(local, { cookie, origin: `http://127.0.0.1:${local}` });
        ws.send(JSON.stringify({ kind: 'call', id: 1, command: 'app.state', input: {} }));
        const state = await nextFrame(ws, (f) => f.kind === 'result');
        assert.ok(state.kind === 'result' && state.result.ok);
        ws.terminate();
      } finally {
        tunnel.close();
      }
    });
  });

  it('works behind nginx as a reverse proxy with a public name given by --allow-host', async () => {
    await withServe(
      async (_s, port) => {
        const dirs = await tempDir();
        const nginx = await startNginx(
          dirs.path,
          dirs.path,
          '1m',
          `location / {
             proxy_pass http://127.0.0.1:${port};
             proxy_http_version 1.1;
             proxy_set_header Upgrade $http_upgrade;
             proxy_set_header Connection "upgrade";
           }`,
        );
        try {
          const proxied = Number(new URL(nginx.origin).port);
          // The browser's view: the page is https://braid.test; nginx sends its own Host.
          const public_ = { host: 'braid.test', origin: 'https://braid.test' };
          const login = await get(proxied, `/?token=${TOKEN}`, { host: public_.host });
          assert.equal(login.status, 303);
          const cookie = String(login.headers['set-cookie']).split(';')[0]!;
          assert.equal((await get(proxied, '/', { ...public_, cookie })).status, 200);
          const ws = await openSocket(proxied, { ...public_, cookie });
          ws.send(JSON.stringify({ kind: 'call', id: 1, command: 'app.state', input: {} }));
          const state = await nextFrame(ws, (f) => f.kind === 'result');
          assert.ok(state.kind === 'result' && state.result.ok);
          ws.terminate();
          await assert.rejects(
            openSocket(proxied, { host: public_.host, origin: 'https://evil.example', cookie }),
            /HTTP 403/,
          );
        } finally {
          await nginx.stop();
          await dirs.cleanup();
        }
      },
      { allowedHosts: ['braid.test'] },
    );
  });

  it('tells a connected tab it is going away (1001) when it stops', async () => {
    await withServe(async (s, port) => {
      const ws = await openSocket(port, { authorization: `Bearer ${TOKEN}` });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await s.close();
      assert.equal(await closed, 1001);
    });
  });

  it('refuses to start when the web UI has not been built', async () => {
    const dirs = await tempDir();
    try {
      await assert.rejects(
        startServe({
          home: `${dirs.path}/home`,
          host: '127.0.0.1',
          port: 0,
          defaultDownloadDir: dirs.path,
          allowedHosts: [],
          version: 'test',
          staticDir: `${dirs.path}/nothing/`,
        }),
        /npm run build:renderer/,
      );
    } finally {
      await dirs.cleanup();
    }
  });
});
