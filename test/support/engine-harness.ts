import type { SettingsPatch } from '../../shared/api/settings.ts';
import type { TaskSnapshot, TaskState } from '../../shared/api/task.ts';
import { DownloadEngine, type EngineOptions } from '../../electron/engine/download-engine.ts';
import type { EngineLogRecord } from '../../electron/engine/engine-log.ts';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { FaultServer, type RequestRecord } from './fault-server.ts';
import { sha256, tempDir } from './fixtures.ts';

export interface Harness {
  engine: DownloadEngine;
  server: FaultServer;
  /** Download folder. */
  dir: string;
  /** BRAID_HOME of the engine. */
  home: string;
  /** Closes the engine and opens a new one on the same home: an app restart. */
  restart(settings?: SettingsPatch): Promise<DownloadEngine>;
  /** What the engine logged (debug records included), oldest first. */
  log: EngineLogRecord[];
}

/** Small segments so that small, fast fixtures still exercise many connections. */
export const TEST_SETTINGS: SettingsPatch = { minSegmentSize: 64 * 1024, readTimeoutMs: 3000 };

export async function withHarness(
  fn: (h: Harness) => Promise<void>,
  settings: SettingsPatch = {},
  options: Pick<EngineOptions, 'systemProxy'> = {},
): Promise<void> {
  const server = await FaultServer.start();
  const dirs = await tempDir();
  const home = `${dirs.path}/home`;
  const dir = `${dirs.path}/downloads`;
  const log: EngineLogRecord[] = [];
  const open = (extra?: SettingsPatch) =>
    DownloadEngine.open({
      home,
      defaultDownloadDir: dir,
      settings: { ...TEST_SETTINGS, ...settings, ...extra },
      log: (record) => log.push(record),
      ...options,
    });
  const h: Harness = {
    engine: await open(),
    server,
    dir,
    home,
    log,
    async restart(extra) {
      await h.engine.close();
      h.engine = await open(extra);
      return h.engine;
    },
  };
  try {
    await fn(h);
  } finally {
    await h.engine.close();
    await server.close();
    await dirs.cleanup();
  }
}

/** Resolves with the task's snapshot once `until` holds; rejects with its last state on timeout. */
export function waitForTask(
  engine: DownloadEngine,
  id: string,
  until: TaskState | ((task: TaskSnapshot) => boolean),
  timeoutMs = 30_000,
): Promise<TaskSnapshot> {
  const test = typeof until === 'string' ? (t: TaskSnapshot) => t.state === until : until;
  return new Promise((resolve, reject) => {
    const check = () => {
      const task = engine.get(id);
      if (task && test(task)) {
        finish();
        resolve(task);
      }
    };
    const unsubscribe = engine.subscribe((event) => {
      if (
        (event.type === 'task-changed' && event.task.id === id) ||
        (event.type === 'progress' && event.tasks.some((t) => t.id === id))
      ) {
        check();
      }
    });
    const timer = setTimeout(() => {
      finish();
      const task = engine.get(id);
      reject(
        new Error(
          `timed out waiting for task ${id}: state ${task?.state}, ${task?.downloaded}/${task?.size} bytes, error ${JSON.stringify(task?.error)}`,
        ),
      );
    }, timeoutMs);
    function finish() {
      clearTimeout(timer);
      unsubscribe();
    }
    check();
  });
}

/** Waits until the task settles in completed, failed, canceled or paused. */
export function waitForEnd(
  engine: DownloadEngine,
  id: string,
  timeoutMs?: number,
): Promise<TaskSnapshot> {
  return waitForTask(
    engine,
    id,
    (t) =>
      ['completed', 'failed', 'canceled'].includes(t.state) ||
      (t.state === 'paused' && t.error !== null),
    timeoutMs,
  );
}

/**
 * Resumes a stopped task and waits until it completes with exactly `body` at `path`; returns the
 * requests the server saw meanwhile, for checks of what was fetched again.
 */
export async function resumeToCompletion(
  engine: DownloadEngine,
  server: FaultServer,
  id: string,
  path: string,
  body: Buffer,
): Promise<RequestRecord[]> {
  const before = server.stats.requests.length;
  await engine.resume(id);
  const done = await waitForEnd(engine, id);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  assert.equal(sha256(await readFile(path)), sha256(body));
  const after = server.stats.requests.slice(before);
  assert.ok(after.length > 0, 'the resume sent requests');
  return after;
}
