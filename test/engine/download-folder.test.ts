import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiError } from '../../shared/api/errors.ts';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import { listDir, makeContent, sha256, sha256File } from '../support/fixtures.ts';

describe('the download folder', () => {
  it('takes ~ and ~/… as the home folder, in the settings and in a task’s folder', async () => {
    await withHarness(async ({ engine, server }) => {
      const settings = await engine.updateSettings({ downloadDir: '~/Downloads' });
      assert.equal(settings.downloadDir, join(homedir(), 'Downloads'));
      const [plain, music, home] = await engine.add([
        { url: server.url('/a.bin'), paused: true },
        { url: server.url('/b.mp3'), paused: true, dir: '~/Music' },
        { url: server.url('/c.bin'), paused: true, dir: '~' },
      ]);
      assert.deepEqual(
        [plain, music, home].map((t) => t!.dir),
        [join(homedir(), 'Downloads'), join(homedir(), 'Music'), homedir()],
      );
    });
  });

  it('puts a task’s relative folder under the download folder, not where Braid was started', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(10_000);
      server.addFile('/song.mp3', { body });
      const [task] = await engine.add([{ url: server.url('/song.mp3'), dir: 'Music' }]);
      assert.equal(task!.dir, join(dir, 'Music'));
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      assert.equal(await sha256File(join(dir, 'Music', 'song.mp3')), sha256(body));
      const chosen = join(dir, 'chosen');
      await engine.updateSettings({ downloadDir: chosen });
      const [later] = await engine.add([{ url: server.url('/x'), dir: '../x', paused: true }]);
      assert.equal(later!.dir, join(dir, 'x'));
    });
  });

  it('refuses a relative download folder, saying to give a full path, and keeps its own', async () => {
    await withHarness(async ({ engine, dir }) => {
      await assert.rejects(engine.updateSettings({ downloadDir: 'Downloads' }), (error) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, 'INVALID_INPUT');
        assert.match(error.message, /full path \(such as ~\/Downloads\), not "Downloads"/);
        return true;
      });
      assert.equal(engine.settings.downloadDir, '');
      const settings = await engine.updateSettings({ downloadDir: join(dir, 'a', '..', 'b') });
      assert.equal(settings.downloadDir, join(dir, 'b'));
    });
  });

  it('refuses a download folder that is a file, or lies under one, saying so, and keeps its own', async () => {
    await withHarness(async ({ engine, dir }) => {
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'notes.txt');
      await writeFile(file, 'a file, not a folder');
      const refused = [
        [file, `downloadDir: ${file} is a file, not a folder`],
        [join(file, 'sub'), `downloadDir: ${join(file, 'sub')} cannot be made: ${file} is a file`],
      ];
      for (const [downloadDir, message] of refused) {
        await assert.rejects(engine.updateSettings({ downloadDir, theme: 'dark' }), (error) => {
          assert.ok(error instanceof ApiError);
          assert.deepEqual([error.code, error.message], ['INVALID_INPUT', message]);
          return true;
        });
      }
      assert.deepEqual([engine.settings.downloadDir, engine.settings.theme], ['', 'system']);
    });
  });

  it('takes a download folder that does not exist yet, and makes it for the first download', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(10_000);
      server.addFile('/a.bin', { body });
      const later = join(dir, 'not', 'made', 'yet');
      assert.equal((await engine.updateSettings({ downloadDir: later })).downloadDir, later);
      const [task] = await engine.add([{ url: server.url('/a.bin') }]);
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      assert.equal(await sha256File(join(later, 'a.bin')), sha256(body));
    });
  });

  it('keeps a folder the user chose over the process’s own (serve -d) when another setting changes', async () => {
    const fromCommandLine = '/srv/given-with-d';
    await withHarness(
      async ({ engine, server, dir }) => {
        assert.equal(engine.settings.downloadDir, fromCommandLine);
        const chosen = join(dir, 'chosen');
        assert.equal((await engine.updateSettings({ downloadDir: chosen })).downloadDir, chosen);
        const after = await engine.updateSettings({ theme: 'dark' });
        assert.deepEqual([after.downloadDir, after.minSegmentSize], [chosen, 64 * 1024]);
        const [task] = await engine.add([{ url: server.url('/a.bin'), paused: true }]);
        assert.equal(task!.dir, chosen);
      },
      { downloadDir: fromCommandLine },
    );
  });

  it('puts a waiting download added without a folder in the download folder and category of when it starts', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const body = makeContent(10_000);
        server.addFile('/a.bin', { body });
        server.addFile('/notes', { body });
        const [task, plain] = await engine.add([
          { url: server.url('/a.bin'), paused: true },
          { url: server.url('/notes'), paused: true },
        ]);
        assert.equal(task!.dir, dir);
        const now = join(dir, 'new');
        await engine.updateSettings({ downloadDir: now });
        await engine.resumeAll();
        for (const t of [task, plain])
          assert.equal((await waitForEnd(engine, t!.id)).state, 'completed');
        assert.equal(engine.get(task!.id)?.dir, join(now, 'Bins'));
        assert.equal(await sha256File(join(now, 'Bins', 'a.bin')), sha256(body));
        assert.equal(await sha256File(join(now, 'notes')), sha256(body));
        assert.deepEqual(await listDir(dir), ['new'], 'nothing in the old folder');
      },
      { useCategories: true, categories: [{ name: 'Bins', extensions: ['bin'], dir: '' }] },
    );
  });

  it('keeps a started download in the folder its file is in when the download folder changes', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(1024 * 1024);
      server.addFile('/big.bin', { body, faults: { connectionRate: 512 * 1024 } });
      const [task] = await engine.add([{ url: server.url('/big.bin') }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 100 * 1024);
      await engine.pause(task!.id);
      await engine.updateSettings({ downloadDir: join(dir, 'new') });
      await engine.resume(task!.id);
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      assert.equal(engine.get(task!.id)?.dir, dir);
      assert.equal(await sha256File(join(dir, 'big.bin')), sha256(body));
    });
  });
});
