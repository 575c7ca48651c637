import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { DownloadEngine, type EngineOptions } from '../../electron/engine/download-engine.ts';
import type { EngineLogRecord } from '../../electron/engine/engine-log.ts';
import { ResumeJournal } from '../../electron/engine/resume-journal.ts';
import type { TaskRecord } from '../../electron/engine/task-record.ts';
import { TEST_SETTINGS, waitForEnd, waitForTask } from '../support/engine-harness.ts';
import { FaultServer } from '../support/fault-server.ts';
import { listDir, makeContent, MiB, sha256, tempDir } from '../support/fixtures.ts';

/**
 * An OS crash is played by opening the engine again under another boot id, with the bytes the
 * OS had not yet written replaced by zeros in the file, as a power cut would leave them.
 */
interface Rig {
  server: FaultServer;
  home: string;
  dir: string;
  log: EngineLogRecord[];
  open(bootId: string | null, extra?: Partial<EngineOptions>): Promise<DownloadEngine>;
  /** The task's record as saved on disk (the engine must be closed). */
  saved(id: string): Promise<TaskRecord>;
  /**
   * Downloads the server's `path` to completion in an engine of `bootId`, then the OS goes down:
   * the next start finds Braid's state as it was then (a close flushes the file and clears its
   * mark). Answers the task's id.
   */
  finishThenCrash(
    bootId: string | null,
    path: string,
    extra?: { engine?: Partial<EngineOptions>; connections?: number },
  ): Promise<string>;
}

async function withRig(fn: (rig: Rig) => Promise<void>): Promise<void> {
  const server = await FaultServer.start();
  const tmp = await tempDir();
  const engines: DownloadEngine[] = [];
  const rig: Rig = {
    server,
    home: join(tmp.path, 'home'),
    dir: join(tmp.path, 'downloads'),
    log: [],
    async open(bootId, extra = {}) {
      const engine = await DownloadEngine.open({
        home: rig.home,
        defaultDownloadDir: rig.dir,
        settings: TEST_SETTINGS,
        log: (record) => rig.log.push(record),
        bootId,
        flushEveryMs: 3_600_000,
        ...extra,
      });
      engines.push(engine);
      return engine;
    },
    async saved(id) {
      const journal = new ResumeJournal(join(rig.home, 'tasks'));
      const { records } = await journal.loadAll();
      await journal.close();
      const record = records.find((r) => r.id === id);
      assert.ok(record, `a record for ${id}`);
      return record;
    },
    async finishThenCrash(bootId, path, extra = {}) {
      const engine = await rig.open(bootId, extra.engine);
      const [task] = await engine.add([{ url: server.url(path), connections: extra.connections }]);
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      const atCrash = `${rig.home}.at-crash`;
      await cp(rig.home, atCrash, { recursive: true });
      await engine.close();
      await rm(rig.home, { recursive: true });
      await rename(atCrash, rig.home);
      return task!.id;
    },
  };
  try {
    await fn(rig);
  } finally {
    for (const engine of engines) await engine.close();
    await server.close();
    await tmp.cleanup();
  }
}

/** What a task says of a file it kept after a reboot without being able to fetch it again. */
const KEPT = /is kept as it was, but may be damaged/;

/** Bytes the [start, end, written] triples claim written. */
function claimed(segments: readonly (readonly number[])[]): number {
  return segments.reduce((sum, [start, , written]) => sum + written! - start!, 0);
}

/** Zeroes every byte of the file outside the [start, end, written] triples. */
async function loseUnsynced(path: string, size: number, durable: number[][]): Promise<number> {
  const kept = durable.map(([start, , written]) => [start!, written!] as const);
  kept.sort((a, b) => a[0] - b[0]);
  const handle = await open(path, 'r+');
  let lost = 0;
  let at = 0;
  const zero = async (from: number, to: number) => {
    if (to <= from) return;
    await handle.write(Buffer.alloc(to - from), 0, to - from, from);
    lost += to - from;
  };
  for (const [start, written] of kept) {
    await zero(at, start);
    at = Math.max(at, written);
  }
  await zero(at, size);
  await handle.close();
  return lost;
}

