import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EngineLogRecord } from '../../electron/engine/engine-log.ts';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, sha256, sha256File, MiB } from '../support/fixtures.ts';

const RATE = { connectionRate: 512 * 1024 };

function dropped(log: readonly EngineLogRecord[]): string[] {
  return log.filter((r) => r.event === 'mirror_dropped').map((r) => String(r.message));
}

describe('a mirror is used only when it is provably the same file', () => {
  it('drops a mirror of another file of the same size that shows no validator, where the link has a strong ETag', async () => {
    const mirror = await FaultServer.start();
    try {
      await withHarness(async ({ engine, server, dir, log }) => {
        const body = makeContent(2 * MiB);
        server.addFile('/a.bin', { body, lastModified: null, faults: RATE });
        mirror.addFile('/a.bin', {
          body: makeContent(2 * MiB, 'another build'),
          etag: null,
          lastModified: null,
          faults: RATE,
        });
        const [task] = await engine.add([
          { url: server.url('/a.bin'), mirrors: [mirror.url('/a.bin')], connections: 6 },
        ]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'a.bin')), sha256(body));
        assert.ok(mirror.stats.requests.length > 0, 'the mirror was asked');
        assert.deepEqual(dropped(log), ["it shows neither the link's ETag nor its Last-Modified"]);
      });
    } finally {
      await mirror.close();
    }
  });

  it('uses a mirror without an ETag whose Last-Modified is the link’s', async () => {
    const mirror = await FaultServer.start();
    try {
      await withHarness(async ({ engine, server, dir, log }) => {
        const body = makeContent(2 * MiB);
        server.addFile('/a.bin', { body, faults: RATE });
        mirror.addFile('/a.bin', { body, etag: null, faults: RATE });
        const [task] = await engine.add([
          { url: server.url('/a.bin'), mirrors: [mirror.url('/a.bin')], connections: 6 },
        ]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'a.bin')), sha256(body));
        assert.deepEqual(dropped(log), []);
        assert.ok(
          mirror.stats.requests.some((r) => r.status === 206),
          'the mirror served ranges',
        );
      });
    } finally {
      await mirror.close();
    }
  });

  it('asks no mirror when the link shows no ETag or Last-Modified, saying why', async () => {
    const mirror = await FaultServer.start();
    try {
      await withHarness(async ({ engine, server, dir, log }) => {
        const body = makeContent(2 * MiB);
        const bare = { etag: null, lastModified: null, faults: RATE };
        server.addFile('/a.bin', { body, ...bare });
        mirror.addFile('/a.bin', { body, ...bare });
        const [task] = await engine.add([
          { url: server.url('/a.bin'), mirrors: [mirror.url('/a.bin')], connections: 6 },
        ]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'a.bin')), sha256(body));
        assert.equal(mirror.stats.requests.length, 0);
        assert.deepEqual(dropped(log), [
          'the link shows no ETag or Last-Modified: nothing can prove the mirror serves the same file',
        ]);
      });
    } finally {
      await mirror.close();
    }
  });
});
