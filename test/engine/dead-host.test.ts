import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import type { EngineLogRecord } from '../../electron/engine/engine-log.ts';
import { FaultServer } from '../support/fault-server.ts';
import { TEST_SETTINGS, waitForEnd } from '../support/engine-harness.ts';
import { makeContent, tempDir } from '../support/fixtures.ts';

describe('a host that answers nothing', () => {
  it('fails the rest of a list at their first refusal once one download spent its retries, and tries it afresh once it answers', async () => {
    const tmp = await tempDir();
    // A port nothing listens on (yet).
    const probe = await FaultServer.start();
    const port = Number(new URL(probe.url('/')).port);
    await probe.close();
    const log: EngineLogRecord[] = [];
    const engine = await DownloadEngine.open({
      home: join(tmp.path, 'home'),
      settings: { ...TEST_SETTINGS, maxRetries: 2, maxConcurrent: 2 },
      log: (record) => log.push(record),
    });
    let server: FaultServer | null = null;
    try {
      const urls = Array.from({ length: 8 }, (_, i) => ({
        url: `http://127.0.0.1:${port}/f${i}.bin`,
        dir: join(tmp.path, 'out'),
      }));
      const tasks = await engine.add(urls);
      for (const task of tasks) {
        const end = await waitForEnd(engine, task.id);
        assert.equal(end.state, 'failed');
        assert.equal(end.error?.code, 'ECONNREFUSED');
      }
      const retries = log.filter((r) => r.event === 'retry').length;
      // Each download retrying on its own: 8 × 2. One series (two at a time): at most 2 × 2.
      assert.ok(retries <= 4, `${retries} retries`);

      server = await FaultServer.start({ port });
      const body = makeContent(64 * 1024);
      server.addFile('/back.bin', { body });
      const [back] = await engine.add([
        { url: `http://127.0.0.1:${port}/back.bin`, dir: join(tmp.path, 'out') },
      ]);
      assert.equal((await waitForEnd(engine, back!.id)).state, 'completed');
    } finally {
      await engine.close();
      await server?.close();
      await tmp.cleanup();
    }
  });
});
