import assert from 'node:assert/strict';
import { access, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ApiError } from '../../shared/api/errors.ts';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import { FaultServer } from '../support/fault-server.ts';
import {
  resumeToCompletion,
  TEST_SETTINGS,
  waitForEnd,
  waitForTask,
} from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, tempDir } from '../support/fixtures.ts';
import { mountSmallDisk, type SmallDisk } from '../support/small-disk.ts';

/** Fills the disk that `dir` is on: a file as large as will fit. */
async function fill(dir: string): Promise<string> {
  const path = join(dir, 'filler');
  await writeFile(path, Buffer.alloc(4 * MiB)).catch(() => undefined);
  return path;
}

/** Files this process holds open under `dir`. */
async function openFilesUnder(dir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(
    fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  );
  return targets.filter((target) => target.startsWith(dir + '/'));
}

function isStorageError(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.code === 'STORAGE_FAILED' &&
    /disk is full/.test(error.message) &&
    error.message.includes('home')
  );
}

interface StateOnSmallDisk {
  disk: SmallDisk;
  /** Braid's state folder, on the small disk. */
  home: string;
  /** Where downloads go: not on the small disk. */
  downloads: string;
  server: FaultServer;
  /** Open on `home`; replace it to reopen, it is closed at the end. */
  engine: DownloadEngine;
}

/** An engine whose state folder is on a small disk of its own, with a server to download from. */
async function withStateOnSmallDisk(
  t: TestContext,
  fn: (ctx: StateOnSmallDisk) => Promise<void>,
): Promise<void> {
  const disk = await mountSmallDisk(t, '256k');
  if (!disk) return;
  const downloads = await tempDir();
  const server = await FaultServer.start();
  const home = join(disk.dir, 'home');
  const engine = await DownloadEngine.open({ home, settings: TEST_SETTINGS });
  const ctx = { disk, home, downloads: downloads.path, server, engine };
  try {
    await fn(ctx);
  } finally {
    await ctx.engine.close().catch(() => undefined);
    await server.close();
    await downloads.cleanup();
    await disk.cleanup();
  }
}

interface DownloadUnderWay extends StateOnSmallDisk {
  id: string;
  body: Buffer;
  path: string;
}

/**
 * A download a quarter done, with Braid's state on a small disk of its own. Every save of the
 * task's record is larger than a page (a long header), so none can slip into the log's last one
 * once the disk is full.
 */
function withDownloadUnderWay(
  t: TestContext,
  fn: (run: DownloadUnderWay) => Promise<void>,
): Promise<void> {
  return withStateOnSmallDisk(t, async (ctx) => {
    const body = makeContent(4 * MiB, 'slow');
    ctx.server.addFile('/slow.bin', { body, faults: { connectionRate: 512 * 1024 } });
    const headers = { 'X-Padding': 'x'.repeat(8000) };
    const [task] = await ctx.engine.add([
      { url: ctx.server.url('/slow.bin'), dir: ctx.downloads, connections: 2, headers },
    ]);
    const run = Object.assign(ctx, { id: task!.id, body, path: join(ctx.downloads, 'slow.bin') });
    await waitForTask(run.engine, run.id, (x) => x.downloaded >= MiB);
    await fn(run);
  });
}

describe("the lock on Braid's home", () => {
  /** Opens an engine on a home whose lock names a live process (pid 1) of boot `boot`. */
  async function openOverLock(boot: string): Promise<DownloadEngine> {
    const dirs = await tempDir();
    const home = join(dirs.path, 'home');
    await mkdir(home);
    await writeFile(join(home, 'engine.lock'), `1\n${boot}\n`);
    try {
      return await DownloadEngine.open({ home, bootId: 'boot-now', autoStart: false });
    } finally {
      await dirs.cleanup();
    }
  }

  it('refuses a home locked by a live process of this boot', async () => {
    await assert.rejects(openOverLock('boot-now'), /another Braid process \(pid 1\) is using/);
  });

  it('takes over a lock left before the OS last started, whatever process has its pid now', async () => {
    const engine = await openOverLock('boot-before');
    await engine.close();
  });
});

