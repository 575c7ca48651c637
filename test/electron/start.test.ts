import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sandboxFlags } from '../../scripts/electron-flags.ts';
import { tempDir } from '../support/fixtures.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PATH_TXT = join(ROOT, 'node_modules/electron/path.txt');
const NAME = existsSync(PATH_TXT) ? readFileSync(PATH_TXT, 'utf8').trim() : 'electron';

describe('npm start', { skip: process.platform === 'win32' && 'a shell-script Electron' }, () => {
  it('runs Electron on the app with the arguments given, without the sandbox only as root on Linux', async () => {
    const dist = await tempDir('braid-start-');
    try {
      // A stand-in Electron that says what it was given.
      await writeFile(join(dist.path, NAME), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
      const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/start.ts'), '--x'], {
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist.path },
      });
      const expected = [...sandboxFlags(process.platform, process.getuid?.()), ROOT, '--x'];
      assert.deepEqual(stdout.trimEnd().split('\n'), expected);
    } finally {
      await dist.cleanup();
    }
  });
});
