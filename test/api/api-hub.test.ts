import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AppInfoSchema, AppStateSchema } from '../../shared/api/commands.ts';
import { ApiError } from '../../shared/api/errors.ts';
import { waitForTask } from '../support/engine-harness.ts';
import { makeContent, sha256, sha256File, MiB } from '../support/fixtures.ts';
import { withHub } from '../support/hub-harness.ts';

const isState =
  (id: string, state: string) => (e: { type: string; task?: { id: string; state: string } }) =>
    (e.type === 'task-changed' || e.type === 'task-added') &&
    e.task?.id === id &&
    e.task.state === state;

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('ApiHub', () => {
  it('downloads through tasks.add and reports it to the client in batched events', async () => {
    await withHub(async ({ server, client, dir }) => {
      const content = makeContent(2 * MiB);
      server.addFile('/a.bin', { body: content, faults: { connectionRate: 4 * MiB } });
      const c = client();
      // One connection: ~0.5 s of transfer, so progress has time to be reported.
      const [task] = await c.call('tasks.add', {
        tasks: [{ url: server.url('/a.bin'), connections: 1 }],
      });
      assert.ok(task);
      await c.waitFor(isState(task.id, 'completed'));
      assert.ok(c.batches.flat().some((e) => e.type === 'progress'));
      assert.equal(
        await sha256File(join(dir, 'a.bin')),
        (await import('../support/fixtures.ts')).sha256(content),
      );
      const state = await c.call('app.state', {});
      assert.equal(state.tasks[0]?.state, 'completed');
      assert.equal(state.info.shell, 'electron');
    });
  });

  it('tells a client the time zone schedules run in: the engine host’s, as the contract says', async () => {
    await withHub(async ({ client }) => {
      const { info } = await client().call('app.state', {});
      assert.equal(info.timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone);
      assert.ok(AppInfoSchema.safeParse(info).success, JSON.stringify(info));
    });
  });

  it('gives a window that opens after a download the speed samples recorded before it opened', async () => {
    await withHub(async ({ server, client }) => {
      server.addFile('/b.bin', { body: makeContent(2 * MiB), faults: { connectionRate: 1 * MiB } });
      const downloadedAlone = client();
      const [task] = await downloadedAlone.call('tasks.add', {
        tasks: [{ url: server.url('/b.bin'), connections: 1 }],
      });
      assert.ok(task);
      downloadedAlone.connection.close();
      const watcher = client();
      await watcher.waitFor(isState(task.id, 'completed'), 30_000);
      watcher.connection.close();
      const { speed } = await client().call('app.state', {});
      const mine = speed.tasks[task.id] ?? [];
      assert.ok(
        mine.some((s) => s.speed > 0),
        `the task's samples while it ran: ${JSON.stringify(mine)}`,
      );
      assert.ok(speed.app.some((s) => s.speed > 0));
    });
  });

  it('refuses unknown commands, wrong types, unknown fields and non-http URLs without changing anything', async () => {
    await withHub(async ({ client, hub }) => {
      const c = client();
      const bad: Array<[unknown, unknown, RegExp]> = [
        ['tasks.explode', {}, /unknown command/],
        [42, {}, /unknown command/],
        ['tasks.add', { tasks: [{ url: 'file:///etc/passwd' }] }, /only http: and https:/],
        ['tasks.add', { tasks: [{ url: 'javascript:alert(1)' }] }, /only http: and https:/],
        ['tasks.add', { tasks: [] }, /tasks/],
        ['tasks.add', { tasks: [{ url: 'http://x/a', evil: true }] }, /evil|Unrecognized/i],
        [
          'tasks.add',
          { tasks: [{ url: 'http://x/a', headers: { 'X-A': 'b\r\nHost: evil' } }] },
          /header injection/,
        ],
        ['tasks.pause', { id: '../../etc' }, /invalid task id/],
        ['settings.update', { maxConcurrent: 'many' }, /maxConcurrent/],
        ['tasks.remove', null, /expected object/i],
      ];
      for (const [command, input, message] of bad) {
        const result = await c.connection.dispatch(command, input);
        assert.equal(result.ok, false, `${String(command)} accepted`);
        assert.equal(!result.ok && result.error.code, 'INVALID_INPUT');
        assert.match(!result.ok ? result.error.message : '', message);
      }
      assert.deepEqual(hub.engine.list(), []);
      assert.equal(hub.engine.settings.maxConcurrent, 3);
    });
  });

  it('pauses, resumes, cancels and removes with the file, answering illegal transitions clearly', async () => {
    await withHub(async ({ server, client, dir }) => {
      server.addFile('/slow.bin', {
        body: makeContent(4 * MiB),
        faults: { connectionRate: 256 * 1024 },
      });
      const c = client();
      const [task] = await c.call('tasks.add', {
        tasks: [{ url: server.url('/slow.bin'), connections: 2 }],
      });
      assert.ok(task);
      await c.waitFor(isState(task.id, 'downloading'));
      const paused = await c.call('tasks.pause', { id: task.id });
      assert.equal(paused.state, 'paused');
      await rejectsWith(c.call('tasks.pause', { id: task.id }), 'INVALID_TRANSITION');
      assert.ok(
        ['queued', 'downloading'].includes((await c.call('tasks.resume', { id: task.id })).state),
      );
      await c.waitFor(isState(task.id, 'downloading'));
      assert.equal((await c.call('tasks.cancel', { id: task.id })).state, 'canceled');
      await c.call('tasks.remove', { id: task.id, deleteFile: true });
      await c.waitFor((e) => e.type === 'task-removed' && e.id === task.id);
      assert.equal(existsSync(join(dir, 'slow.bin.part')), false);
      await rejectsWith(c.call('tasks.resume', { id: task.id }), 'NOT_FOUND');
    });
  });

  it('gives a running download more connections at once, and refuses a count out of range', async () => {
    await withHub(async ({ server, client, dir }) => {
      const body = makeContent(4 * MiB);
      server.addFile('/more.bin', { body, faults: { connectionRate: 256 * 1024 } });
      const c = client();
      const [task] = await c.call('tasks.add', {
        tasks: [{ url: server.url('/more.bin'), connections: 1 }],
      });
      assert.ok(task);
      await c.waitFor(isState(task.id, 'downloading'));
      await rejectsWith(
        c.call('tasks.setConnections', { id: task.id, connections: 0 }),
        'INVALID_INPUT',
      );
      const changed = await c.call('tasks.setConnections', { id: task.id, connections: 4 });
      assert.equal(changed.options.connections, 4);
      await c.waitFor(isState(task.id, 'completed'));
      assert.ok(server.stats.maxOpenConnections >= 3, `${server.stats.maxOpenConnections} open`);
      assert.equal(await sha256File(join(dir, 'more.bin')), sha256(body));
    });
  });

  it('gives a paused download a new link with new headers, and refuses headers Braid owns', async () => {
    await withHub(async ({ server, client, dir }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/old.bin', { body, faults: { connectionRate: 512 * 1024 } });
      server.addFile('/new.bin', { body });
      const c = client();
      const [task] = await c.call('tasks.add', {
        tasks: [{ url: server.url('/old.bin'), headers: { Cookie: 'session=old' } }],
      });
      assert.ok(task);
      await c.waitFor(isState(task.id, 'downloading'));
      await c.call('tasks.pause', { id: task.id });
      await rejectsWith(
        c.call('tasks.setUrl', {
          id: task.id,
          url: server.url('/new.bin'),
          headers: { 'Content-Length': '1' },
        }),
        'INVALID_INPUT',
        /managed by Braid/,
      );
      const changed = await c.call('tasks.setUrl', {
        id: task.id,
        url: server.url('/new.bin'),
        headers: { Cookie: 'session=new' },
      });
      assert.deepEqual(changed.options.headers, { Cookie: 'session=new' });
      await c.call('tasks.resume', { id: task.id });
      await c.waitFor(isState(task.id, 'completed'));
      const done = (await c.call('app.state', {})).tasks.find((t) => t.id === task.id);
      assert.equal(await sha256File(join(dir, done!.fileName!)), sha256(body));
      const sent = server.stats.requests.filter((r) => r.path === '/new.bin');
      assert.ok(sent.length > 0);
      assert.ok(sent.every((r) => r.headers.cookie === 'session=new'));
    });
  });

  it('takes a corrected checksum after a mismatch, and the retry verifies the kept data without fetching it again', async () => {
    await withHub(async ({ server, client, dir }) => {
      const body = makeContent(1 * MiB);
      server.addFile('/big.bin', { body });
      const c = client();
      const [task] = await c.call('tasks.add', {
        tasks: [
          {
            url: server.url('/big.bin'),
            checksum: { algorithm: 'sha256', expected: '0'.repeat(64) },
          },
        ],
      });
      assert.ok(task);
      await c.waitFor(isState(task.id, 'failed'));
      const served = server.stats.bodyBytes;
      await rejectsWith(
        c.call('tasks.setChecksum', {
          id: task.id,
          checksum: { algorithm: 'sha256', expected: 'abc' },
        }),
        'INVALID_INPUT',
        /wrong length/,
      );
      const changed = await c.call('tasks.setChecksum', {
        id: task.id,
        checksum: { algorithm: 'sha256', expected: sha256(body).toUpperCase() },
      });
      assert.deepEqual(changed.options.checksum, { algorithm: 'sha256', expected: sha256(body) });
      await c.call('tasks.retry', { id: task.id });
      await c.waitFor(isState(task.id, 'completed'));
      assert.equal(await sha256File(join(dir, 'big.bin')), sha256(body));
      assert.equal(server.stats.bodyBytes, served, 'nothing fetched again');
    });
  });

  it('takes a checksum cleared after a mismatch: the kept data is published as downloaded, not fetched again', async () => {
    await withHub(async ({ server, client, dir }) => {
      const body = makeContent(1 * MiB);
      server.addFile('/big.bin', { body });
      const c = client();
      const [task] = await c.call('tasks.add', {
        tasks: [
          { url: server.url('/big.bin'), checksum: { algorithm: 'md5', expected: '0'.repeat(32) } },
        ],
      });
      assert.ok(task);
      await c.waitFor(isState(task.id, 'failed'));
      const served = server.stats.bodyBytes;
      const changed = await c.call('tasks.setChecksum', { id: task.id, checksum: null });
      assert.equal(changed.options.checksum, null);
      await c.call('tasks.retry', { id: task.id });
      await c.waitFor(isState(task.id, 'completed'));
      assert.equal(await sha256File(join(dir, 'big.bin')), sha256(body));
      assert.equal(server.stats.bodyBytes, served, 'nothing fetched again');
      await rejectsWith(
        c.call('tasks.setChecksum', { id: task.id, checksum: null }),
        'INVALID_TRANSITION',
        /verified already/,
      );
    });
  });

  it('pauses all and resumes all, counting the tasks it changed', async () => {
    await withHub(async ({ server, client }) => {
      server.addFile('/s.bin', {
        body: makeContent(2 * MiB),
        faults: { connectionRate: 128 * 1024 },
      });
      const c = client();
      await c.call('settings.update', { maxConcurrent: 1 });
      await c.call('tasks.add', {
        tasks: [1, 2, 3].map((n) => ({ url: server.url('/s.bin'), fileName: `s${n}.bin` })),
      });
      assert.equal(await c.call('tasks.pauseAll', {}), 3);
      const state = await c.call('app.state', {});
      assert.deepEqual(
        state.tasks.map((t) => t.state),
        ['paused', 'paused', 'paused'],
      );
      assert.equal(await c.call('tasks.resumeAll', {}), 3);
      assert.equal(await c.call('tasks.pauseAll', {}), 3);
    });
  });

  it('tells every client about a settings change, and persists it', async () => {
    await withHub(async ({ client, hub }) => {
      const a = client();
      const b = client();
      const settings = await a.call('settings.update', { theme: 'dark', language: 'zh-CN' });
      assert.equal(settings.theme, 'dark');
      const seen = await b.waitFor((e) => e.type === 'settings-changed');
      assert.equal(seen.type === 'settings-changed' && seen.settings.language, 'zh-CN');
      assert.equal((await b.call('settings.get', {})).theme, 'dark');
      assert.equal(hub.engine.settings.language, 'zh-CN');
    });
  });

  it('sends an error event naming the file when a download fails, its URL once', async () => {
    await withHub(async ({ client, server }) => {
      const c = client();
      // Nothing is served there: 404 is not retryable.
      const [task] = await c.call('tasks.add', { tasks: [{ url: server.url('/missing.iso') }] });
      assert.ok(task);
      const error = await c.waitFor((e) => e.type === 'error' && e.taskId === task.id, 30_000);
      assert.equal(error.type, 'error');
      const message = error.type === 'error' ? error.message : '';
      assert.match(message, /missing\.iso/);
      assert.equal(message.split(server.url('/missing.iso')).length, 2, `URL once: ${message}`);
    });
  });

  it('sends an error event naming the file when a download pauses with an error (its disk is full)', async () => {
    await withHub(async ({ server, client }) => {
      // 32 TiB: no disk here has room for it, so the download pauses before its first byte.
      const size = 2 ** 45;
      server.addHandler('/huge.iso', (req, res) => {
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        const start = range ? Number(range[1]) : 0;
        const end = range?.[2] ? Number(range[2]) : size - 1;
        res.writeHead(range ? 206 : 200, {
          'content-type': 'application/octet-stream',
          'content-length': end - start + 1,
          ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
        });
        // Headers only: the engine learns the size, then stops before writing.
        res.flushHeaders();
      });
      const c = client();
      const [task] = await c.call('tasks.add', { tasks: [{ url: server.url('/huge.iso') }] });
      await c.waitFor(isState(task!.id, 'paused'));
      const event = await c.waitFor((e) => e.type === 'error', 2000);
      assert.ok(event.type === 'error');
      assert.equal(event.code, 'DISK_FULL');
      assert.equal(event.taskId, task!.id);
      assert.match(event.message, /huge\.iso/);
      assert.equal((await c.call('app.state', {})).recentErrors.at(-1)?.taskId, task!.id);
    });
  });

  it('gives a window that opens after a download failed the error recorded before it opened', async () => {
    await withHub(async ({ client, server, hub }) => {
      const addedAlone = client();
      const [task] = await addedAlone.call('tasks.add', {
        tasks: [{ url: server.url('/gone.iso') }],
      });
      assert.ok(task);
      addedAlone.connection.close();
      // No window is open when it fails.
      await waitForTask(hub.engine, task.id, 'failed');
      const { recentErrors } = await client().call('app.state', {});
      assert.equal(recentErrors.length, 1);
      assert.equal(recentErrors[0]?.taskId, task.id);
      assert.match(recentErrors[0]?.text ?? '', /gone\.iso/);
      assert.ok(Math.abs((recentErrors[0]?.at ?? 0) - Date.now()) < 30_000, 'the time it failed');
    });
  });

  it('probes name and size without creating a task or a file, and says when the link answers a web page', async () => {
    await withHub(async ({ server, client, hub, dir }) => {
      server.addFile('/dl', {
        body: makeContent(123_456),
        contentDisposition: 'attachment; filename="report 2026.pdf"',
      });
      server.addRedirect('/go', '/dl');
      const c = client();
      const probe = await c.call('tasks.probe', { url: server.url('/go') });
      assert.deepEqual(
        { name: probe.fileName, size: probe.size, resumable: probe.resumable, url: probe.url },
        { name: 'report 2026.pdf', size: 123_456, resumable: true, url: server.url('/dl') },
      );
      assert.deepEqual(hub.engine.list(), []);
      assert.equal(existsSync(dir), false);
      await rejectsWith(
        c.call('tasks.probe', { url: server.url('/nothing') }),
        'INVALID_INPUT',
        /404/,
      );
      server.addHandler('/setup.zip', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Sign in</title>');
      });
      await rejectsWith(
        c.call('tasks.probe', { url: server.url('/setup.zip') }),
        'INVALID_INPUT',
        /web page instead of setup\.zip: the link may have expired or need a login/,
      );
    });
  });

  it('says why a probe failed once, in words, with the engine’s code for the UI to translate', async () => {
    await withHub(async ({ server, client }) => {
      const c = client();
      const failure = (url: string) =>
        c.call('tasks.probe', { url }).then(
          () => assert.fail('the probe succeeded'),
          (error: ApiError) => ({ code: error.code, reason: error.reason, message: error.message }),
        );
      assert.deepEqual(await failure(server.url('/nothing')), {
        code: 'INVALID_INPUT',
        reason: 'HTTP_404',
        message: `server answered 404 Not Found for ${server.url('/nothing')}`,
      });
      assert.deepEqual(await failure('http://nosuch.invalid/file.iso'), {
        code: 'INVALID_INPUT',
        reason: 'ENOTFOUND',
        message: 'host not found: nosuch.invalid',
      });
    });
  });

  it('opens only completed files, through the host, at the path inside the task folder', async () => {
    await withHub(async ({ server, client, opened, dir }) => {
      server.addFile('/o.txt', { body: makeContent(1000) });
      const c = client();
      const [task] = await c.call('tasks.add', { tasks: [{ url: server.url('/o.txt') }] });
      assert.ok(task);
      await c.waitFor(isState(task.id, 'completed'));
      await c.call('files.open', { id: task.id });
      await c.call('files.showInFolder', { id: task.id });
      assert.deepEqual(opened, [`open ${join(dir, 'o.txt')}`, `show ${join(dir, 'o.txt')}`]);
    });
  });

  it('answers app.state only after sending the events that preceded it', async () => {
    await withHub(async ({ server, client }) => {
      server.addFile('/q.bin', { body: makeContent(1000) });
      const c = client();
      const order: string[] = [];
      const seen = c.batches.length;
      const [task] = await c.call('tasks.add', {
        tasks: [{ url: server.url('/q.bin'), paused: true }],
      });
      assert.ok(task);
      const state = c.call('app.state', {}).then(() => order.push('state'));
      order.push(`batches before answer: ${c.batches.length - seen > 0}`);
      await state;
      assert.ok(c.batches.flat().some((e) => e.type === 'task-added' && e.task.id === task.id));
      assert.deepEqual(order, ['batches before answer: true', 'state']);
    });
  });
});

