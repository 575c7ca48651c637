import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ApiError } from '../../shared/api/errors.ts';
import type { Priority } from '../../shared/api/task.ts';
import { waitForEnd, withHarness, type Harness } from '../support/engine-harness.ts';
import { listDir, makeContent, sha256 } from '../support/fixtures.ts';
import { random } from '../support/seeded-random.ts';

/**
 * What a user does to a list of downloads, in a seeded random order and at random moments: pause,
 * resume, cancel, retry, remove (with or without the file), priority, queue moves, settings
 * changes, per-task limits and app restarts, over several downloads of the same few links (so
 * they compete for names). Whatever the timing, every download left in the list then completes
 * with its link's bytes under a name of its own, and no `.part` is left behind.
 */
const OPERATIONS = [
  'pause',
  'resume',
  'cancel',
  'retry',
  'remove',
  'removeKeepingFile',
  'priority',
  'move',
  'settings',
  'restart',
  'limit',
] as const;

/** The first five seeds, and four more picked so that every operation comes up three times. */
const SEEDS = [1, 2, 3, 4, 5, 10, 142, 280, 285];

async function play(h: Harness, seed: number): Promise<string[]> {
  const next = random(seed);
  const below = (n: number) => Math.floor(next() * n);
  const pick = <T>(options: readonly T[]): T => options[below(options.length)]!;
  const bodies = new Map<string, Buffer>();
  for (let f = 0, files = 1 + below(4); f < files; f++) {
    const body = makeContent(pick([0, 5000, 70_000, 300_000, 900_000]), `${seed}-${f}`);
    bodies.set(`/f${f}.bin`, body);
    h.server.addFile(`/f${f}.bin`, {
      body,
      faults: {
        connectionRate: pick([0, 512 * 1024, 2 * 1024 * 1024]),
        ...(next() < 0.3 && { reset: { afterBytes: below(body.length + 1), times: 2 } }),
      },
    });
  }
  const paths = [...bodies.keys()];
  const tasks = await h.engine.add(
    Array.from({ length: 2 + below(8) }, () => ({
      url: h.server.url(pick(paths)),
      connections: 1 + below(8),
    })),
  );
  const ids = tasks.map((t) => t.id);
  const removed = new Set<string>();
  const done: string[] = [];
  for (let step = 0, steps = below(12); step < steps; step++) {
    await sleep(below(150));
    const listed = ids.filter((id) => !removed.has(id));
    if (listed.length === 0) break;
    const id = pick(listed);
    const operation = pick(OPERATIONS);
    done.push(`${operation} ${ids.indexOf(id)}`);
    try {
      if (operation === 'pause') await h.engine.pause(id);
      else if (operation === 'resume') await h.engine.resume(id);
      else if (operation === 'cancel') await h.engine.cancel(id);
      else if (operation === 'retry') await h.engine.retry(id);
      else if (operation === 'remove' || operation === 'removeKeepingFile') {
        await h.engine.remove(id, { deleteFile: operation === 'remove' });
        removed.add(id);
      } else if (operation === 'priority') {
        await h.engine.setPriority(id, pick<Priority>(['high', 'normal', 'low']));
      } else if (operation === 'move') await h.engine.move(id, pick([null, ...listed]));
      else if (operation === 'settings') {
        await h.engine.updateSettings({
          maxConcurrent: 1 + below(4),
          connections: 1 + below(8),
          globalLimit: pick([0, 0, 1024 * 1024, 4 * 1024 * 1024]),
        });
      } else if (operation === 'restart') await h.restart();
      else await h.engine.setTaskLimit(id, pick([0, 256 * 1024]));
    } catch (error) {
      // Refusing an operation the task's state does not allow is right; anything else is not.
      if (!(error instanceof ApiError && error.code === 'INVALID_TRANSITION')) throw error;
    }
  }

  await h.engine.updateSettings({ globalLimit: 0, maxConcurrent: 3 });
  const listed = ids.filter((id) => !removed.has(id));
  for (const id of listed) {
    const state = h.engine.get(id)!.state;
    if (state === 'paused') await h.engine.resume(id);
    else if (state === 'canceled' || state === 'failed') await h.engine.retry(id);
  }
  const names: string[] = [];
  for (const id of listed) {
    const end = await waitForEnd(h.engine, id, 60_000);
    assert.equal(end.state, 'completed', `${done.join(', ')}: ${JSON.stringify(end.error)}`);
    const body = bodies.get(new URL(end.url).pathname)!;
    assert.equal(sha256(await readFile(join(end.dir, end.fileName!))), sha256(body));
    names.push(end.fileName!);
  }
  assert.equal(new Set(names).size, names.length, `a name of its own each: ${names.join(', ')}`);
  const left = (await listDir(h.dir)).filter((name) => !names.includes(name));
  assert.deepEqual(
    left.filter((name) => name.endsWith('.part')),
    [],
    `no .part left after ${done.join(', ')}`,
  );
  return done;
}

describe('mixed operations', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every download left completes whole, under its own name, with no .part left`, async () => {
      await withHarness((h) => play(h, seed).then(() => undefined), {
        readTimeoutMs: 1000,
        maxRetries: 8,
        ...(seed % 2 === 0 && { directWriteMinSize: 0 }),
      });
    });
  }
});
