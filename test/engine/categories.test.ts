import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_CATEGORIES } from '../../shared/api/settings.ts';
import { categoryDir, categoryOf } from '../../electron/engine/categories.ts';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { listDir, makeContent, sha256, sha256File } from '../support/fixtures.ts';

describe('categories', () => {
  it('finds the category by the last extension, case-insensitively', () => {
    assert.equal(categoryOf('Holiday.MP4', DEFAULT_CATEGORIES)?.name, 'Video');
    assert.equal(categoryOf('backup.tar.gz', DEFAULT_CATEGORIES)?.name, 'Archives');
    assert.equal(categoryOf('setup.exe', DEFAULT_CATEGORIES)?.name, 'Programs');
    assert.equal(categoryOf('README', DEFAULT_CATEGORIES), null);
    assert.equal(categoryOf('.bashrc', DEFAULT_CATEGORIES), null);
  });

  it('puts a category in a sub-folder of the download folder, or in its own full path (~ is home)', () => {
    assert.equal(categoryDir({ name: 'Video', extensions: [], dir: '' }, '/dl'), '/dl/Video');
    assert.equal(
      categoryDir({ name: 'Video', extensions: [], dir: '/media/films' }, '/dl'),
      '/media/films',
    );
    assert.equal(categoryDir({ name: 'Video', extensions: [], dir: 'Films' }, '/dl'), '/dl/Films');
    assert.equal(
      categoryDir({ name: 'Video', extensions: [], dir: '~/Films' }, '/dl'),
      join(homedir(), 'Films'),
    );
  });

  it('sorts downloads without an explicit folder into category folders by the final name', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const video = makeContent(100 * 1024, 'v');
        server.addFile('/watch', {
          body: video,
          contentDisposition: 'attachment; filename="talk.mkv"',
        });
        server.addFile('/notes', { body: makeContent(1000, 'n') });
        server.addFile('/report.pdf', { body: makeContent(1000, 'r') });
        const explicit = join(dir, 'chosen');
        const [a, b, c] = await engine.add([
          { url: server.url('/watch') },
          { url: server.url('/notes') },
          { url: server.url('/report.pdf'), dir: explicit },
        ]);
        for (const task of [a, b, c])
          assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
        assert.equal(engine.get(a!.id)?.dir, join(dir, 'Video'));
        assert.equal(await sha256File(join(dir, 'Video', 'talk.mkv')), sha256(video));
        assert.deepEqual(
          await listDir(dir),
          ['Video', 'chosen', 'notes'],
          'no extension: no category',
        );
        assert.deepEqual(await listDir(explicit), ['report.pdf'], 'an explicit folder wins');
      },
      { useCategories: true },
    );
  });

  it('names and sorts a file the server types only by its Content-Type', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const video = makeContent(100 * 1024, 'v');
        server.addFile('/dl1', { body: video, contentType: 'video/mp4' });
        assert.equal((await engine.probe(server.url('/dl1'), {})).fileName, 'dl1.mp4');
        const [task] = await engine.add([{ url: server.url('/dl1') }]);
        assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
        assert.equal(engine.get(task!.id)?.fileName, 'dl1.mp4');
        assert.equal(await sha256File(join(dir, 'Video', 'dl1.mp4')), sha256(video));
      },
      { useCategories: true },
    );
  });

  it('takes a category’s folder again on retry, after a restart too, when the one it had could not be made', async () => {
    await withHarness(async (h) => {
      const { server, dir, home } = h;
      let engine = h.engine;
      const notAFolder = join(home, 'a-file');
      await writeFile(notAFolder, '');
      await engine.updateSettings({
        useCategories: true,
        categories: [{ name: 'Music', extensions: ['bin'], dir: join(notAFolder, 'music') }],
      });
      const body = makeContent(10_000);
      server.addFile('/m1.bin', { body });
      const [task] = await engine.add([{ url: server.url('/m1.bin') }]);
      const failed = await waitForEnd(engine, task!.id);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error!.message, /ENOTDIR/);
      engine = await h.restart();
      await engine.updateSettings({
        categories: [{ name: 'Music', extensions: ['bin'], dir: '' }],
      });
      await engine.retry(task!.id);
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      assert.equal(engine.get(task!.id)?.dir, join(dir, 'Music'));
      assert.equal(await sha256File(join(dir, 'Music', 'm1.bin')), sha256(body));
    });
  });
});
