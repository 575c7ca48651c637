import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nextFrame, openSocket } from '../support/api-socket.ts';
import { FaultServer } from '../support/fault-server.ts';
import { listDir, makeContent, MiB, tempDir } from '../support/fixtures.ts';
import { mountSmallDisk } from '../support/small-disk.ts';
import { startServeProcess } from '../support/serve-process.ts';

describe('braid serve (the CLI process)', () => {
  it('warns loudly when listening beyond loopback, and stops cleanly on SIGTERM', async () => {
    const dirs = await tempDir();
    try {
      const serve = await startServeProcess(['--host', '0.0.0.0'], {
        BRAID_HOME: `${dirs.path}/home`,
      });
      assert.match(
        serve.output(),
        /WARNING: listening on 0\.0\.0\.0, not on loopback, without TLS/,
      );
      assert.equal(await serve.stop(), 0);
    } finally {
      await dirs.cleanup();
    }
  });

  it('prints an address that answers, wherever it listens', async () => {
    const dirs = await tempDir();
    try {
      for (const host of ['127.0.0.2', '::1', '0.0.0.0']) {
        const serve = await startServeProcess(['--host', host], {
          BRAID_HOME: `${dirs.path}/home`,
        });
        try {
          const res = await fetch(serve.url, { redirect: 'manual' });
          assert.ok(res.status < 400, `${serve.url} (--host ${host}) answered ${res.status}`);
        } finally {
          assert.equal(await serve.stop(), 0);
        }
      }
    } finally {
      await dirs.cleanup();
    }
  });

  it('answers under the host name it was told to listen on, as the address it prints says', async (t) => {
    const name = hostname().toLowerCase();
    const resolved = await lookup(name).catch(() => null);
    if (!resolved || !['127.0.0.1', '::1'].includes(resolved.address)) {
      t.skip(`SKIPPED: this machine's name (${name}) does not resolve to loopback`);
      return;
    }
    const dirs = await tempDir();
    try {
      const serve = await startServeProcess(['--host', name], {
        BRAID_HOME: `${dirs.path}/home`,
      });
      try {
        assert.equal(new URL(serve.url).hostname, name);
        const res = await fetch(serve.url, { redirect: 'manual' });
        assert.ok(res.status < 400, `${serve.url} answered ${res.status}`);
      } finally {
        assert.equal(await serve.stop(), 0);
      }
    } finally {
      await dirs.cleanup();
    }
  });

  it('refuses a second engine on the same downloads with a clear message', async () => {
    const dirs = await tempDir();
    const env = { BRAID_HOME: `${dirs.path}/home` };
    const first = await startServeProcess([], env);
    try {
      await assert.rejects(
        startServeProcess([], env),
        /exited with 1[\s\S]*another Braid process \(pid \d+\) is using/,
      );
    } finally {
      assert.equal(await first.stop(), 0);
      await dirs.cleanup();
    }
  });

  it('says which port is taken and how to choose another', async () => {
    const dirs = await tempDir();
    const first = await startServeProcess([], { BRAID_HOME: `${dirs.path}/one` });
    try {
      const port = new URL(first.url).port;
      await assert.rejects(
        startServeProcess(['--port', port], { BRAID_HOME: `${dirs.path}/two` }),
        new RegExp(
          `exited with 1[\\s\\S]*port ${port} on 127\\.0\\.0\\.1 is in use: choose another with --port`,
        ),
      );
    } finally {
      assert.equal(await first.stop(), 0);
      await dirs.cleanup();
    }
  });

  it('stops on SIGTERM with one clear line and exit 1 when it cannot save its state, lock released', async (t) => {
    const disk = await mountSmallDisk(t, '256k');
    if (!disk) return;
    const server = await FaultServer.start();
    const downloads = await tempDir();
    const home = join(disk.dir, 'home');
    const token = 'serve-token-0123456789';
    const serve = await startServeProcess(['--token', token, '--dir', downloads.path], {
      BRAID_HOME: home,
    });
    try {
      const body = makeContent(4 * MiB);
      server.addFile('/slow.bin', { body, faults: { connectionRate: 256 * 1024 } });
      const port = Number(new URL(serve.url).port);
      const ws = await openSocket(port, {
        cookie: `braid_token_${port}=${token}`,
        origin: `http://127.0.0.1:${port}`,
      });
      // A record larger than a page: its next save cannot slip into the log's last one.
      const task = { url: server.url('/slow.bin'), headers: { 'X-Padding': 'x'.repeat(8000) } };
      ws.send(
        JSON.stringify({ kind: 'call', id: 1, command: 'tasks.add', input: { tasks: [task] } }),
      );
      const reply = await nextFrame(ws, (f) => f.kind === 'result' && f.id === 1);
      assert.ok(reply.kind === 'result' && reply.result.ok, JSON.stringify(reply));
      await nextFrame(
        ws,
        (f) => f.kind === 'events' && f.events.some((e) => e.type === 'progress'),
      );
      ws.close();
      await writeFile(join(disk.dir, 'filler'), Buffer.alloc(4 * MiB)).catch(() => undefined);

      assert.equal(await serve.stop(), 1, serve.output());
      assert.match(serve.output(), /\nbraid: cannot save Braid's state in .*: the disk is full\n$/);
      assert.doesNotMatch(serve.output(), /\n\s+at /, 'no stack trace');
      assert.ok(!(await listDir(home)).includes('engine.lock'), 'the lock is released');
    } finally {
      await serve.stop();
      await server.close();
      await downloads.cleanup();
      await disk.cleanup();
    }
  });

  it('with --dir, keeps the folder chosen in the UI, and takes --dir as the default folder', async () => {
    const dirs = await tempDir();
    const given = join(dirs.path, 'given');
    const chosen = join(dirs.path, 'chosen');
    const token = 'serve-token-0123456789';
    const serve = await startServeProcess(['--token', token, '--dir', given], {
      BRAID_HOME: join(dirs.path, 'home'),
    });
    try {
      const port = Number(new URL(serve.url).port);
      const ws = await openSocket(port, {
        cookie: `braid_token_${port}=${token}`,
        origin: `http://127.0.0.1:${port}`,
      });
      let id = 0;
      const call = async (command: string, input: object) => {
        const sent = ++id;
        ws.send(JSON.stringify({ kind: 'call', id: sent, command, input }));
        const reply = await nextFrame(ws, (f) => f.kind === 'result' && f.id === sent);
        assert.ok(reply.kind === 'result' && reply.result.ok, JSON.stringify(reply));
        return reply.result.value as Record<string, unknown>;
      };
      const newTaskDir = async () => {
        const added = await call('tasks.add', {
          tasks: [{ url: 'http://127.0.0.1:9/a.bin', paused: true }],
        });
        return (added as unknown as { dir: string }[])[0]!.dir;
      };
      await call('settings.update', { downloadDir: chosen });
      assert.equal((await call('settings.update', { theme: 'dark' })).downloadDir, chosen);
      assert.equal(await newTaskDir(), chosen);
      await call('settings.update', { downloadDir: '' });
      const state = await call('app.state', {});
      assert.equal((state.info as { defaultDownloadDir: string }).defaultDownloadDir, given);
      assert.equal(await newTaskDir(), given);
      ws.close();
    } finally {
      assert.equal(await serve.stop(), 0, serve.output());
      await dirs.cleanup();
    }
  });

  it('warns when its saved settings were damaged and kept aside, starting from the defaults', async () => {
    const dirs = await tempDir();
    const home = join(dirs.path, 'home');
    try {
      const first = await startServeProcess([], { BRAID_HOME: home });
      assert.equal(await first.stop(), 0);
      await writeFile(join(home, 'settings.json'), '{"connections": 4,');
      const serve = await startServeProcess([], { BRAID_HOME: home });
      try {
        assert.match(
          serve.output(),
          /braid: warning: settings\.json is not a JSON object \(kept as settings\.json\.bad\); using the defaults/,
        );
      } finally {
        assert.equal(await serve.stop(), 0);
      }
    } finally {
      await dirs.cleanup();
    }
  });

  it('rejects a bad port or a short token before starting anything', async () => {
    const dirs = await tempDir();
    try {
      await assert.rejects(
        startServeProcess(['--port', 'http'], { BRAID_HOME: dirs.path }),
        /exited with 2[\s\S]*--port/,
      );
      await assert.rejects(
        startServeProcess(['--token', 'short'], { BRAID_HOME: dirs.path }),
        /exited with 2[\s\S]*--token/,
      );
    } finally {
      await dirs.cleanup();
    }
  });
});
