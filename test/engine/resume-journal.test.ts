import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import { tempDir } from '../support/fixtures.ts';

describe('ResumeJournal', () => {
  it('takes over the one-file-per-task records of older versions and then removes them', async () => {
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    const tasks = join(home, 'tasks');
    try {
      let engine = await DownloadEngine.open({ home });
      const [task] = await engine.add([{ url: 'http://127.0.0.1:9/old.iso', paused: true }]);
      await engine.close();
      // Rebuild the layout an older version left: the record alone, in <id>.json.
      const line = (await readFile(join(tasks, 'log-0.jsonl'), 'utf8')).trim();
      const record = (JSON.parse(line.slice(9)) as { r: unknown }).r;
      for (const name of await readdir(tasks)) await rm(join(tasks, name));
      await writeFile(join(tasks, `${task!.id}.json`), JSON.stringify(record));

      engine = await DownloadEngine.open({ home });
      assert.equal(engine.get(task!.id)?.url, 'http://127.0.0.1:9/old.iso');
      await engine.close();
      assert.ok(!(await readdir(tasks)).some((n) => n.endsWith('.json')), 'old files removed');
      engine = await DownloadEngine.open({ home });
      assert.equal(engine.get(task!.id)?.state, 'paused', 'and the task is still there');
      await engine.close();
    } finally {
      await tmp.cleanup();
    }
  });

  it('keeps the tasks saved before a power cut tore the last save, and logs what it dropped', async () => {
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    try {
      let engine = await DownloadEngine.open({ home });
      const [task] = await engine.add([{ url: 'http://127.0.0.1:9/kept.iso', paused: true }]);
      await engine.close();
      const log = join(home, 'tasks', 'log-0.jsonl');
      await writeFile(log, (await readFile(log, 'utf8')) + '0badc0de {"id":"torn","r":{"v":');
      const problems: string[] = [];
      engine = await DownloadEngine.open({
        home,
        log: (r) => {
          if (r.event === 'journal_problem') problems.push(r.message ?? '');
        },
      });
      assert.equal(engine.get(task!.id)?.url, 'http://127.0.0.1:9/kept.iso');
      assert.equal(engine.list().length, 1);
      assert.match(problems.join(), /torn/);
      await engine.close();
    } finally {
      await tmp.cleanup();
    }
  });
});