describe('task list export', () => {
  it('exports every task as JSON without user:password or credential headers', async () => {
    await withHub(async ({ server, client }) => {
      const c = client();
      const url = new URL(server.url('/private/a.iso'));
      url.username = 'alice';
      url.password = 'PLANTED-PASSWORD';
      await c.call('tasks.add', {
        tasks: [
          {
            url: url.href,
            paused: true,
            headers: {
              Authorization: 'Bearer PLANTED-AUTH',
              Cookie: 'sid=PLANTED-COOKIE',
              'X-Trace': 'keep-me',
            },
          },
          { url: server.url('/b.zip'), paused: true, priority: 'high' },
        ],
      });
      const text = await c.call('tasks.export', {});
      for (const secret of ['PLANTED-PASSWORD', 'PLANTED-AUTH', 'PLANTED-COOKIE', 'alice']) {
        assert.ok(!text.includes(secret), `${secret} exported`);
      }
      const parsed = JSON.parse(text) as {
        format: string;
        tasks: Array<{ url: string; headers: object; priority: string }>;
      };
      assert.equal(parsed.format, 'braid-task-list');
      assert.deepEqual(
        parsed.tasks.map((t) => [t.url, t.headers, t.priority]),
        [
          [server.url('/private/a.iso'), { 'X-Trace': 'keep-me' }, 'normal'],
          [server.url('/b.zip'), {}, 'high'],
        ],
      );
    });
  });
});

