import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { SettingsPatch } from '../../shared/api/settings.ts';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import { FaultServer } from '../support/fault-server.ts';
import { resumeToCompletion, waitForEnd, TEST_SETTINGS } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, sha256File, tempDir } from '../support/fixtures.ts';
import { mountSmallDisk, type SmallDisk } from '../support/small-disk.ts';

/** An engine downloading from a fault server onto a tmpfs of 1 MiB (skipped where none mounts). */
async function onSmallDisk(
  t: TestContext,
  settings: SettingsPatch,
  fn: (h: { disk: SmallDisk; server: FaultServer; engine: DownloadEngine }) => Promise<void>,
): Promise<void> {
  const disk = await mountSmallDisk(t, '1m');
  if (!disk) return;
  const tmp = await tempDir();
  const server = await FaultServer.start();
  const engine = await DownloadEngine.open({
    home: join(tmp.path, 'home'),
    settings: { ...TEST_SETTINGS, ...settings },
  });
  try {
    await fn({ disk, server, engine });
  } finally {
    await engine.close();
    await server.close();
    await disk.cleanup();
    await tmp.cleanup();
  }
}

describe('a full disk', () => {
  // Both ways a file is written: through the page cache, and past it (tmpfs takes O_DIRECT since
  // Linux 6.6; before, the direct setting falls back to cached writes).
  for (const writes of ['cached', 'direct'] as const) {
    it(`pauses with a clear disk-full error, loses nothing, and completes once space is freed (${writes} writes)`, async (t) => {
      const settings = { directWriteMinSize: writes === 'direct' ? 1 : 0 };
      await onSmallDisk(t, settings, async ({ disk, server, engine }) => {
        const { dir } = disk;
        const body = makeContent(3 * MiB);
        server.addFile('/big.iso', { body });
        const [task] = await engine.add([{ url: server.url('/big.iso'), dir, connections: 4 }]);
        const stopped = await waitForEnd(engine, task!.id);
        assert.equal(stopped.state, 'paused');
        assert.equal(stopped.error?.code, 'DISK_FULL');
        assert.match(stopped.error!.message, /disk|space/i);
        assert.deepEqual(await listDir(dir), ['big.iso.part'], 'nothing under the final name');

        disk.resize('8m');
        const resumed = await resumeToCompletion(
          engine,
          server,
          task!.id,
          join(dir, 'big.iso'),
          body,
        );
        for (const r of resumed) {
          assert.ok(
            !r.range?.startsWith('bytes=0-'),
            `bytes already on disk are not fetched again (${r.range})`,
          );
        }
      });
    });
  }

  it('pauses before the first byte when the file cannot fit, saying how much it needs, and completes once there is room', async (t) => {
    await onSmallDisk(t, {}, async ({ disk, server, engine }) => {
      const { dir } = disk;
      const body = makeContent(20 * MiB);
      server.addFile('/big.iso', { body });
      const [task] = await engine.add([{ url: server.url('/big.iso'), dir, connections: 4 }]);
      const stopped = await waitForEnd(engine, task!.id);
      assert.equal(stopped.state, 'paused');
      assert.equal(stopped.error?.code, 'DISK_FULL');
      assert.match(stopped.error!.message, /^the file needs 20\.0 MiB and its disk has .* free/);
      assert.equal(stopped.downloaded, 0);
      assert.equal(server.stats.requests.length, 1, 'only the first answer was asked for');

      disk.resize('32m');
      await engine.resume(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.deepEqual(await listDir(dir), ['big.iso']);
      assert.equal(await sha256File(join(dir, 'big.iso')), sha256(body));
    });
  });
});
