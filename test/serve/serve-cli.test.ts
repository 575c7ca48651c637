import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tempDir } from '../support/fixtures.ts';
import { startServeProcess } from '../support/serve-process.ts';

describe('braid serve (the CLI process)', () => {
  it('warns loudly when listening beyond loopback, and stops cleanly on SIGTERM', async () => {
    const dirs = await tempDir();
    try {
      const serve = await startServeProcess(['--host', '0.0.0.0'], {
        BRAID_HOME: `${dirs.path}/home`,
      });
      assert.match(
        serve.output(),
        /WARNING: listening on 0\.0\.0\.0, not on loopback, without TLS/,
      );
      assert.equal(await serve.stop(), 0);
    } finally {
      await dirs.cleanup();
    }
  });

  it('refuses a second engine on the same downloads with a clear message', async () => {
    const dirs = await tempDir();
    const env = { BRAID_HOME: `${dirs.path}/home` };
    const first = await startServeProcess([], env);
    try {
      await assert.rejects(
        startServeProcess([], env),
        /exited with 1[\s\S]*another Braid process \(pid \d+\) is using/,
      );
    } finally {
      assert.equal(await first.stop(), 0);
      await dirs.cleanup();
    }
  });

  it('rejects a bad port or a short token before starting anything', async () => {
    const dirs = await tempDir();
    try {
      await assert.rejects(
        startServeProcess(['--port', 'http'], { BRAID_HOME: dirs.path }),
        /exited with 2[\s\S]*--port/,
      );
      await assert.rejects(
        startServeProcess(['--token', 'short'], { BRAID_HOME: dirs.path }),
        /exited with 2[\s\S]*--token/,
      );
    } finally {
      await dirs.cleanup();
    }
  });
});
