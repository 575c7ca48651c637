import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiError } from '../../shared/api/errors.ts';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import type { EngineLogRecord } from '../../electron/engine/engine-log.ts';
import { peekSettings } from '../../electron/engine/settings-file.ts';
import { listDir, tempDir } from '../support/fixtures.ts';

/** Opens an engine on `home` whose settings.json holds `text`; returns it with its warnings. */
async function openWithSettings(home: string, text: string) {
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'settings.json'), text);
  const warnings: EngineLogRecord[] = [];
  const engine = await DownloadEngine.open({
    home,
    log: (record) => {
      if (record.event === 'settings_problem') warnings.push(record);
    },
  });
  return { engine, warnings: warnings.map((w) => w.message ?? '') };
}

describe('the settings file', () => {
  it('keeps every valid setting when others are invalid or unknown, and says which were dropped', async () => {
    const tmp = await tempDir();
    const { engine, warnings } = await openWithSettings(
      join(tmp.path, 'home'),
      JSON.stringify({ connections: 4, maxConcurrent: 999, fromANewerVersion: true }),
    );
    try {
      assert.equal(engine.settings.connections, 4, 'a valid setting survives');
      assert.equal(engine.settings.maxConcurrent, 3, 'an invalid one takes its default');
      assert.equal(warnings.length, 2, warnings.join('\n'));
      assert.match(warnings.join('\n'), /maxConcurrent/);
      assert.match(warnings.join('\n'), /fromANewerVersion/);
    } finally {
      await engine.close();
      await tmp.cleanup();
    }
  });

  it('says a schedule saved with no day ticked (which never opened), and downloads any time instead', async () => {
    const tmp = await tempDir();
    const schedule = { enabled: true, days: [], start: '01:00', stop: '07:00' };
    const { engine, warnings } = await openWithSettings(
      join(tmp.path, 'home'),
      JSON.stringify({ connections: 4, schedule }),
    );
    try {
      assert.equal(engine.settings.schedule.enabled, false);
      assert.equal(engine.settings.connections, 4);
      assert.deepEqual(warnings, [
        'settings.json: schedule: an enabled time window needs at least one day; using the default',
      ]);
    } finally {
      await engine.close();
      await tmp.cleanup();
    }
  });

  it('reads a download folder saved as ~/… under the home folder, and says a relative one', async () => {
    const tmp = await tempDir();
    const tilde = await openWithSettings(
      join(tmp.path, 'tilde'),
      JSON.stringify({ downloadDir: '~/Downloads' }),
    );
    const relative = await openWithSettings(
      join(tmp.path, 'relative'),
      JSON.stringify({ downloadDir: 'Downloads' }),
    );
    try {
      assert.equal(tilde.engine.settings.downloadDir, join(homedir(), 'Downloads'));
      assert.deepEqual(tilde.warnings, []);
      assert.equal(relative.engine.settings.downloadDir, '');
      assert.deepEqual(relative.warnings, [
        'settings.json: downloadDir: give the download folder as a full path (such as ~/Downloads), not "Downloads"; downloads go to the default folder',
      ]);
    } finally {
      await tilde.engine.close();
      await relative.engine.close();
      await tmp.cleanup();
    }
  });

  it('keeps a file that is not JSON aside, never overwriting it, and starts from the defaults', async () => {
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    const { engine, warnings } = await openWithSettings(home, '{"connections": 4,');
    try {
      assert.equal(engine.settings.connections, 8);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /settings\.json\.bad/);
      await engine.updateSettings({ connections: 6 });
      assert.deepEqual(
        (await listDir(home)).filter((n) => n.startsWith('settings')),
        ['settings.json', 'settings.json.bad'],
      );
      assert.equal(await readFile(join(home, 'settings.json.bad'), 'utf8'), '{"connections": 4,');
    } finally {
      await engine.close();
      await tmp.cleanup();
    }
  });

  it('is read without the lock changing nothing: a damaged file and a save under way stay as they are', async () => {
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    try {
      await mkdir(home, { recursive: true });
      await writeFile(join(home, 'settings.json'), '{"connections": 4,');
      await writeFile(join(home, 'settings.json.1.tmp'), '{"connections": 5}');
      const { settings, problems } = await peekSettings(home, null);
      assert.equal(settings.connections, 8);
      assert.deepEqual(problems, ['settings.json is not a JSON object; using the defaults']);
      assert.deepEqual(await listDir(home), ['settings.json', 'settings.json.1.tmp']);
      await writeFile(join(home, 'settings.json'), '{"maxRetries": 3, "proxyMode": "none"}');
      const saved = await peekSettings(home, null);
      assert.equal(saved.settings.maxRetries, 3);
      assert.equal(saved.settings.proxyMode, 'none');
    } finally {
      await tmp.cleanup();
    }
  });

  it('saves changes made at the same moment whole, the last one winning, with no error', async () => {
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    const engine = await DownloadEngine.open({ home });
    try {
      // Two tabs saving together: each change is its own save, all under way at once.
      const changes = Array.from({ length: 20 }, (_, i) =>
        engine.updateSettings({ connections: 1 + i, globalLimit: 1000 * (i + 1) }),
      );
      await Promise.all(changes);
      assert.equal(engine.settings.connections, 20);
      const saved = JSON.parse(await readFile(join(home, 'settings.json'), 'utf8'));
      assert.equal(saved.connections, 20);
      assert.equal(saved.globalLimit, 20_000);
      assert.deepEqual(
        (await listDir(home)).filter((n) => n.startsWith('settings')),
        ['settings.json'],
        'no temporary file is left',
      );
    } finally {
      await engine.close();
    }
    // A save cut short by a kill leaves its temp file: the next start clears it.
    await writeFile(join(home, 'settings.json.4242-1.tmp'), '{"connections": 3');
    const reopened = await DownloadEngine.open({ home });
    try {
      assert.equal(reopened.settings.globalLimit, 20_000);
      assert.deepEqual(
        (await listDir(home)).filter((n) => n.startsWith('settings')),
        ['settings.json'],
      );
    } finally {
      await reopened.close();
      await tmp.cleanup();
    }
  });

  it('changes nothing when a change cannot be saved, and says why as a storage failure', async () => {
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    const engine = await DownloadEngine.open({ home, settings: { downloadDir: '/srv/from-cli' } });
    try {
      await engine.updateSettings({ theme: 'dark' });
      const before = engine.settings;
      // A folder where the file goes: the save's rename fails (EISDIR).
      await rm(join(home, 'settings.json'));
      await mkdir(join(home, 'settings.json'));
      await assert.rejects(
        engine.updateSettings({ maxConcurrent: 1, globalLimit: 1000, downloadDir: '/srv/mine' }),
        (error: unknown) => {
          assert.ok(error instanceof ApiError, String(error));
          assert.equal(error.code, 'STORAGE_FAILED');
          assert.match(error.message, /cannot save Braid's state in .*: a folder is in the way/);
          return true;
        },
      );
      assert.deepEqual(engine.settings, before, 'nothing changed in memory');
      await rm(join(home, 'settings.json'), { recursive: true });
      await engine.updateSettings({ connections: 4 });
      const saved = JSON.parse(await readFile(join(home, 'settings.json'), 'utf8'));
      assert.deepEqual(
        [saved.maxConcurrent, saved.globalLimit, saved.downloadDir, saved.theme],
        [3, 0, '', 'dark'],
        'the failed change is not saved with the next one',
      );
      assert.equal(
        engine.settings.downloadDir,
        '/srv/from-cli',
        'the process’s folder still holds',
      );
    } finally {
      await engine.close();
      await tmp.cleanup();
    }
  });
});
