import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, tempDir } from '../support/fixtures.ts';

const BIN = new URL('../../bin/braid.js', import.meta.url).pathname;
const HOOK = new URL('../support/loaded-modules-hook.mjs', import.meta.url).pathname;

describe('braid get start-up footprint', () => {
  it('downloads over plain HTTP with a small young generation, without TLS, undici or Node’s bundled undici', async () => {
    const server = await FaultServer.start();
    const tmp = await tempDir();
    try {
      server.addFile('/small.bin', { body: makeContent(64 * 1024) });
      // Asynchronously: the server answering it runs in this process.
      const run = await promisify(execFile)(
        process.execPath,
        ['--import', HOOK, BIN, 'get', server.url('/small.bin'), '-d', tmp.path, '--quiet'],
        { env: { ...process.env, BRAID_HOME: join(tmp.path, 'home') } },
      );
      const loaded = run.stderr.split('\n');
      assert.ok(loaded.includes('builtin net'), 'the hook saw the modules');
      // Each costs megabytes at every start (node:http's ESM facade alone pulls in ~17 MB).
      if (process.platform !== 'win32') {
        assert.ok(loaded.includes('flag --max-semi-space-size=1'), 'a small young generation');
      }
      for (const heavy of ['builtin tls', 'builtin internal/deps/undici/undici', 'package undici'])
        assert.ok(!loaded.includes(heavy), `${heavy} was loaded`);
    } finally {
      await server.close();
      await tmp.cleanup();
    }
  });
});
