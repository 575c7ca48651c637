import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, sha256, sha256File, MiB } from '../support/fixtures.ts';

describe('mirrors', () => {
  it('feeds one download from the primary and its mirrors, byte-identical', async () => {
    const mirror = await FaultServer.start();
    try {
      await withHarness(async ({ engine, server, dir }) => {
        const body = makeContent(4 * MiB);
        // Each server alone is slow; together they share the work.
        server.addFile('/iso/release.iso', { body, faults: { connectionRate: 512 * 1024 } });
        mirror.addFile('/mirror/release.iso', { body, faults: { connectionRate: 512 * 1024 } });
        const [task] = await engine.add([
          {
            url: server.url('/iso/release.iso'),
            mirrors: [mirror.url('/mirror/release.iso')],
            connections: 6,
          },
        ]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'release.iso')), sha256(body));
        assert.ok(mirror.stats.requests.length > 0, 'the mirror served ranges');
        assert.ok(server.stats.requests.length > 0, 'the primary served ranges');
      });
    } finally {
      await mirror.close();
    }
  });

  it('drops a mirror whose file differs and finishes from the primary', async () => {
    const mirror = await FaultServer.start();
    try {
      await withHarness(async ({ engine, server, dir }) => {
        const body = makeContent(2 * MiB);
        server.addFile('/a.bin', { body });
        mirror.addFile('/a.bin', { body: makeContent(2 * MiB, 'another build') });
        const [task] = await engine.add([
          { url: server.url('/a.bin'), mirrors: [mirror.url('/a.bin')] },
        ]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'a.bin')), sha256(body));
        // Connections that asked at the same moment each got one answer; none asked again.
        assert.ok(mirror.stats.requests.length <= 8, `${mirror.stats.requests.length} requests`);
      });
    } finally {
      await mirror.close();
    }
  });

  it('drops an unreachable mirror', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(MiB);
      server.addFile('/b.bin', { body });
      const [task] = await engine.add([
        { url: server.url('/b.bin'), mirrors: ['http://127.0.0.1:9/b.bin'] },
      ]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'b.bin')), sha256(body));
    });
  });

  it('refuses non-http mirrors when the task is added', async () => {
    await withHarness(async ({ engine, server }) => {
      await assert.rejects(
        engine.add([{ url: server.url('/c.bin'), mirrors: ['file:///etc/passwd'] }]),
        /only http: and https:/,
      );
    });
  });
});
