import assert from 'node:assert/strict';
import { link, lstat, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DownloadError } from '../../electron/engine/errors.ts';
import { publishPart } from '../../electron/engine/publish-file.ts';
import type { FileIdentity } from '../../electron/engine/regular-file.ts';
import { listDir, tempDir } from '../support/fixtures.ts';

/** Runs `fn` in a fresh folder holding `files` (name → content), removed afterwards. */
async function inFolder(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const tmp = await tempDir();
  try {
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(tmp.path, name), content);
    }
    await fn(tmp.path);
  } finally {
    await tmp.cleanup();
  }
}

/** The file now at `path`, as the download's open handle knows the file it wrote. */
async function identity(path: string): Promise<FileIdentity> {
  const { dev, ino } = await lstat(path, { bigint: true });
  return { dev, ino };
}

/** Our finished `a.iso.part`, and an `a.iso` someone else put there meanwhile. */
const NAME_TAKEN = { 'a.iso.part': 'ours', 'a.iso': 'theirs' };

describe('publishing a finished download', () => {
  it('renames the .part file to its final name', async () => {
    await inFolder({ 'a.iso.part': 'data' }, async (dir) => {
      const written = await identity(join(dir, 'a.iso.part'));
      assert.equal(await publishPart(dir, 'a.iso', written, () => false), 'a.iso');
      assert.deepEqual(await listDir(dir), ['a.iso']);
      assert.equal(await readFile(join(dir, 'a.iso'), 'utf8'), 'data');
    });
  });

  it('completes a publish killed between link and unlink: one file, no second copy', async () => {
    await inFolder({ 'a.iso.part': 'ours' }, async (dir) => {
      await link(join(dir, 'a.iso.part'), join(dir, 'a.iso'));
      const written = await identity(join(dir, 'a.iso.part'));
      assert.equal(await publishPart(dir, 'a.iso', written, () => false), 'a.iso');
      assert.deepEqual(await listDir(dir), ['a.iso']);
      assert.equal(await readFile(join(dir, 'a.iso'), 'utf8'), 'ours');
    });
  });

  it('never replaces a file that appeared under the final name during the download', async () => {
    await inFolder(NAME_TAKEN, async (dir) => {
      const written = await identity(join(dir, 'a.iso.part'));
      const name = await publishPart(dir, 'a.iso', written, (c) => c === 'a (1).iso');
      assert.equal(name, 'a (2).iso', 'skips taken and reserved names');
      assert.equal(await readFile(join(dir, 'a.iso'), 'utf8'), 'theirs');
      assert.equal(await readFile(join(dir, 'a (2).iso'), 'utf8'), 'ours');
      assert.deepEqual(await listDir(dir), ['a (2).iso', 'a.iso']);
    });
  });

  it('replaces only the earlier copy it is given, and only while the name still holds that file', async () => {
    const files = { 'a.iso.part': 'new copy', 'a.iso': 'kept copy', 'b.tmp': 'theirs' };
    await inFolder(files, async (dir) => {
      const written = await identity(join(dir, 'a.iso.part'));
      const kept = await identity(join(dir, 'a.iso'));
      assert.equal(await publishPart(dir, 'a.iso', written, () => false, undefined, kept), 'a.iso');
      assert.equal(await readFile(join(dir, 'a.iso'), 'utf8'), 'new copy');
      assert.deepEqual(await listDir(dir), ['a.iso', 'b.tmp']);
    });
    await inFolder(files, async (dir) => {
      const written = await identity(join(dir, 'a.iso.part'));
      const kept = await identity(join(dir, 'a.iso'));
      // The user put a file of their own under the name since.
      await rename(join(dir, 'b.tmp'), join(dir, 'a.iso'));
      const name = await publishPart(dir, 'a.iso', written, () => false, undefined, kept);
      assert.equal(name, 'a (1).iso');
      assert.equal(await readFile(join(dir, 'a.iso'), 'utf8'), 'theirs');
      assert.equal(await readFile(join(dir, 'a (1).iso'), 'utf8'), 'new copy');
    });
  });

  it('announces a move to a fresh name before making it: none when that fails, another name when that one was taken meanwhile, never renaming over its .part', async () => {
    await inFolder(NAME_TAKEN, async (dir) => {
      const written = await identity(join(dir, 'a.iso.part'));
      const seen: string[][] = [];
      const refuse = async (fresh: string) => {
        seen.push([fresh, ...(await listDir(dir))]);
        throw new Error('the journal is unwritable');
      };
      await assert.rejects(
        publishPart(dir, 'a.iso', written, () => false, refuse),
        /unwritable/,
      );
      assert.deepEqual(seen, [['a (1).iso', 'a.iso', 'a.iso.part']], 'announced before the move');
      assert.deepEqual(await listDir(dir), ['a.iso', 'a.iso.part'], 'nothing moved');

      // Asked again, it moves on to the next name when the fresh one was taken meanwhile.
      const announced: string[] = [];
      const name = await publishPart(
        dir,
        'a.iso',
        written,
        () => false,
        async (fresh) => {
          announced.push(fresh);
          if (fresh !== 'a (1).iso') return true;
          // Another download held the name first and has started its `.part` there.
          await writeFile(join(dir, 'a (1).iso.part'), 'another download');
          return false;
        },
      );
      assert.equal(name, 'a (2).iso');
      assert.deepEqual(announced, ['a (1).iso', 'a (2).iso']);
      assert.equal(await readFile(join(dir, 'a (1).iso.part'), 'utf8'), 'another download');
      assert.equal(await readFile(join(dir, 'a (2).iso'), 'utf8'), 'ours');
    });
  });

  it('never publishes a .part replaced by a symbolic link meanwhile, nor follows it: fails naming the path', async () => {
    await inFolder({ 'a.iso.part': 'ours', 'precious.dat': 'precious' }, async (dir) => {
      const written = await identity(join(dir, 'a.iso.part'));
      await rm(join(dir, 'a.iso.part'));
      await symlink(join(dir, 'precious.dat'), join(dir, 'a.iso.part'));
      await assert.rejects(
        publishPart(dir, 'a.iso', written, () => false),
        (error) =>
          error instanceof DownloadError &&
          error.code === 'FILE_REPLACED' &&
          error.message.includes(join(dir, 'a.iso.part')),
      );
      assert.deepEqual(await listDir(dir), ['a.iso.part', 'precious.dat'], 'nothing published');
      assert.equal(await readFile(join(dir, 'precious.dat'), 'utf8'), 'precious');
    });
  });

  it('says a .part whose folder was moved away is gone, naming the folder', async () => {
    await inFolder({}, async (top) => {
      const dir = join(top, 'downloads');
      await mkdir(dir);
      await writeFile(join(dir, 'a.iso.part'), 'ours');
      const written = await identity(join(dir, 'a.iso.part'));
      await rename(dir, join(top, 'moved'));
      await assert.rejects(
        publishPart(dir, 'a.iso', written, () => false),
        (error) =>
          error instanceof DownloadError &&
          error.code === 'FILE_GONE' &&
          error.message.includes(`its folder ${dir} was deleted or moved`),
      );
      assert.deepEqual(
        await listDir(join(top, 'moved')),
        ['a.iso.part'],
        'left where it was moved',
      );
    });
  });
});