describe('settings updates', () => {
  it('change only what they name and keep every other setting', async () => {
    await withHub(async ({ client, hub }) => {
      const c = client();
      await c.call('settings.update', { maxConcurrent: 5, globalLimit: 1024 * 1024 });
      await c.call('settings.update', { theme: 'dark' });
      const s = hub.engine.settings;
      assert.deepEqual([s.maxConcurrent, s.globalLimit, s.theme], [5, 1024 * 1024, 'dark']);
      // Per-process overrides (the harness's small segments) survive a patch too.
      assert.equal(s.minSegmentSize, 64 * 1024);
    });
  });
});

describe('when the queue finishes', () => {
  it('counts down and runs the chosen action once every download has finished', async () => {
    await withHub(async ({ server, client, opened }) => {
      server.addFile('/a.bin', { body: makeContent(100 * 1024) });
      const c = client();
      await c.call('settings.update', { whenDone: 'sleep' });
      await c.call('tasks.add', { tasks: [{ url: server.url('/a.bin') }] });
      const countdown = await c.waitFor((e) => e.type === 'after-queue' && e.action === 'sleep');
      assert.ok(countdown.type === 'after-queue' && countdown.at > Date.now() - 1000);
      assert.deepEqual(opened, [], 'nothing happens before the countdown ends');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(opened, ['after-queue sleep']);
    });
  });

  it('does nothing when the countdown is cancelled', async () => {
    await withHub(async ({ server, client, opened }) => {
      server.addFile('/a.bin', { body: makeContent(100 * 1024) });
      const c = client();
      await c.call('settings.update', { whenDone: 'quit' });
      await c.call('tasks.add', { tasks: [{ url: server.url('/a.bin') }] });
      await c.waitFor((e) => e.type === 'after-queue' && e.action === 'quit');
      await c.call('app.cancelAfterQueue', {});
      await c.waitFor((e) => e.type === 'after-queue' && e.action === null);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(opened, []);
    });
  });

  it('tells a window that opens during the countdown when it ends, and no more once cancelled', async () => {
    await withHub(async ({ server, client }) => {
      server.addFile('/a.bin', { body: makeContent(100 * 1024) });
      const c = client();
      await c.call('settings.update', { whenDone: 'quit' });
      await c.call('tasks.add', { tasks: [{ url: server.url('/a.bin') }] });
      const countdown = await c.waitFor((e) => e.type === 'after-queue' && e.action === 'quit');
      assert.ok(countdown.type === 'after-queue');
      const opening = await client().call('app.state', {});
      assert.deepEqual(opening.afterQueue, { action: 'quit', at: countdown.at });
      assert.ok(AppStateSchema.safeParse(opening).success, 'the answer keeps the contract');
      await c.call('app.cancelAfterQueue', {});
      assert.equal((await client().call('app.state', {})).afterQueue, null);
    });
  });

  it('stops the countdown, telling every client, when a new download is added during it', async () => {
    await withHub(async ({ server, client, hub, opened }) => {
      server.addFile('/a.bin', { body: makeContent(100 * 1024) });
      server.addFile('/slow.bin', {
        body: makeContent(512 * 1024),
        faults: { connectionRate: 256 * 1024 },
      });
      const c = client();
      const other = client();
      await c.call('settings.update', { whenDone: 'quit' });
      await c.call('tasks.add', { tasks: [{ url: server.url('/a.bin') }] });
      await c.waitFor((e) => e.type === 'after-queue' && e.action === 'quit');
      const [slow] = await c.call('tasks.add', {
        tasks: [{ url: server.url('/slow.bin'), connections: 1 }],
      });
      await c.waitFor((e) => e.type === 'after-queue' && e.action === null);
      await other.waitFor((e) => e.type === 'after-queue' && e.action === null);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(opened, [], 'Braid quit in the middle of a download');
      assert.equal(hub.engine.get(slow!.id)?.state, 'downloading');
    });
  });

  it('stops the countdown when "when the queue finishes" is set to do nothing during it', async () => {
    await withHub(async ({ server, client, opened }) => {
      server.addFile('/a.bin', { body: makeContent(100 * 1024) });
      const c = client();
      await c.call('settings.update', { whenDone: 'quit' });
      await c.call('tasks.add', { tasks: [{ url: server.url('/a.bin') }] });
      await c.waitFor((e) => e.type === 'after-queue' && e.action === 'quit');
      await c.call('settings.update', { whenDone: 'nothing' });
      await c.waitFor((e) => e.type === 'after-queue' && e.action === null);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(opened, []);
    });
  });

  it('checks the choice again as the countdown ends, and does nothing if it is no longer chosen', async () => {
    await withHub(async ({ server, client, hub, opened }) => {
      server.addFile('/a.bin', { body: makeContent(100 * 1024) });
      const c = client();
      await c.call('settings.update', { whenDone: 'quit' });
      await c.call('tasks.add', { tasks: [{ url: server.url('/a.bin') }] });
      await c.waitFor((e) => e.type === 'after-queue' && e.action === 'quit');
      // Changed without a client's command (no settings-changed passes the hub).
      await hub.engine.updateSettings({ whenDone: 'nothing' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(opened, []);
    });
  });

  it('waits while a download the user paused is unfinished, and counts down once it completes', async () => {
    await withHub(async ({ server, client, opened }) => {
      server.addFile('/fast.bin', { body: makeContent(10 * 1024) });
      server.addFile('/slow.bin', {
        body: makeContent(512 * 1024),
        faults: { connectionRate: 256 * 1024 },
      });
      const c = client();
      await c.call('settings.update', { whenDone: 'quit' });
      const [fast, slow] = await c.call('tasks.add', {
        tasks: [{ url: server.url('/fast.bin') }, { url: server.url('/slow.bin'), connections: 1 }],
      });
      await c.waitFor(isState(fast!.id, 'completed'));
      await c.waitFor(isState(slow!.id, 'downloading'));
      await c.call('tasks.pause', { id: slow!.id });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(
        !c.batches.flat().some((e) => e.type === 'after-queue'),
        'a paused download has not finished',
      );
      assert.deepEqual(opened, []);
      await c.call('tasks.resume', { id: slow!.id });
      await c.waitFor(isState(slow!.id, 'completed'));
      await c.waitFor((e) => e.type === 'after-queue' && e.action === 'quit');
    });
  });

  it('waits while anything is still queued or downloading', async () => {
    await withHub(async ({ server, client, opened }) => {
      server.addFile('/fast.bin', { body: makeContent(10 * 1024) });
      server.addFile('/slow.bin', {
        body: makeContent(512 * 1024),
        faults: { connectionRate: 256 * 1024 },
      });
      const c = client();
      await c.call('settings.update', { whenDone: 'quit' });
      const [, slow] = await c.call('tasks.add', {
        tasks: [{ url: server.url('/fast.bin') }, { url: server.url('/slow.bin'), connections: 1 }],
      });
      // Batches fold a quick task's whole life into its task-added event.
      await c.waitFor(
        (e) => 'task' in e && e.task.url.endsWith('/fast.bin') && e.task.state === 'completed',
      );
      assert.ok(
        !c.batches.flat().some((e) => e.type === 'after-queue'),
        'no countdown with work left',
      );
      await c.waitFor(
        (e) => e.type === 'task-changed' && e.task.id === slow?.id && e.task.state === 'completed',
      );
      await c.waitFor((e) => e.type === 'after-queue' && e.action === 'quit');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(opened, ['after-queue quit']);
    });
  });
});
