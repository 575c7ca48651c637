import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RecordLog } from '../../electron/engine/record-log.ts';
import { tempDir } from '../support/fixtures.ts';
import { mountSmallDisk } from '../support/small-disk.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const tmp = await tempDir();
  try {
    await fn(tmp.path);
  } finally {
    await tmp.cleanup();
  }
}

async function reopen(dir: string): Promise<Awaited<ReturnType<typeof RecordLog.open>>> {
  return RecordLog.open(dir);
}

describe('RecordLog', () => {
  it('keeps the newest value of every id across a reopen and forgets deleted ones', async () => {
    await withDir(async (dir) => {
      const { log } = await reopen(dir);
      await log.put('a', '{"n":1}');
      await log.put('b', '{"n":1}');
      await log.put('a', '{"n":2}');
      await log.delete('b');
      await log.put('c', '{"text":"line\\nbreak"}');
      await log.close();
      const again = await reopen(dir);
      assert.deepEqual(Object.fromEntries(again.values), {
        a: { n: 2 },
        c: { text: 'line\nbreak' },
      });
      assert.deepEqual(again.problems, []);
      await again.log.close();
    });
  });

  it('lands concurrent puts together and each resolves only once its line is on disk', async () => {
    await withDir(async (dir) => {
      const { log } = await reopen(dir);
      await Promise.all(Array.from({ length: 200 }, (_, i) => log.put(`t${i}`, `{"i":${i}}`)));
      // Read behind the store's back, as a process started after a crash would.
      const text = await readFile(join(dir, 'log-0.jsonl'), 'utf8');
      assert.equal(text.split('\n').filter(Boolean).length, 200);
      await log.close();
    });
  });

  it('ignores a line torn by a power cut and keeps everything before it', async () => {
    await withDir(async (dir) => {
      const { log } = await reopen(dir);
      await log.put('a', '{"n":1}');
      await log.put('b', '{"n":1}');
      await log.close();
      const path = join(dir, 'log-0.jsonl');
      const whole = await readFile(path, 'utf8');
      // The second line's tail never reached the disk; garbage follows, as after a power cut.
      await writeFile(path, whole.slice(0, whole.length - 4) + '\0\0\0\0\0\0');
      const again = await reopen(dir);
      assert.deepEqual(Object.fromEntries(again.values), { a: { n: 1 } });
      assert.match(again.problems.join(), /damaged|torn/i);
      await again.log.put('c', '{"n":3}');
      await again.log.close();
      const third = await reopen(dir);
      assert.deepEqual(Object.fromEntries(third.values), { a: { n: 1 }, c: { n: 3 } });
      await third.log.close();
    });
  });

  it('replays saves made without an fsync only up to the first one a crash of the OS lost', async () => {
    await withDir(async (dir) => {
      const { log } = await reopen(dir);
      await log.put('a', '{"n":1}');
      await log.put('a', '{"n":2}', false);
      await log.put('b', '{"n":1}', false);
      await log.close();
      const path = join(dir, 'log-0.jsonl');
      const lines = (await readFile(path, 'utf8')).split('\n');
      // The page with a's second save never reached the disk, the one after it did.
      lines[1] = '\0'.repeat(lines[1]!.length);
      await writeFile(path, lines.join('\n'));
      const again = await reopen(dir);
      // An older state of every record, never a newer one beside a lost one.
      assert.deepEqual(Object.fromEntries(again.values), { a: { n: 1 } });
      assert.deepEqual(again.problems, [
        'log-0.jsonl: dropped the last 2 save(s), torn or lost in a crash',
      ]);
      await again.log.close();
    });
  });

  it('ignores a line whose checksum does not match its text', async () => {
    await withDir(async (dir) => {
      const { log } = await reopen(dir);
      await log.put('a', '{"n":1}');
      await log.close();
      const path = join(dir, 'log-0.jsonl');
      await writeFile(path, (await readFile(path, 'utf8')).replace('"n":1', '"n":9'));
      const again = await reopen(dir);
      assert.deepEqual(Object.fromEntries(again.values), {});
      await again.log.close();
    });
  });

  it('says how much a line damaged on disk cost, and keeps the damaged file beside the new one', async () => {
    await withDir(async (dir) => {
      const { log } = await reopen(dir);
      for (const id of ['a', 'b', 'c']) await log.put(id, '{"n":1}');
      await log.close();
      const path = join(dir, 'log-0.jsonl');
      const damaged = (await readFile(path, 'utf8')).replace('{"id":"a"', '{"id":"A"');
      await writeFile(path, damaged);
      const again = await reopen(dir);
      assert.deepEqual(Object.fromEntries(again.values), {});
      assert.equal(again.problems.length, 1);
      const [problem] = again.problems;
      assert.match(
        problem!,
        /^log-0\.jsonl: damaged at line 1; the 3 line\(s\) from there were not used/,
      );
      const copy = /kept as (log-0\.jsonl\.damaged-\d+)$/.exec(problem!)?.[1];
      assert.ok(copy, problem);
      assert.equal(await readFile(join(dir, copy), 'utf8'), damaged);
      await again.log.close();
      const third = await reopen(dir);
      assert.ok((await readdir(dir)).includes(copy), 'the copy outlives the next open');
      await third.log.close();
    });
  });

  it('moves to a new generation on open, so lines of an older one are never replayed', async () => {
    await withDir(async (dir) => {
      const first = await reopen(dir);
      await first.log.put('a', '{"n":1}');
      await first.log.close();
      const staleLog = await readFile(join(dir, 'log-0.jsonl'), 'utf8');
      const second = await reopen(dir);
      assert.deepEqual((await readdir(dir)).sort(), ['log-1.jsonl', 'snapshot-1.jsonl']);
      await second.log.put('a', '{"n":2}');
      await second.log.close();
      // A compaction interrupted before it removed the old files: they must lose to the snapshot.
      await writeFile(join(dir, 'log-0.jsonl'), staleLog);
      const third = await reopen(dir);
      assert.deepEqual(Object.fromEntries(third.values), { a: { n: 2 } });
      assert.ok(!(await readdir(dir)).includes('log-0.jsonl'));
      await third.log.close();
    });
  });

  it('does not write anything on open when nothing was logged since the last one', async () => {
    await withDir(async (dir) => {
      const first = await reopen(dir);
      await first.log.put('a', '{"n":1}');
      await first.log.close();
      await (await reopen(dir)).log.close();
      const names = (await readdir(dir)).sort();
      const before = await Promise.all(names.map((n) => stat(join(dir, n))));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await (await reopen(dir)).log.close();
      assert.deepEqual((await readdir(dir)).sort(), names);
      const after = await Promise.all(names.map((n) => stat(join(dir, n))));
      assert.deepEqual(
        after.map((s) => s.mtimeMs),
        before.map((s) => s.mtimeMs),
      );
    });
  });

  it('rewrites the snapshot once the log has grown large, keeping every value', async () => {
    await withDir(async (dir) => {
      const { log } = await reopen(dir);
      const big = JSON.stringify({ pad: 'x'.repeat(100_000) });
      for (let round = 0; round < 12; round++) {
        await Promise.all(Array.from({ length: 8 }, (_, i) => log.put(`k${i}`, big)));
      }
      await log.put('last', '{"n":1}');
      const names = await readdir(dir);
      assert.ok(
        names.some((n) => /^snapshot-[1-9]/.test(n)),
        `compacted while running: ${names.join()}`,
      );
      assert.ok(
        (
          await stat(
            join(
              dir,
              names.find((n) => n.startsWith('log-'))!,
            ),
          )
        ).size <
          8 << 20,
      );
      await log.close();
      const again = await reopen(dir);
      assert.equal(again.values.size, 9);
      assert.deepEqual(again.values.get('last'), { n: 1 });
      await again.log.close();
    });
  });

  it('rejects the saves of a write that hit a full disk and keeps the log whole for later ones', async (t) => {
    const disk = await mountSmallDisk(t, '256k');
    if (!disk) return;
    const { dir } = disk;
    try {
      const { log } = await reopen(dir);
      await log.put('before', '{"n":1}');
      const filler = join(dir, 'filler');
      await writeFile(filler, Buffer.alloc(200 * 1024));
      await assert.rejects(
        log.put('huge', JSON.stringify({ pad: 'x'.repeat(128 * 1024) })),
        /ENOSPC/,
      );
      await rm(filler);
      await log.put('after', '{"n":2}');
      await log.close();
      const again = await reopen(dir);
      assert.deepEqual(Object.fromEntries(again.values), { before: { n: 1 }, after: { n: 2 } });
      assert.deepEqual(again.problems, []);
      await again.log.close();
    } finally {
      await disk.cleanup();
    }
  });
});
