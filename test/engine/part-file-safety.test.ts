import assert from 'node:assert/strict';
import { readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DownloadEngine } from '../../electron/engine/download-engine.ts';
import type { FaultServer } from '../support/fault-server.ts';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, tempDir } from '../support/fixtures.ts';

const KiB = 1024;

/** A 2 MiB download a quarter done at 256 KiB/s a connection: seconds left to change its folder. */
async function underWay(engine: DownloadEngine, server: FaultServer, dir: string) {
  const body = makeContent(2 * MiB, 'slow');
  server.addFile('/f.bin', { body, faults: { connectionRate: 256 * KiB } });
  const [task] = await engine.add([{ url: server.url('/f.bin'), dir, connections: 2 }]);
  const id = task!.id;
  await waitForTask(engine, id, (t) => t.fileName === 'f.bin' && t.downloaded >= MiB / 4);
  return { id, body, part: join(dir, 'f.bin.part') };
}

/** Someone else's file, outside the download folder, that a symbolic link will point to. */
async function withPrecious(fn: (precious: string) => Promise<void>): Promise<void> {
  const tmp = await tempDir();
  const precious = join(tmp.path, 'precious.dat');
  await writeFile(precious, 'precious\n');
  try {
    await fn(precious);
  } finally {
    await tmp.cleanup();
  }
}

describe("a download's .part changed by someone else", () => {
  it('resumes never through a .part replaced by a symbolic link: its target is untouched, the link left alone, the download done afresh under a free name', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      await withPrecious(async (precious) => {
        const { id, body, part } = await underWay(engine, server, dir);
        await engine.pause(id);
        await rm(part);
        await symlink(precious, part);

        await engine.resume(id);
        const done = await waitForEnd(engine, id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(done.fileName, 'f (1).bin');
        assert.equal(await readFile(precious, 'utf8'), 'precious\n', 'the target is untouched');
        assert.equal(sha256(await readFile(join(dir, 'f (1).bin'))), sha256(body));
        assert.deepEqual(await listDir(dir), ['f (1).bin', 'f.bin.part'], 'the link is left');
      });
    });
  });

  it('never publishes a .part replaced by a symbolic link while downloading: fails naming it, the target untouched', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      await withPrecious(async (precious) => {
        const { id, part } = await underWay(engine, server, dir);
        await rm(part);
        await symlink(precious, part);

        const done = await waitForEnd(engine, id);
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, 'FILE_REPLACED');
        assert.match(done.error!.message, new RegExp(`${part} was replaced`));
        assert.equal(await readFile(precious, 'utf8'), 'precious\n', 'the target is untouched');
        assert.deepEqual(await listDir(dir), ['f.bin.part'], 'nothing published as f.bin');
      });
    });
  });

  for (const [what, change] of [
    ['its .part deleted', (dir: string) => rm(join(dir, 'f.bin.part'))],
    ['its folder deleted', (dir: string) => rm(dir, { recursive: true })],
    ['its folder moved', (dir: string) => rename(dir, `${dir}-moved`)],
  ] as const) {
    it(`stops soon after ${what} mid-download, saying which, and a retry downloads it again`, async () => {
      await withHarness(async ({ engine, server, dir }) => {
        const { id, body, part } = await underWay(engine, server, dir);
        await change(dir);

        const done = await waitForEnd(engine, id);
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, 'FILE_GONE');
        assert.equal(
          done.error?.message,
          `${part} is gone: it or its folder ${dir} was deleted or moved while downloading`,
        );
        assert.ok(done.downloaded < body.length, 'not the whole file into one nobody will see');

        await engine.retry(id);
        const again = await waitForEnd(engine, id);
        assert.equal(again.state, 'completed', JSON.stringify(again.error));
        assert.equal(sha256(await readFile(join(dir, 'f.bin'))), sha256(body));
      });
    });
  }
});
