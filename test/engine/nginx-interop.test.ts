import assert from 'node:assert/strict';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import type { EngineLogRecord } from '../../electron/engine/engine-log.ts';
import { TEST_SETTINGS, waitForEnd, waitForTask } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, tempDir } from '../support/fixtures.ts';
import { startNginx, type Nginx } from '../support/nginx.ts';

const KiB = 1024;

/**
 * The fault server plays each misbehaviour on purpose; nginx is how a real server behaves:
 * its own ETags (mtime-size), If-Range, and keep-alive connections it closes after a number of
 * requests.
 */
describe('downloads from nginx', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let nginx: Nginx;
  let www: string;

  before(async () => {
    tmp = await tempDir();
    www = join(tmp.path, 'www');
    await mkdir(www);
    nginx = await startNginx(
      www,
      tmp.path,
      '256k',
      // Closes each keep-alive connection after three requests, as busy servers are set to;
      // the status page counts connections and requests.
      `location /few/ { keepalive_requests 3; alias ${www}/; }
       location = /status { stub_status; }`,
    );
  });

  after(async () => {
    await nginx?.stop();
    await tmp?.cleanup();
  });

  async function withEngine(
    name: string,
    fn: (engine: DownloadEngine, dir: string, log: EngineLogRecord[]) => Promise<void>,
  ): Promise<void> {
    const log: EngineLogRecord[] = [];
    const dir = join(tmp.path, name, 'downloads');
    const engine = await DownloadEngine.open({
      home: join(tmp.path, name, 'home'),
      defaultDownloadDir: dir,
      settings: TEST_SETTINGS,
      log: (record) => log.push(record),
    });
    try {
      await fn(engine, dir, log);
    } finally {
      await engine.close();
    }
  }

  it('downloads over eight connections, byte-identical, and keeps what a resume needs', async () => {
    const body = makeContent(8 * MiB, 'nginx whole');
    await writeFile(join(www, 'whole.bin'), body);
    await withEngine('whole', async (engine, dir) => {
      const [task] = await engine.add([{ url: `${nginx.origin}/whole.bin`, connections: 8 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.resumable, true);
      assert.equal(sha256(await readFile(join(dir, 'whole.bin'))), sha256(body));
    });
  });

  it('resumes with If-Range where it stopped, and starts over when the file changed meanwhile', async () => {
    const first = makeContent(2 * MiB, 'nginx first');
    const path = join(www, 'changing.bin');
    await writeFile(path, first);
    await withEngine('changing', async (engine, dir, log) => {
      const url = `${nginx.origin}/capped/changing.bin`;
      const [kept, changed] = await engine.add([
        { url, connections: 4, fileName: 'kept.bin' },
        { url, connections: 4, fileName: 'changed.bin' },
      ]);
      for (const task of [kept!, changed!]) {
        await waitForTask(engine, task.id, (t) => t.downloaded >= 256 * KiB);
        await engine.pause(task.id);
      }

      await engine.resume(kept!.id);
      const keptDone = await waitForEnd(engine, kept!.id);
      assert.equal(keptDone.state, 'completed', JSON.stringify(keptDone.error));
      assert.equal(sha256(await readFile(join(dir, 'kept.bin'))), sha256(first));
      assert.equal(log.filter((r) => r.event === 'started_over').length, 0, 'it went on');

      // Same size, new bytes, a later mtime: nginx's ETag and Last-Modified both change.
      const second = makeContent(2 * MiB, 'nginx second');
      await writeFile(path, second);
      const later = new Date(Date.now() + 60_000);
      await utimes(path, later, later);
      await engine.resume(changed!.id);
      const changedDone = await waitForEnd(engine, changed!.id);
      assert.equal(changedDone.state, 'completed', JSON.stringify(changedDone.error));
      assert.equal(sha256(await readFile(join(dir, 'changed.bin'))), sha256(second));
      const restarts = log.filter((r) => r.event === 'started_over' && r.taskId === changed!.id);
      assert.equal(restarts.length, 1, JSON.stringify(restarts));
      assert.deepEqual(await listDir(dir), ['changed.bin', 'kept.bin']);
    });
  });

  it('takes many small files over keep-alive connections that nginx closes every three requests', async () => {
    const bodies = Array.from({ length: 60 }, (_, i) => makeContent(10 * KiB + i, `small ${i}`));
    await mkdir(join(www, 'small'));
    await Promise.all(bodies.map((b, i) => writeFile(join(www, 'small', `${i}.bin`), b)));
    const before = await nginxCounts();
    await withEngine('small', async (engine, dir) => {
      await engine.updateSettings({ maxConcurrent: 8 });
      const tasks = await engine.add(
        bodies.map((_, i) => ({ url: `${nginx.origin}/few/small/${i}.bin`, connections: 2 })),
      );
      const done = await Promise.all(tasks.map((t) => waitForEnd(engine, t.id)));
      for (const [i, task] of done.entries()) {
        assert.equal(task.state, 'completed', `${i}: ${JSON.stringify(task.error)}`);
        assert.equal(sha256(await readFile(join(dir, `${i}.bin`))), sha256(bodies[i]!));
      }
    });
    const after = await nginxCounts();
    const connections = after.accepted - before.accepted - 1; // less the status request's own
    const requests = after.requests - before.requests - 1;
    assert.ok(requests >= 60, `${requests} requests`);
    assert.ok(connections < requests, `${connections} connections carried ${requests} requests`);
  });

  /** nginx's own counts of connections accepted and requests served so far. */
  async function nginxCounts(): Promise<{ accepted: number; requests: number }> {
    const text = await (await fetch(`${nginx.origin}/status`)).text();
    const [, accepted, , requests] = /\s(\d+)\s+(\d+)\s+(\d+)\s/.exec(text)!;
    return { accepted: Number(accepted), requests: Number(requests) };
  }
});
