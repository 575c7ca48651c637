import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import { waitForEnd } from '../support/engine-harness.ts';
import { MiB, sha256File, tempDir } from '../support/fixtures.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Live memory (JS heap and memory outside it) after a full collection: what the process really
 * holds. `external` counts the block-aligned batch buffers (WebAssembly memory), `arrayBuffers`
 * does not.
 */
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const FAULT_SERVER = new URL('../support/fault-server.ts', import.meta.url).href;

/** A fault server serving `path` as /huge.bin from a child process. */
function serveInChild(path: string): Promise<{ origin: string; child: ChildProcess }> {
  const script = `
    const { FaultServer } = await import(${JSON.stringify(FAULT_SERVER)});
    const server = await FaultServer.start();
    server.addFile('/huge.bin', { body: { path: ${JSON.stringify(path)} } });
    console.log(server.url('/'));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fault server exited with ${code}`)));
    child.stdout.setEncoding('utf8').once('data', (line: string) => {
      resolve({ origin: new URL(line.trim()).origin, child });
    });
  });
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
    // The server runs in its own process so that only the engine's memory is measured here.
    const server = await serveInChild(source);
    const engine = await DownloadEngine.open({
      home: join(tmp.path, 'home'),
      defaultDownloadDir: join(tmp.path, 'out'),
    });
    try {
      const baseline = liveBytes();
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, liveBytes())), 100);
      const [task] = await engine.add([{ url: `${server.origin}/huge.bin`, connections: 16 }]);
      const done = await waitForEnd(engine, task!.id, 120_000);
      clearInterval(sampler);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      const growthMiB = (peak - baseline) / MiB;
      console.log(
        `memory test: live memory grew ${growthMiB.toFixed(1)} MiB while moving ${size / MiB} MiB`,
      );
      // Anything that buffered the file would hold ~256 MiB. Measured alone: 33.5 MiB, 32 of it
      // the capacity of 16 connections' batch buffers (2 × 1 MiB each, of which their 320 KiB
      // batches touch a third); the margin keeps this from flaking.
      assert.ok(growthMiB < 64, `live memory grew by ${growthMiB.toFixed(1)} MiB`);
      assert.equal(await sha256File(join(tmp.path, 'out', 'huge.bin')), await sha256File(source));
    } finally {
      await engine.close();
      server.child.kill();
      await tmp.cleanup();
    }
  });
});
