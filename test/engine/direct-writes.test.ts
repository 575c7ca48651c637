import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  alignedBuffers,
  DIRECT_BLOCK,
  DirectRateGauge,
  O_DIRECT,
  splitForDirect,
} from '../../electron/engine/direct-io.ts';
import { PartFile } from '../../electron/engine/part-file.ts';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import { makeContent, MiB, sha256, sha256File, tempDir } from '../support/fixtures.ts';
import { openModes } from '../support/open-modes.ts';

const KiB = 1024;

/** Whether the folder's filesystem takes O_DIRECT (ext4, xfs, tmpfs since Linux 6.6 do). */
async function directIoIn(dir: string): Promise<string | null> {
  if (O_DIRECT === undefined) return 'this platform has no O_DIRECT';
  try {
    await (
      await open(join(dir, 'probe'), constants.O_CREAT | constants.O_WRONLY | O_DIRECT)
    ).close();
    return null;
  } catch (error) {
    return `the temp folder's filesystem refuses O_DIRECT (${(error as Error).message})`;
  }
}

/** Runs `fn` in a fresh temp folder whose filesystem takes O_DIRECT; skips, saying why, elsewhere. */
async function inDirectIoDir(t: TestContext, fn: (dir: string) => Promise<void>): Promise<void> {
  const tmp = await tempDir();
  try {
    const skip = await directIoIn(tmp.path);
    if (skip) {
      console.log(`SKIPPED: direct writes: ${skip}`);
      t.skip(skip);
      return;
    }
    await fn(tmp.path);
  } finally {
    await tmp.cleanup();
  }
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting: ${what}`);
}

describe('direct writes', () => {
  it('split a write into a cached head and tail around the whole blocks in it', () => {
    const B = DIRECT_BLOCK;
    assert.deepEqual(splitForDirect(0, 64 * B), { bodyStart: 0, bodyEnd: 64 * B });
    assert.deepEqual(splitForDirect(B + 100, 3 * B), { bodyStart: B - 100, bodyEnd: 3 * B - 100 });
    assert.deepEqual(splitForDirect(2 * B, B + 7), { bodyStart: 0, bodyEnd: B });
    assert.deepEqual(splitForDirect(10, 100), { bodyStart: 100, bodyEnd: 100 }, 'no whole block');
    assert.deepEqual(splitForDirect(B - 1, B), { bodyStart: B, bodyEnd: B }, 'two partial blocks');
  });

  it('get block-aligned buffers, which the kernel takes for O_DIRECT where Node buffers fail', async (t) => {
    await inDirectIoDir(t, async (dir) => {
      const buffers = alignedBuffers(256 * KiB, 4);
      assert.ok(buffers, 'this runtime makes aligned memory');
      const handle = await open(join(dir, 'f'), constants.O_CREAT | constants.O_WRONLY | O_DIRECT!);
      try {
        for (const [i, b] of buffers.entries()) {
          b.fill(i + 1);
          const { bytesWritten } = await handle.write(b, 0, b.length, i * b.length);
          assert.equal(bytesWritten, b.length);
        }
        const plain = Buffer.allocUnsafeSlow(256 * KiB + DIRECT_BLOCK).subarray(1);
        await assert.rejects(handle.write(plain, 0, DIRECT_BLOCK, 0), { code: 'EINVAL' });
      } finally {
        await handle.close();
      }
      const back = await readFile(join(dir, 'f'));
      for (let i = 0; i < 4; i++) assert.equal(back[i * 256 * KiB + 5], i + 1);
    });
  });

  it('write whole blocks past the page cache and the ragged ends through it, byte for byte', async (t) => {
    await inDirectIoDir(t, async (dir) => {
      const path = join(dir, 'file.part');
      const content = makeContent(3 * 256 * KiB + 12_345);
      const file = await PartFile.create(path, { direct: true });
      assert.equal(file.direct, true);
      assert.deepEqual(
        (await openModes(path)).sort(),
        [false, true],
        'a cached and a direct handle',
      );
      // As a segment writer lays batches out: each at its offset's place in a block, in buffers
      // of 256 KiB, written out of order and with odd starts and ends.
      const cuts = [0, 777, 256 * KiB, 300_001, 2 * 256 * KiB + 5, content.length];
      const [buffer] = alignedBuffers(256 * KiB, 1)!;
      for (const i of [3, 0, 4, 2, 1]) {
        const from = cuts[i]!;
        const to = cuts[i + 1]!;
        for (let start = from; start < to;) {
          const offset = start % DIRECT_BLOCK;
          const end = Math.min(to, start + 256 * KiB - offset);
          content.copy(buffer!, offset, start, end);
          await file.writeAt(buffer!.subarray(offset, offset + end - start), start);
          start = end;
        }
      }
      await file.sync();
      assert.equal(file.direct, true, 'no write was refused');
      await file.close();
      assert.equal(sha256(await readFile(path)), sha256(content));
    });
  });

  it('go on through the page cache, losing nothing, when the kernel refuses a direct write', async (t) => {
    await inDirectIoDir(t, async (dir) => {
      const path = join(dir, 'file.part');
      const content = makeContent(64 * KiB);
      const file = await PartFile.create(path, { direct: true });
      // Node's own buffer, not block-aligned: O_DIRECT fails with EINVAL.
      const unaligned = Buffer.allocUnsafeSlow(content.length + 1).subarray(1);
      content.copy(unaligned);
      await file.writeAt(unaligned, 0);
      assert.equal(file.direct, false, 'later writes are cached');
      assert.deepEqual(await openModes(path), [false], 'the direct handle is closed');
      await file.close();
      assert.equal(sha256(await readFile(path)), sha256(content));
    });
  });

  it('switch a file to cached writes, losing nothing, once its disk is judged too slow', async (t) => {
    await inDirectIoDir(t, async (dir) => {
      const path = join(dir, 'file.part');
      const content = makeContent(8 * 256 * KiB);
      // A rate no disk reaches, judged after the first 512 KiB: the real disk is "too slow".
      const gauge = new DirectRateGauge(Number.MAX_SAFE_INTEGER, 512 * KiB);
      const file = await PartFile.create(path, { direct: true, gauge });
      const buffers = alignedBuffers(256 * KiB, 8)!;
      const writes = buffers.map((b, i) => {
        content.copy(b, 0, i * b.length, (i + 1) * b.length);
        return file.writeAt(b, i * b.length);
      });
      await Promise.all(writes);
      assert.equal(file.direct, false, 'later writes went through the page cache');
      await waitFor(async () => (await openModes(path)).join() === 'false', 'direct handle closed');
      await file.sync();
      await file.close();
      assert.equal(sha256(await readFile(path)), sha256(content));
    });
  });

  it('stop direct writes without failing the write that is on its way to the direct handle', async (t) => {
    await inDirectIoDir(t, async (dir) => {
      // Two lanes: a pure-direct write gets judged "too slow" while the other lane's write, which
      // starts mid-block, is writing its cached head and has yet to write its blocks directly.
      // Closing the direct handle then failed that write with "file closed" about every other
      // round (a bench run lost a download to it); 40 rounds make a miss all but impossible.
      const content = makeContent(4 * DIRECT_BLOCK);
      const [a, b] = alignedBuffers(4 * DIRECT_BLOCK, 2)!;
      for (let round = 0; round < 40; round++) {
        const path = join(dir, `file-${round}.part`);
        const gauge = new DirectRateGauge(Number.MAX_SAFE_INTEGER, 1);
        const file = await PartFile.create(path, { direct: true, gauge });
        const cut = DIRECT_BLOCK + 1 + ((round * 97) % (DIRECT_BLOCK - 1));
        content.copy(a!, 0, 0, DIRECT_BLOCK);
        content.copy(b!, cut % DIRECT_BLOCK, cut);
        const body = b!.subarray(cut % DIRECT_BLOCK, (cut % DIRECT_BLOCK) + content.length - cut);
        await Promise.all([file.writeAt(a!.subarray(0, DIRECT_BLOCK), 0), file.writeAt(body, cut)]);
        await file.writeAt(Buffer.from(content.subarray(DIRECT_BLOCK, cut)), DIRECT_BLOCK);
        assert.equal(file.direct, false, 'judged too slow');
        await file.close();
        assert.equal(sha256(await readFile(path)), sha256(content), `round ${round}`);
      }
    });
  });

  it('give up on a disk that takes direct writes slowly, judged by its busy time', () => {
    let now = 0;
    const gauge = new DirectRateGauge(100 * MiB, 4 * MiB, () => now);
    // Two writes in flight at a time, 1 MiB each, 10 ms of disk time per pair: 200 MiB/s.
    for (let i = 0; i < 2; i++) {
      gauge.start();
      gauge.start();
      now += 10;
      assert.equal(gauge.done(MiB), 'fine');
      assert.equal(gauge.done(MiB), 'fine', 'overlapping writes count their time once');
      now += 50; // idle: the network is the bottleneck, not the disk
    }
    const slow = new DirectRateGauge(100 * MiB, 4 * MiB, () => now);
    const verdicts = [];
    for (let i = 0; i < 6; i++) {
      slow.start();
      now += 20; // a seek and a write: 50 MiB/s
      verdicts.push(slow.done(MiB));
    }
    assert.deepEqual(verdicts, ['fine', 'fine', 'fine', 'too slow', 'fine', 'fine'], 'judged once');
  });

  it('downloads a big file with direct writes over many connections, through a pause, byte-identical', async (t) => {
    // The harness makes its own folders, on the filesystem the probe found taking O_DIRECT.
    await inDirectIoDir(t, () =>
      withHarness(
        async ({ engine, server, dir }) => {
          const body = makeContent(6 * MiB + 4321);
          server.addFile('/big.iso', { body, faults: { connectionRate: 2 * MiB } });
          const [task] = await engine.add([{ url: server.url('/big.iso'), connections: 6 }]);
          await waitForTask(engine, task!.id, (s) => s.downloaded > 2 * MiB);
          const modes = await openModes(join(dir, 'big.iso.part'));
          assert.ok(modes.includes(true), `the part file is open for direct writes (${modes})`);
          await engine.pause(task!.id);
          await engine.resume(task!.id);
          await waitForTask(engine, task!.id, (s) => s.downloaded > 4 * MiB);
          const resumed = await openModes(join(dir, 'big.iso.part'));
          assert.ok(resumed.includes(true), `and again once resumed (${resumed})`);
          const done = await waitForEnd(engine, task!.id);
          assert.equal(done.state, 'completed', JSON.stringify(done.error));
          assert.equal(await sha256File(join(dir, 'big.iso')), sha256(body));
        },
        { directWriteMinSize: 4 * MiB },
      ),
    );
  });

  it('keeps small files in the page cache', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const body = makeContent(3 * MiB);
        server.addFile('/small.bin', { body, faults: { connectionRate: 2 * MiB } });
        const [task] = await engine.add([{ url: server.url('/small.bin'), connections: 2 }]);
        await waitForTask(engine, task!.id, (s) => s.downloaded > 256 * KiB);
        assert.deepEqual(await openModes(join(dir, 'small.bin.part')), [false]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'small.bin')), sha256(body));
      },
      { directWriteMinSize: 4 * MiB },
    );
  });
});