describe('files finished without waiting for the disk', () => {
  it('are published before they are flushed, and fetched again when the OS went down first', async () => {
    await withRig(async (rig) => {
      const body = makeContent(3 * MiB);
      // Slow enough for a flush or two while bytes flow.
      rig.server.addFile('/disk.img', { body, faults: { connectionRate: 2 * MiB } });
      const id = await rig.finishThenCrash('boot-1', '/disk.img', {
        engine: { flushEveryMs: 250 },
        connections: 2,
      });

      const { unflushed } = await rig.saved(id);
      assert.equal(unflushed?.boot, 'boot-1', 'the record says the file was not flushed');
      const durable = claimed(unflushed.segments);
      assert.ok(durable > 0, 'bytes fsynced while downloading are claimed durable');
      const path = join(rig.dir, 'disk.img');
      const lost = await loseUnsynced(path, body.length, unflushed.segments);
      assert.ok(lost > 0, 'the crash lost the bytes written since the last save');

      const served = rig.server.stats.bodyBytes;
      const before = rig.server.stats.requests.length;
      const engine = await rig.open('boot-2');
      const again = engine.get(id)!;
      assert.notEqual(again.state, 'completed', 'a file the OS may have lost is not complete');
      assert.equal((await stat(path)).size, body.length, 'it stays under its name meanwhile');
      const done = await waitForEnd(engine, id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(sha256(await readFile(path)), sha256(body));
      const refetched = rig.server.stats.bodyBytes - served;
      assert.ok(refetched >= lost, `fetched ${refetched} bytes again for ${lost} lost`);
      assert.ok(refetched < body.length, `kept the ${durable} durable bytes`);
      for (const r of rig.server.stats.requests.slice(before)) {
        assert.ok(r.ifRange, `request ${r.range} carries If-Range`);
      }
      assert.ok(rig.log.some((r) => r.event === 'unflushed_refetch' && r.taskId === id));
    });
  });

  it('claim progress without an fsync, and after an OS crash resume from the last flush', async () => {
    await withRig(async (rig) => {
      const body = makeContent(4 * MiB);
      rig.server.addFile('/iso', { body, faults: { connectionRate: 1 * MiB } });
      let engine = await rig.open('boot-1', { flushEveryMs: 400 });
      const [task] = await engine.add([{ url: rig.server.url('/iso'), connections: 2 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 1.5 * MiB);
      await engine.close();
      const saved = await rig.saved(task!.id);
      const written = claimed(saved.segments!);
      const durable = claimed(saved.unflushed!.segments);
      assert.ok(written > 1.5 * MiB, `claims ${written} bytes written`);
      assert.ok(durable > 0 && durable < written, `${durable} of ${written} claimed were flushed`);

      // Our crash: the OS kept every byte, and the claims hold.
      engine = await rig.open('boot-1');
      assert.equal(engine.get(task!.id)?.downloaded, written);
      await engine.close();

      const part = join(rig.dir, 'iso.part');
      await loseUnsynced(part, body.length, (await rig.saved(task!.id)).unflushed!.segments);
      engine = await rig.open('boot-2');
      assert.equal(engine.get(task!.id)?.downloaded, durable, 'only flushed bytes are trusted');
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(sha256(await readFile(join(rig.dir, 'iso'))), sha256(body));
    });
  });

  it('are fetched again under their own name when the OS went down while publishing', async () => {
    await withRig(async (rig) => {
      const body = makeContent(512 * 1024);
      rig.server.addFile('/d.bin', { body });
      const id = await rig.finishThenCrash('boot-1', '/d.bin');
      // Publishing links the final name, then unlinks the .part: the crash kept both names.
      const path = join(rig.dir, 'd.bin');
      await link(path, `${path}.part`);
      await loseUnsynced(path, body.length, (await rig.saved(id)).unflushed!.segments);
      const engine = await rig.open('boot-2');
      const done = await waitForEnd(engine, id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.fileName, 'd.bin');
      assert.deepEqual(await listDir(rig.dir), ['d.bin']);
      assert.equal(sha256(await readFile(path)), sha256(body));
    });
  });

  it('are flushed at the next start in the same boot, and stay complete after a later reboot', async () => {
    await withRig(async (rig) => {
      const body = makeContent(256 * 1024);
      rig.server.addFile('/notes.txt', { body });
      const id = await rig.finishThenCrash('boot-1', '/notes.txt');
      assert.equal((await rig.saved(id)).unflushed?.boot, 'boot-1');

      await (await rig.open('boot-1')).close();
      assert.equal((await rig.saved(id)).unflushed, null, 'flushed and unmarked');

      const requests = rig.server.stats.requests.length;
      const engine = await rig.open('boot-2');
      assert.equal(engine.get(id)?.state, 'completed');
      await sleep(100);
      assert.equal(rig.server.stats.requests.length, requests, 'nothing fetched again');
    });
  });

  it('are flushed by a running engine once the flush delay has passed', async () => {
    await withRig(async (rig) => {
      rig.server.addFile('/a.bin', { body: makeContent(128 * 1024) });
      const engine = await rig.open('boot-1', { flushEveryMs: 20 });
      const [task] = await engine.add([{ url: rig.server.url('/a.bin') }]);
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      await sleep(300);
      await engine.close();
      assert.equal((await rig.saved(task!.id)).unflushed, null);
    });
  });

  it('wait for the disk where the OS tells no boot from the next', async () => {
    await withRig(async (rig) => {
      rig.server.addFile('/b.bin', { body: makeContent(128 * 1024) });
      const id = await rig.finishThenCrash(null, '/b.bin');
      assert.equal((await rig.saved(id)).unflushed, null, 'completed means flushed');
      const engine = await rig.open('boot-2');
      assert.equal(engine.get(id)?.state, 'completed');
    });
  });

  it('are left alone after a reboot when the user deleted them meanwhile', async () => {
    await withRig(async (rig) => {
      rig.server.addFile('/c.bin', { body: makeContent(128 * 1024) });
      const id = await rig.finishThenCrash('boot-1', '/c.bin');
      await rm(join(rig.dir, 'c.bin'));
      const requests = rig.server.stats.requests.length;
      const engine = await rig.open('boot-2');
      assert.equal(engine.get(id)?.state, 'completed');
      await sleep(100);
      assert.equal(rig.server.stats.requests.length, requests);
      await engine.close();
      assert.equal((await rig.saved(id)).unflushed, null);
      assert.ok(rig.log.some((r) => r.event === 'unflushed_kept'));
    });
  });

  it(
    'are left alone at the next start when something else took their name, even a FIFO',
    {
      timeout: 10_000,
    },
    async () => {
      await withRig(async (rig) => {
        rig.server.addFile('/d.bin', { body: makeContent(128 * 1024) });
        const id = await rig.finishThenCrash('boot-1', '/d.bin');
        await rm(join(rig.dir, 'd.bin'));
        // Opened to be flushed the plain way, a FIFO blocks until a writer comes: forever.
        execFileSync('mkfifo', [join(rig.dir, 'd.bin')]);
        await (await rig.open('boot-1')).close();
        assert.equal((await rig.saved(id)).unflushed, null);
      });
    },
  );

  it('are kept under their name after a reboot, saying so, when the copy beside them cannot be made', async () => {
    await withRig(async (rig) => {
      const body = makeContent(128 * 1024);
      rig.server.addFile('/e.bin', { body });
      const id = await rig.finishThenCrash('boot-1', '/e.bin');
      // A folder where the copy fetched again would go: not deleted, not written into.
      await mkdir(join(rig.dir, 'e.bin.part'));
      const requests = rig.server.stats.requests.length;
      let engine = await rig.open('boot-2');
      const failed = await waitForEnd(engine, id);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error?.message ?? '', KEPT);
      assert.equal(rig.server.stats.requests.length, requests, 'nothing fetched');
      assert.equal(sha256(await readFile(join(rig.dir, 'e.bin'))), sha256(body), 'file untouched');
      await engine.close();
      engine = await rig.open('boot-2');
      assert.equal(engine.get(id)?.state, 'failed', 'and the next start does not try again');
    });
  });

  it('are flushed when the engine closes, so a reboot after it finds them complete', async () => {
    await withRig(async (rig) => {
      const body = makeContent(256 * 1024);
      rig.server.addFile('/done.bin', { body });
      const engine = await rig.open('boot-1');
      const [task] = await engine.add([{ url: rig.server.url('/done.bin') }]);
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      await engine.close();
      assert.equal((await rig.saved(task!.id)).unflushed, null, 'flushed and unmarked');

      const requests = rig.server.stats.requests.length;
      await rig.open('boot-2');
      await sleep(100);
      assert.equal(rig.server.stats.requests.length, requests, 'nothing fetched again');
      assert.deepEqual(await listDir(rig.dir), ['done.bin']);
      assert.equal(sha256(await readFile(join(rig.dir, 'done.bin'))), sha256(body));
    });
  });

  it('are flushed together, one sync of their file system, when many finish before the engine closes', async () => {
    await withRig(async (rig) => {
      const bodies = Array.from({ length: 40 }, (_, i) => makeContent(16 * 1024, `many-${i}`));
      bodies.forEach((body, i) => rig.server.addFile(`/many-${i}.bin`, { body }));
      const engine = await rig.open('boot-1');
      const tasks = await engine.add(
        bodies.map((_, i) => ({ url: rig.server.url(`/many-${i}.bin`) })),
      );
      for (const task of tasks)
        assert.equal((await waitForEnd(engine, task.id)).state, 'completed');
      await engine.close();
      for (const task of tasks) {
        assert.equal((await rig.saved(task.id)).unflushed, null, `${task.id} flushed and unmarked`);
      }
      const requests = rig.server.stats.requests.length;
      await rig.open('boot-2');
      await sleep(100);
      assert.equal(rig.server.stats.requests.length, requests, 'nothing fetched again');
      for (const [i, body] of bodies.entries()) {
        assert.equal(sha256(await readFile(join(rig.dir, `many-${i}.bin`))), sha256(body));
      }
    });
  });

  it('stay under their name after a reboot when the server answers 404, the task saying they may be damaged, until a retry replaces them', async () => {
    await withRig(async (rig) => {
      const body = makeContent(512 * 1024);
      rig.server.addFile('/gone.bin', { body });
      const id = await rig.finishThenCrash('boot-1', '/gone.bin');
      const path = join(rig.dir, 'gone.bin');
      // None of it had reached the disk: the crash lost it all.
      await loseUnsynced(path, body.length, (await rig.saved(id)).unflushed!.segments);
      const left = sha256(await readFile(path));
      rig.server.addHandler('/gone.bin', (_req, res) => void res.writeHead(404).end());
      const engine = await rig.open('boot-2');
      assert.equal(sha256(await readFile(path)), left, 'under its name from the start');
      const failed = await waitForEnd(engine, id);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error?.message ?? '', KEPT);
      assert.match(failed.error?.message ?? '', /404/);
      assert.equal(sha256(await readFile(path)), left, 'kept as it was');
      assert.deepEqual(await listDir(rig.dir), ['gone.bin']);

      rig.server.addFile('/gone.bin', { body });
      await engine.retry(id);
      const done = await waitForEnd(engine, id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(sha256(await readFile(path)), sha256(body), 'replaced by the copy fetched');
      assert.deepEqual(await listDir(rig.dir), ['gone.bin']);
    });
  });

  it('are never swapped after a reboot for another version the server has now', async () => {
    await withRig(async (rig) => {
      const body = makeContent(512 * 1024, 'v1');
      rig.server.addFile('/v.bin', { body });
      const id = await rig.finishThenCrash('boot-1', '/v.bin');
      rig.server.addFile('/v.bin', { body: makeContent(body.length, 'v2') });
      const engine = await rig.open('boot-2');
      const done = await waitForEnd(engine, id);
      assert.equal(done.state, 'failed');
      assert.match(done.error?.message ?? '', KEPT);
      assert.equal(sha256(await readFile(join(rig.dir, 'v.bin'))), sha256(body), 'kept as it was');
      assert.deepEqual(await listDir(rig.dir), ['v.bin']);
    });
  });

  it('stay under their name when their fetch after a reboot is canceled, the task saying so', async () => {
    await withRig(async (rig) => {
      const body = makeContent(2 * MiB);
      rig.server.addFile('/c.bin', { body });
      const id = await rig.finishThenCrash('boot-1', '/c.bin');
      rig.server.addFile('/c.bin', { body, faults: { connectionRate: 256 * 1024 } });
      const engine = await rig.open('boot-2');
      await waitForTask(engine, id, (t) => t.state === 'downloading' && t.downloaded > 0);
      const canceled = await engine.cancel(id);
      assert.equal(canceled.state, 'canceled');
      assert.match(canceled.error?.message ?? '', KEPT);
      assert.equal(sha256(await readFile(join(rig.dir, 'c.bin'))), sha256(body), 'kept as it was');
      assert.deepEqual(await listDir(rig.dir), ['c.bin'], 'the copy begun beside it is gone');
    });
  });
});
