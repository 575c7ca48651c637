import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { unwrapResult } from '../../shared/ipc/result.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { ApiHub } from '../../electron/api/api-hub.ts';
import { openLogFile } from '../../electron/observability/log-file.ts';
import { openObservability } from '../../electron/observability/observability.ts';
import { startServe } from '../../electron/serve/serve-command.ts';
import { TEST_SETTINGS, waitForEnd } from '../support/engine-harness.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, tempDir } from '../support/fixtures.ts';

const SECRETS = [
  'secretpass',
  'PLANTED-AUTH',
  'PLANTED-COOKIE',
  'PLANTED-QUERY',
  'PLANTED-SERVE-TOKEN',
];

async function logText(
  dir: string,
): Promise<{ files: string[]; lines: Record<string, unknown>[]; raw: string }> {
  const files = (await readdir(dir)).sort();
  let raw = '';
  for (const file of files) raw += await readFile(join(dir, file), 'utf8');
  const lines = raw
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { files, lines, raw };
}

describe('observability', () => {
  it('writes JSON log lines with time, level, task, redacted URL, event, bytes and status, and no secrets', async () => {
    const server = await FaultServer.start();
    const dirs = await tempDir();
    const home = join(dirs.path, 'home');
    const content = makeContent(300 * 1024);
    server.addFile('/report.pdf', { body: content });
    const hub = await ApiHub.open({
      home,
      defaultDownloadDir: join(dirs.path, 'dl'),
      settings: TEST_SETTINGS,
      observability: await openObservability(home),
      info: {
        version: 't',
        shell: 'browser',
        defaultDownloadDir: dirs.path,
        canOpenFiles: false,
        afterQueueActions: [],
      },
      host: { openFile: async () => {}, showInFolder: async () => {} },
    });
    const client = hub.connect(() => {});
    let task: TaskSnapshot | undefined;
    try {
      const url = new URL(server.url('/report.pdf?token=PLANTED-QUERY&v=2'));
      url.username = 'me';
      url.password = 'secretpass';
      [task] = unwrapResult<TaskSnapshot[]>(
        await client.dispatch('tasks.add', {
          tasks: [
            {
              url: url.href,
              headers: { Authorization: 'Bearer PLANTED-AUTH', Cookie: 'sid=PLANTED-COOKIE' },
            },
          ],
        }),
      );
      assert.ok(task);
      assert.equal((await waitForEnd(hub.engine, task.id)).state, 'completed');
      const recent = unwrapResult<Array<{ event: string }>>(
        await client.dispatch('tasks.log', { id: task.id }),
      );
      assert.deepEqual(
        recent.map((l) => l.event).filter((e) => ['task_added', 'probed', 'completed'].includes(e)),
        ['task_added', 'probed', 'completed'],
      );
    } finally {
      client.close();
      await hub.close();
      await server.close();
    }
    const { lines, raw } = await logText(join(home, 'logs'));
    for (const secret of SECRETS) assert.ok(!raw.includes(secret), `${secret} leaked into the log`);
    const byEvent = (event: string) =>
      lines.find((l) => l['event'] === event && l['taskId'] === task?.id);
    const added = byEvent('task_added');
    assert.ok(added, 'task_added logged');
    assert.equal(added['level'], 'info');
    assert.match(String(added['time']), /^\d{4}-\d\d-\d\dT/);
    assert.match(
      String(added['url']),
      /^http:\/\/127\.0\.0\.1:\d+\/report\.pdf\?token=redacted&v=2$/,
    );
    assert.equal(byEvent('probed')?.['status'], 206);
    assert.equal(byEvent('completed')?.['bytes'], content.length);
    await dirs.cleanup();
  });

  it('rolls log files at the configured size and keeps at most the configured number', async () => {
    const dirs = await tempDir();
    const dir = join(dirs.path, 'logs');
    const log = await openLogFile({ dir, maxBytes: 4096, maxFiles: 3 });
    for (let i = 0; i < 400; i++) {
      log.write({ level: 'info', event: 'retry', taskId: `task-${i}`, message: 'x'.repeat(40) });
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await log.close();
    const { files, lines } = await logText(dir);
    assert.ok(files.length <= 3, `kept ${files.length} files: ${files.join(', ')}`);
    assert.ok(files.length >= 2, 'rolled over at least once');
    assert.ok(lines.every((l) => l['event'] === 'retry'));
    assert.ok(
      lines.some((l) => l['taskId'] === 'task-399'),
      'the newest lines are kept',
    );
    await dirs.cleanup();
  });

  it('exposes /metrics behind the token, parseable, with byte counters matching the download', async () => {
    const server = await FaultServer.start();
    const dirs = await tempDir();
    const ui = join(dirs.path, 'ui');
    await mkdir(ui);
    await writeFile(join(ui, 'index.html'), '<!doctype html>');
    const content = makeContent(1024 * 1024 + 17);
    server.addFile('/one.bin', { body: content });
    const home = join(dirs.path, 'home');
    const serve = await startServe({
      home,
      host: '127.0.0.1',
      port: 0,
      token: 'PLANTED-SERVE-TOKEN',
      defaultDownloadDir: join(dirs.path, 'dl'),
      allowedHosts: [],
      version: 't',
      staticDir: `${ui}/`,
      metrics: 'token',
    });
    try {
      const [task] = await serve.hub.engine.add([{ url: server.url('/one.bin') }]);
      assert.ok(task);
      assert.equal((await waitForEnd(serve.hub.engine, task.id)).state, 'completed');
      const origin = `http://127.0.0.1:${serve.server.port}`;
      assert.equal((await fetch(`${origin}/metrics`)).status, 401);
      const res = await fetch(`${origin}/metrics`, {
        headers: { authorization: 'Bearer PLANTED-SERVE-TOKEN' },
      });
      assert.equal(res.status, 200);
      const families = parsePrometheusTextFormat(await res.text());
      const family = (name: string) => families.find((f) => f.name === name);
      const bytes = family('braid_downloaded_bytes_total')?.metrics.find(
        (m) => m.labels?.['outcome'] === 'completed',
      );
      assert.equal(Number(bytes?.value), content.length);
      const completed = family('braid_tasks')?.metrics.find(
        (m) => m.labels?.['state'] === 'completed',
      );
      assert.equal(Number(completed?.value), 1);
      const requests = family('braid_request_duration_seconds')?.metrics[0];
      // Every request lands in the +Inf bucket: its value is the number of requests observed.
      assert.ok(Number(requests?.buckets?.['+Inf']) >= 1, 'request durations observed');
      assert.ok(family('braid_speed_bytes_per_second'));
      assert.ok(family('braid_retries_total'));
      assert.ok(family('braid_connections'));
    } finally {
      await serve.close();
      await server.close();
    }
    const { raw } = await logText(join(home, 'logs'));
    assert.match(raw, /serve_started/);
    assert.ok(!raw.includes('PLANTED-SERVE-TOKEN'), 'the serve token is never logged');
    await dirs.cleanup();
  });
});
