import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DIRECT_BLOCK } from '../../electron/engine/direct-io.ts';
import { PartFile } from '../../electron/engine/part-file.ts';
import type { Segment } from '../../electron/engine/segment-planner.ts';
import {
  BATCH_BUDGET,
  BATCH_MAX,
  BATCH_MIN,
  batchBytes,
  planConnections,
  SegmentWriter,
} from '../../electron/engine/segment-writer.ts';
import { makeContent, MiB, tempDir } from '../support/fixtures.ts';

const KiB = 1024;

/** Streams `data` through a writer as a connection would, in reads of 64 KiB; returns write sizes. */
async function writeThrough(path: string, data: Buffer): Promise<number[]> {
  const file = await PartFile.create(path, { direct: false });
  const writes: number[] = [];
  const writeAt = file.writeAt.bind(file);
  file.writeAt = (bytes, position) => {
    writes.push(bytes.length);
    return writeAt(bytes, position);
  };
  const segment: Segment = {
    start: 0,
    end: data.length,
    pos: 0,
    written: 0,
    owner: 1,
    requestEnd: data.length,
  };
  const writer = new SegmentWriter(file, segment, () => undefined);
  for (let at = 0; at < data.length;) {
    const space = writer.space(data.length - at);
    const n = Math.min(space.length, 64 * KiB, data.length - at);
    data.copy(space, 0, at, at + n);
    at += n;
    await writer.took(n, 0);
  }
  await writer.flush();
  await file.close();
  assert.deepEqual(await readFile(path), data);
  return writes;
}

describe('write batches', () => {
  it('share one memory budget equally among connections, in whole disk blocks, within bounds', () => {
    assert.equal(batchBytes(1), BATCH_MAX);
    assert.equal(batchBytes(8), 640 * KiB);
    assert.equal(batchBytes(100), BATCH_MIN);
    for (const connections of [1, 3, 7, 8, 13, 16, 32]) {
      const batch = batchBytes(connections);
      assert.equal(batch % DIRECT_BLOCK, 0, `${connections} connections: ${batch}`);
      assert.ok(batch >= BATCH_MIN && batch <= BATCH_MAX);
      // Two buffers per connection: the one filling and the one being written.
      if (batch > BATCH_MIN) assert.ok(2 * connections * batch <= BATCH_BUDGET);
    }
  });

  it('are sized by the connections downloads plan, from the first writer on, until they stop', async () => {
    const tmp = await tempDir();
    try {
      const data = makeContent(3 * MiB);
      const unplan = planConnections(8);
      const planned = await writeThrough(join(tmp.path, 'planned.part'), data);
      unplan();
      unplan(); // stopping twice frees the share once
      const alone = await writeThrough(join(tmp.path, 'alone.part'), data);
      assert.deepEqual(planned.slice(0, 4), [640 * KiB, 640 * KiB, 640 * KiB, 640 * KiB]);
      assert.deepEqual(alone.slice(0, 2), [MiB, MiB]);
    } finally {
      await tmp.cleanup();
    }
  });

  it('let a waiting reader take a new buffer unless two batches are still being written', async () => {
    const tmp = await tempDir();
    try {
      const file = await PartFile.create(join(tmp.path, 'held.part'), { direct: false });
      const held: (() => void)[] = [];
      let hold = true;
      const writeAt = file.writeAt.bind(file);
      // While `hold`, the disk completes a write only when the test says so.
      file.writeAt = (bytes, position) =>
        hold
          ? new Promise<void>((resolve) => held.push(resolve)).then(() => writeAt(bytes, position))
          : writeAt(bytes, position);
      const size = 4 * BATCH_MAX;
      const segment: Segment = {
        start: 0,
        end: size,
        pos: 0,
        written: 0,
        owner: 1,
        requestEnd: size,
      };
      const writer = new SegmentWriter(file, segment, () => undefined);
      const fill = () => {
        const space = writer.space(size);
        space.fill(7);
        return writer.took(space.length, 0);
      };
      assert.equal(writer.hasRoom(), true, 'no buffer yet: the first is fine');
      assert.equal(fill(), undefined, 'a first full batch goes to the disk without waiting');
      assert.equal(writer.hasRoom(), true, 'one batch out: a second buffer is fine');
      const diskWait = fill();
      assert.ok(diskWait instanceof Promise, 'the second full batch waits for the first');
      assert.equal(writer.hasRoom(), false, 'two batches out: no third buffer');
      await new Promise((resolve) => setImmediate(resolve));
      held.shift()!();
      await diskWait;
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(writer.hasRoom(), true, 'the first batch written');
      hold = false;
      for (const release of held.splice(0)) release();
      await writer.flush();
      await file.close();
    } finally {
      await tmp.cleanup();
    }
  });
});
