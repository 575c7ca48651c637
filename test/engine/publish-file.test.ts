import assert from 'node:assert/strict';
import { link, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { publishPart } from '../../electron/engine/publish-file.ts';
import { listDir, tempDir } from '../support/fixtures.ts';

describe('publishing a finished download', () => {
  it('renames the .part file to its final name', async () => {
    const tmp = await tempDir();
    try {
      await writeFile(join(tmp.path, 'a.iso.part'), 'data');
      assert.equal(await publishPart(tmp.path, 'a.iso', () => false), 'a.iso');
      assert.deepEqual(await listDir(tmp.path), ['a.iso']);
      assert.equal(await readFile(join(tmp.path, 'a.iso'), 'utf8'), 'data');
    } finally {
      await tmp.cleanup();
    }
  });

  it('completes a publish killed between link and unlink: one file, no second copy', async () => {
    const tmp = await tempDir();
    try {
      await writeFile(join(tmp.path, 'a.iso.part'), 'ours');
      await link(join(tmp.path, 'a.iso.part'), join(tmp.path, 'a.iso'));
      assert.equal(await publishPart(tmp.path, 'a.iso', () => false), 'a.iso');
      assert.deepEqual(await listDir(tmp.path), ['a.iso']);
      assert.equal(await readFile(join(tmp.path, 'a.iso'), 'utf8'), 'ours');
    } finally {
      await tmp.cleanup();
    }
  });

  it('never replaces a file that appeared under the final name during the download', async () => {
    const tmp = await tempDir();
    try {
      await writeFile(join(tmp.path, 'a.iso.part'), 'ours');
      await writeFile(join(tmp.path, 'a.iso'), 'theirs');
      const name = await publishPart(tmp.path, 'a.iso', (c) => c === 'a (1).iso');
      assert.equal(name, 'a (2).iso', 'skips taken and reserved names');
      assert.equal(await readFile(join(tmp.path, 'a.iso'), 'utf8'), 'theirs');
      assert.equal(await readFile(join(tmp.path, 'a (2).iso'), 'utf8'), 'ours');
      assert.deepEqual(await listDir(tmp.path), ['a (2).iso', 'a.iso']);
    } finally {
      await tmp.cleanup();
    }
  });

  it('announces a move to a fresh name before making it, and makes none when that fails', async () => {
    const tmp = await tempDir();
    try {
      await writeFile(join(tmp.path, 'a.iso.part'), 'ours');
      await writeFile(join(tmp.path, 'a.iso'), 'theirs');
      const seen: string[][] = [];
      const refuse = async (fresh: string) => {
        seen.push([fresh, ...(await listDir(tmp.path))]);
        throw new Error('the journal is unwritable');
      };
      await assert.rejects(
        publishPart(tmp.path, 'a.iso', () => false, refuse),
        /unwritable/,
      );
      assert.deepEqual(seen, [['a (1).iso', 'a.iso', 'a.iso.part']], 'announced before the move');
      assert.deepEqual(await listDir(tmp.path), ['a.iso', 'a.iso.part'], 'nothing moved');

      const announced: string[] = [];
      const name = await publishPart(
        tmp.path,
        'a.iso',
        () => false,
        async (fresh) => {
          announced.push(fresh);
          return true;
        },
      );
      assert.equal(name, 'a (1).iso');
      assert.deepEqual(announced, ['a (1).iso']);
      assert.equal(await readFile(join(tmp.path, 'a (1).iso'), 'utf8'), 'ours');
    } finally {
      await tmp.cleanup();
    }
  });

  it('looks for another name when the fresh one was taken meanwhile, never renaming over its .part', async () => {
    const tmp = await tempDir();
    try {
      await writeFile(join(tmp.path, 'a.iso.part'), 'ours');
      await writeFile(join(tmp.path, 'a.iso'), 'theirs');
      const announced: string[] = [];
      const name = await publishPart(
        tmp.path,
        'a.iso',
        () => false,
        async (fresh) => {
          announced.push(fresh);
          if (fresh !== 'a (1).iso') return true;
          // Another download held the name first and has started its `.part` there.
          await writeFile(join(tmp.path, 'a (1).iso.part'), 'another download');
          return false;
        },
      );
      assert.equal(name, 'a (2).iso');
      assert.deepEqual(announced, ['a (1).iso', 'a (2).iso']);
      assert.equal(await readFile(join(tmp.path, 'a (1).iso.part'), 'utf8'), 'another download');
      assert.equal(await readFile(join(tmp.path, 'a (2).iso'), 'utf8'), 'ours');
    } finally {
      await tmp.cleanup();
    }
  });
});
