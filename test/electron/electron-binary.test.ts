import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { electronBinary } from '../../scripts/electron-binary.ts';
import { tempDir } from '../support/fixtures.ts';

// The executable's name inside a dist folder, as the electron package records it once installed.
const PATH_TXT = new URL('../../node_modules/electron/path.txt', import.meta.url);
const NAME = existsSync(PATH_TXT) ? readFileSync(PATH_TXT, 'utf8').trim() : 'electron';

describe('finding the Electron executable', () => {
  it('uses ELECTRON_OVERRIDE_DIST_PATH when it holds the executable', async () => {
    const dist = await tempDir('braid-electron-dist-');
    try {
      await writeFile(join(dist.path, NAME), '', { mode: 0o755 });
      assert.equal(
        electronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist.path }),
        join(dist.path, NAME),
      );
    } finally {
      await dist.cleanup();
    }
  });

  it('answers null, without downloading anything, when the executable is missing', async () => {
    const dist = await tempDir('braid-electron-dist-');
    try {
      assert.equal(electronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist.path }), null);
    } finally {
      await dist.cleanup();
    }
  });
});
