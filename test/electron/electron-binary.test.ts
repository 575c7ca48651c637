import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { electronBinary, installElectron, installFailure } from '../../scripts/electron-binary.ts';
import { tempDir } from '../support/fixtures.ts';

// The executable's name inside a dist folder, as the electron package records it once installed.
const PATH_TXT = new URL('../../node_modules/electron/path.txt', import.meta.url);
const NAME = existsSync(PATH_TXT) ? readFileSync(PATH_TXT, 'utf8').trim() : 'electron';

// What node_modules/electron/install.js prints here, without network.
const OFFLINE = `TypeError: fetch failed
    at node:internal/deps/undici/undici:14976:13
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
    at async FetchDownloader.download (file:///x/node_modules/@electron/get/dist/FetchDownloader.js:46:30)
`;

/** Runs `body` as a stand-in installer script. */
async function withInstaller<T>(body: string, fn: (installer: string) => Promise<T>): Promise<T> {
  const dir = await tempDir('braid-electron-install-');
  try {
    const installer = join(dir.path, 'install.cjs');
    await writeFile(installer, body);
    return await fn(installer);
  } finally {
    await dir.cleanup();
  }
}

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

describe('installing the Electron binary (npm start)', () => {
  it('says why the installer failed in one line, without its stack trace', async () => {
    const outcome = await withInstaller(
      `process.stderr.write(${JSON.stringify(OFFLINE)}); process.exit(1);`,
      (installer) => installElectron({ installer }),
    );
    assert.deepEqual(outcome, { ok: false, summary: 'TypeError: fetch failed' });
  });

  it('stops an installer that does not finish in time', async () => {
    const outcome = await withInstaller('setInterval(() => {}, 1000);', (installer) =>
      installElectron({ installer, timeoutMs: 200 }),
    );
    assert.equal(outcome.ok, false);
    assert.match(outcome.summary, /^no answer within/);
  });

  it('reports success when the installer exits cleanly', async () => {
    const outcome = await withInstaller('process.exit(0);', (installer) =>
      installElectron({ installer }),
    );
    assert.equal(outcome.ok, true);
  });

  it('keeps the message lines of an HTTP failure', () => {
    assert.equal(
      installFailure(
        'HTTPError: Response code 404 (Not Found) for https://github.com/electron/electron/releases/x.zip\n    at f (x.js:1:1)\n',
      ),
      'HTTPError: Response code 404 (Not Found) for https://github.com/electron/electron/releases/x.zip',
    );
    assert.equal(installFailure(''), null);
  });
});