describe("Braid's own state (task journal, lock) on a disk that will not take it", () => {
  it('refuses to open with a clear error and leaves no lock file behind', async (t) => {
    const disk = await mountSmallDisk(t, '256k');
    if (!disk) return;
    try {
      const home = join(disk.dir, 'home');
      await DownloadEngine.open({ home, settings: TEST_SETTINGS }).then((e) => e.close());
      const filler = await fill(disk.dir);
      await assert.rejects(DownloadEngine.open({ home, settings: TEST_SETTINGS }), isStorageError);
      assert.ok(!(await listDir(home)).includes('engine.lock'), 'no empty lock file is left');
      await rm(filler);
      const engine = await DownloadEngine.open({ home, settings: TEST_SETTINGS });
      await engine.close();
    } finally {
      await disk.cleanup();
    }
  });

  it('refuses to open, saying why, where its folder cannot be made', async () => {
    const tmp = await tempDir();
    try {
      const home = join(tmp.path, 'home');
      await writeFile(home, 'not a folder');
      await assert.rejects(
        DownloadEngine.open({ home, settings: TEST_SETTINGS }),
        (error: unknown) =>
          error instanceof ApiError &&
          error.code === 'STORAGE_FAILED' &&
          error.message === `cannot save Braid's state in ${home}: a file is in the way`,
      );
    } finally {
      await tmp.cleanup();
    }
  });

  it('refuses an add it cannot store, with a clear error, and never starts or lists that task', async (t) => {
    await withStateOnSmallDisk(t, async (ctx) => {
      const { server, downloads } = ctx;
      server.addFile('/lost.bin', { body: makeContent(64 * 1024, 'lost') });
      const kept = makeContent(MiB, 'kept');
      server.addFile('/kept.bin', { body: kept });
      const filler = await fill(ctx.disk.dir);
      await assert.rejects(
        ctx.engine.add([{ url: server.url('/lost.bin'), dir: downloads }]),
        isStorageError,
      );
      assert.deepEqual(ctx.engine.list(), [], 'the refused task is not listed');

      await rm(filler);
      const [task] = await ctx.engine.add([{ url: server.url('/kept.bin'), dir: downloads }]);
      assert.equal((await waitForEnd(ctx.engine, task!.id)).state, 'completed');
      assert.deepEqual(
        server.stats.requests.map((r) => r.path).filter((p) => p === '/lost.bin'),
        [],
        'the refused task never ran, not even when the next one made room in the queue',
      );
      assert.deepEqual(await listDir(downloads), ['kept.bin']);
      assert.equal(sha256(await readFile(join(downloads, 'kept.bin'))), sha256(kept));

      await ctx.engine.close();
      ctx.engine = await DownloadEngine.open({ home: ctx.home, settings: TEST_SETTINGS });
      assert.deepEqual(
        ctx.engine.list().map((x) => x.fileName),
        ['kept.bin'],
      );
    });
  });

  it('never starts a task whose add is still being stored when a queue slot frees meanwhile', async (t) => {
    await withStateOnSmallDisk(t, async (ctx) => {
      const { server, downloads } = ctx;
      server.addFile('/waiting.bin', { body: makeContent(64 * 1024, 'waiting') });
      server.addFile('/lost.bin', { body: makeContent(64 * 1024, 'lost') });
      // A task queued by an earlier run: an engine that does not start tasks on its own keeps
      // it waiting until told to start it.
      await ctx.engine.close();
      ctx.engine = await DownloadEngine.open({
        home: ctx.home,
        settings: { ...TEST_SETTINGS, maxConcurrent: 2 },
        autoStart: false,
      });
      const [waiting] = await ctx.engine.add([{ url: server.url('/waiting.bin'), dir: downloads }]);
      await ctx.engine.close();
      ctx.engine = await DownloadEngine.open({ home: ctx.home, autoStart: false });
      const filler = await fill(ctx.disk.dir);

      const adding = ctx.engine.add([{ url: server.url('/lost.bin'), dir: downloads }]);
      // Starting the waiting task schedules the queue while the add's save is still on its way.
      await ctx.engine.start(waiting!.id);
      await assert.rejects(adding, isStorageError);
      await waitForEnd(ctx.engine, waiting!.id);
      await rm(filler);
      assert.deepEqual(
        server.stats.requests.map((r) => r.path).filter((p) => p === '/lost.bin'),
        [],
        'the task that could not be stored never ran',
      );
      assert.deepEqual(
        ctx.engine.list().map((x) => x.id),
        [waiting!.id],
      );
    });
  });

  it('pauses a download when told to even if the pause cannot be saved, answering with a clear error', async (t) => {
    await withDownloadUnderWay(t, async (run) => {
      const filler = await fill(run.disk.dir);
      const told: string[] = [];
      run.engine.subscribe((event) => {
        if (event.type === 'task-changed' && event.task.id === run.id) told.push(event.task.state);
      });
      await assert.rejects(run.engine.pause(run.id), isStorageError);
      const paused = run.engine.get(run.id)!;
      assert.equal(paused.state, 'paused', 'paused, not failed');
      assert.equal(paused.error, null);
      assert.equal(told.at(-1), 'paused', 'windows are told');
      await rm(filler);
      const resumed = await resumeToCompletion(run.engine, run.server, run.id, run.path, run.body);
      assert.ok(
        resumed.every((r) => !r.range?.startsWith('bytes=0-')),
        'nothing fetched twice',
      );
    });
  });

  it("resumes a download when told to even if that cannot be saved, answering with a clear error, then pauses it saying Braid's state cannot be saved", async (t) => {
    await withDownloadUnderWay(t, async (run) => {
      await run.engine.pause(run.id);
      const filler = await fill(run.disk.dir);
      await assert.rejects(run.engine.resume(run.id), isStorageError);
      assert.equal(run.engine.get(run.id)!.state, 'downloading', 'started at once, as asked');
      // It runs, and stops on its own once it cannot save its progress either: said as Braid's
      // state, not as the download's disk, which has room.
      const stopped = await waitForEnd(run.engine, run.id);
      assert.equal(stopped.state, 'paused');
      assert.equal(stopped.error?.code, 'STORAGE_FAILED');
      assert.equal(
        stopped.error?.message,
        `cannot save Braid's state in ${join(run.home, 'tasks')}: the disk is full`,
      );
      await rm(filler);
      await run.engine.resume(run.id);
      assert.equal((await waitForEnd(run.engine, run.id)).state, 'completed');
      assert.equal(sha256(await readFile(run.path)), sha256(run.body));
    });
  });

  it('closes with a clear error when it cannot save progress, releasing its files and lock, and resumes from what was saved', async (t) => {
    await withDownloadUnderWay(t, async (run) => {
      const filler = await fill(run.disk.dir);
      await assert.rejects(run.engine.close(), isStorageError);
      await assert.rejects(access(join(run.home, 'engine.lock')), 'the lock is released');
      assert.deepEqual(await openFilesUnder(run.disk.dir), [], 'no file of the state is left open');
      await rm(filler);

      const before = run.server.stats.requests.length;
      // It was downloading: it carries on by itself.
      run.engine = await DownloadEngine.open({ home: run.home, settings: TEST_SETTINGS });
      const done = await waitForEnd(run.engine, run.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(sha256(await readFile(run.path)), sha256(run.body));
      assert.ok(
        run.server.stats.requests.slice(before).every((r) => !r.range?.startsWith('bytes=0-')),
        'bytes saved before the disk filled are not fetched again',
      );
    });
  });
});
