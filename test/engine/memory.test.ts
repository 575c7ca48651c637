import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import { waitForEnd } from '../support/engine-harness.ts';
import { FaultServer } from '../support/fault-server.ts';
import { MiB, sha256File, tempDir } from '../support/fixtures.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live memory (JS heap and buffers) after a full collection: what the process really holds. */
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('memory', () => {
  it('stays bounded while streaming a file far larger than memory use, over many connections', async () => {
    const tmp = await tempDir();
    const source = join(tmp.path, 'source.bin');
    const size = 256 * MiB;
    // A sparse-free file of non-repeating blocks, written once without holding it in memory.
    const handle = await open(source, 'w');
    const block = Buffer.alloc(MiB);
    for (let i = 0; i < size / MiB; i++) {
      block.fill(i % 251);
      block.writeUInt32LE(i, 0);
      await handle.write(block);
    }
    await handle.close();
    const server = await FaultServer.start();
    server.addFile('/huge.bin', { body: { path: source } });
    const engine = await DownloadEngine.open({
      home: join(tmp.path, 'home'),
      defaultDownloadDir: join(tmp.path, 'out'),
    });
    try {
      const baseline = liveBytes();
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, liveBytes())), 100);
      const [task] = await engine.add([{ url: server.url('/huge.bin'), connections: 16 }]);
      const done = await waitForEnd(engine, task!.id, 120_000);
      clearInterval(sampler);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      const growthMiB = (peak - baseline) / MiB;
      console.log(
        `memory test: live memory grew ${growthMiB.toFixed(1)} MiB while moving ${size / MiB} MiB`,
      );
      // Server and engine share this process; anything that buffered the file would hold ~256 MiB.
      assert.ok(growthMiB < 48, `live memory grew by ${growthMiB.toFixed(1)} MiB`);
      assert.equal(await sha256File(join(tmp.path, 'out', 'huge.bin')), await sha256File(source));
    } finally {
      await engine.close();
      await server.close();
      await tmp.cleanup();
    }
  });
});
