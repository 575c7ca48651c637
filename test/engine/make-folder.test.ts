import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeFolder } from '../../electron/engine/make-folder.ts';
import { tempDir } from '../support/fixtures.ts';

describe('making a download folder', () => {
  it('makes the missing folders of a path, and accepts one that exists', async () => {
    const tmp = await tempDir();
    try {
      const deep = join(tmp.path, 'a', 'b', 'c');
      await makeFolder(deep, 0o700);
      assert.ok((await stat(deep)).isDirectory());
      assert.equal((await stat(join(tmp.path, 'a'))).mode & 0o777, 0o700);
      await makeFolder(deep);
      await mkdir(join(tmp.path, 'x'));
      await makeFolder(join(tmp.path, 'x'));
    } finally {
      await tmp.cleanup();
    }
  });

  it('refuses a path where a file stands', async () => {
    const tmp = await tempDir();
    try {
      await writeFile(join(tmp.path, 'file'), 'mine');
      await assert.rejects(makeFolder(join(tmp.path, 'file')), { code: 'EEXIST' });
      await assert.rejects(makeFolder(join(tmp.path, 'file', 'sub')), { code: 'ENOTDIR' });
    } finally {
      await tmp.cleanup();
    }
  });

  it(
    'gives up with a clear error under /proc, where Node’s recursive mkdir spins forever',
    {
      timeout: 10_000,
    },
    async (t) => {
      if (!existsSync('/proc/self')) return t.skip('needs Linux /proc');
      await assert.rejects(makeFolder('/proc/braid-test/downloads'), {
        code: 'ENOENT',
        message:
          'cannot make the folder /proc/braid-test: its file system takes no new folders there',
      });
    },
  );
});
