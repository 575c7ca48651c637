import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import { FaultServer } from '../support/fault-server.ts';
import { resumeToCompletion, waitForEnd, TEST_SETTINGS } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, tempDir } from '../support/fixtures.ts';

function tryMountTmpfs(dir: string, size: string): string | null {
  if (process.getuid?.() !== 0) return 'not running as root, cannot mount a small tmpfs';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

describe('a full disk', () => {
  // Both ways a file is written: through the page cache, and past it (tmpfs takes O_DIRECT since
  // Linux 6.6; before, the direct setting falls back to cached writes).
  for (const writes of ['cached', 'direct'] as const) {
    it(`pauses with a clear disk-full error, loses nothing, and completes once space is freed (${writes} writes)`, async (t) => {
      const tmp = await tempDir();
      const dir = join(tmp.path, 'small-disk');
      await mkdir(dir);
      const skip = tryMountTmpfs(dir, '1m');
      if (skip) {
        console.log(`SKIPPED: disk-full test: ${skip}`);
        t.skip(skip);
        await tmp.cleanup();
        return;
      }
      const server = await FaultServer.start();
      const engine = await DownloadEngine.open({
        home: join(tmp.path, 'home'),
        settings: { ...TEST_SETTINGS, directWriteMinSize: writes === 'direct' ? 1 : 0 },
      });
      try {
        const body = makeContent(3 * MiB);
        server.addFile('/big.iso', { body });
        const [task] = await engine.add([{ url: server.url('/big.iso'), dir, connections: 4 }]);
        const stopped = await waitForEnd(engine, task!.id);
        assert.equal(stopped.state, 'paused');
        assert.equal(stopped.error?.code, 'DISK_FULL');
        assert.match(stopped.error!.message, /disk|space/i);
        assert.deepEqual(await listDir(dir), ['big.iso.part'], 'nothing under the final name');

        execFileSync('mount', ['-o', 'remount,size=8m', dir]);
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
      } finally {
        await engine.close();
        await server.close();
        execFileSync('umount', [dir]);
        await tmp.cleanup();
      }
    });
  }
});
