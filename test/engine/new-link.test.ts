import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DownloadEngine } from '../../electron/engine/download-engine.ts';
import type { AddTaskInput, TaskSnapshot } from '../../shared/api/task.ts';
import { OVERLAP_BYTES } from '../../electron/engine/overlap-check.ts';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import { FaultServer } from '../support/fault-server.ts';
import { listDir, makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';

const KiB = 1024;

/** Adds a download and pauses it once it has kept some bytes. */
async function pausedMidway(engine: DownloadEngine, input: AddTaskInput): Promise<TaskSnapshot> {
  const [task] = await engine.add([input]);
  await waitForTask(engine, task!.id, (t) => t.downloaded > 300 * KiB);
  return engine.pause(task!.id);
}

describe('a new link for a download', () => {
  it('continues from the kept bytes when the old link expired and a new one serves the same file', async () => {
    await withHarness(
      async ({ engine, server, dir, log }) => {
        const body = makeContent(3 * MiB);
        server.addFile('/old/disk.iso', { body, faults: { connectionRate: 1 * MiB } });
        const task = await pausedMidway(engine, {
          url: server.url('/old/disk.iso'),
          connections: 2,
        });
        const kept = engine.get(task.id)!.downloaded;
        server.addHandler('/old/disk.iso', (_req, res) => {
          res.writeHead(403, { 'content-type': 'text/html' });
          res.end('<html>link expired</html>');
        });
        server.addFile('/new/disk.iso', { body });
        const served = server.stats.bodyBytes;

        const changed = await engine.setUrl(task.id, server.url('/new/disk.iso'));
        assert.equal(changed.url, server.url('/new/disk.iso'));
        assert.equal(changed.state, 'paused');
        await engine.resume(task.id);
        const done = await waitForEnd(engine, task.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.deepEqual(await listDir(dir), ['disk.iso']);
        assert.equal(await sha256File(join(dir, 'disk.iso')), sha256(body));
        assert.equal(server.stats.bodyBytes - served, body.length - kept, 'only the rest fetched');
        assert.ok(log.some((l) => l.event === 'link_changed' && l.taskId === task.id));
      },
      { maxRetries: 1 },
    );
  });

  it('starts over when the new link serves a different file', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const first = makeContent(2 * MiB, 'v1');
      const other = makeContent(1 * MiB, 'v2');
      server.addFile('/a.bin', { body: first, faults: { connectionRate: 1 * MiB } });
      server.addFile('/b.bin', { body: other });
      const task = await pausedMidway(engine, { url: server.url('/a.bin') });
      await engine.setUrl(task.id, server.url('/b.bin'));
      await engine.resume(task.id);
      const done = await waitForEnd(engine, task.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'a.bin')), sha256(other), 'one whole version');
    });
  });

  it('starts over when nothing shows the new link serves the same file (no ETag, no Last-Modified)', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const first = makeContent(2 * MiB, 'v1');
      const other = makeContent(2 * MiB, 'v2');
      const bare = { etag: null, lastModified: null };
      server.addFile('/a.bin', { body: first, ...bare, faults: { connectionRate: 1 * MiB } });
      server.addFile('/b.bin', { body: other, ...bare });
      const task = await pausedMidway(engine, { url: server.url('/a.bin') });
      const changed = await engine.setUrl(task.id, server.url('/b.bin'));
      assert.equal(changed.downloaded, 0, 'the kept bytes are no longer counted');
      await engine.resume(task.id);
      const done = await waitForEnd(engine, task.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'a.bin')), sha256(other), 'not spliced onto v1');
    });
  });

  it('keeps its bytes when only its headers change, and sends the new ones (no ETag, no Last-Modified, a checksum)', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/a.bin', {
        body,
        etag: null,
        lastModified: null,
        faults: { connectionRate: 1 * MiB },
      });
      const url = server.url('/a.bin');
      // Without the checksum, no validator would let the kept bytes survive the pause.
      const checksum = { algorithm: 'sha256', expected: sha256(body) } as const;
      const task = await pausedMidway(engine, {
        url,
        headers: { Cookie: 'session=old' },
        checksum,
      });
      const kept = engine.get(task.id)!.downloaded;
      const asked = server.stats.requests.length;
      const served = server.stats.bodyBytes;
      const changed = await engine.setUrl(task.id, url, { Cookie: 'session=new' });
      assert.equal(changed.downloaded, kept, 'the same link: its bytes are kept');
      assert.deepEqual(changed.options.headers, { Cookie: 'session=new' });
      await engine.resume(task.id);
      const done = await waitForEnd(engine, task.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'a.bin')), sha256(body));
      const later = server.stats.requests.slice(asked).map((r) => r.headers.cookie);
      // The rest, and the few bytes before each range that show the file is the same.
      const again = server.stats.bodyBytes - served - (body.length - kept);
      assert.ok(again <= later.length * OVERLAP_BYTES, `${again} bytes fetched again`);
      assert.ok(later.length > 0);
      assert.deepEqual(new Set(later), new Set(['session=new']));
    });
  });

  it('sends the credentials given for the old link only to its server, never to another', async () => {
    await withHarness(async ({ engine, server }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/disk.iso', { body, faults: { connectionRate: 1 * MiB } });
      const other = await FaultServer.start();
      try {
        other.addFile('/disk.iso', { body });
        const headers = { Authorization: 'Bearer old', Cookie: 'session=old', 'X-Client': 'braid' };
        const task = await pausedMidway(engine, { url: server.url('/disk.iso'), headers });
        await engine.setUrl(task.id, other.url('/disk.iso'));
        await engine.resume(task.id);
        const done = await waitForEnd(engine, task.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        const sent = other.stats.requests.map((r) => [r.headers.authorization, r.headers.cookie]);
        assert.ok(sent.length > 0);
        assert.deepEqual(sent.flat().filter(Boolean), [], 'no credentials to the new server');
        assert.ok(other.stats.requests.every((r) => r.headers['x-client'] === 'braid'));
      } finally {
        await other.close();
      }
    });
  });

  it('refuses a new link while the download runs, once it is done, or when it is no http(s) URL', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addFile('/slow.bin', {
        body: makeContent(2 * MiB),
        faults: { connectionRate: 512 * KiB },
      });
      const [task] = await engine.add([{ url: server.url('/slow.bin') }]);
      await waitForTask(engine, task!.id, (t) => t.state === 'downloading');
      await assert.rejects(engine.setUrl(task!.id, server.url('/other.bin')), {
        code: 'INVALID_TRANSITION',
      });
      await engine.pause(task!.id);
      await assert.rejects(engine.setUrl(task!.id, 'ftp://example.com/x'), {
        code: 'INVALID_INPUT',
        message: /only http: and https:/,
      });
      assert.equal(engine.get(task!.id)!.url, server.url('/slow.bin'));

      server.addFile('/tiny.bin', { body: makeContent(10 * KiB) });
      const [tiny] = await engine.add([{ url: server.url('/tiny.bin') }]);
      await waitForEnd(engine, tiny!.id);
      await assert.rejects(engine.setUrl(tiny!.id, server.url('/slow.bin')), {
        code: 'INVALID_TRANSITION',
      });
    });
  });
});
