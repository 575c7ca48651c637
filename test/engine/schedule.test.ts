import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TimeWindow } from '../../shared/api/settings.ts';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import { makeContent, sha256, sha256File, MiB } from '../support/fixtures.ts';

const KiB = 1024;
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

/** HH:MM of now shifted by some minutes, in local time (wrapping around midnight). */
function clock(offsetMinutes: number): string {
  const d = new Date(Date.now() + offsetMinutes * 60_000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
const openNow: TimeWindow = { enabled: true, days: ALL_DAYS, start: clock(-60), stop: clock(60) };
const closedNow: TimeWindow = {
  enabled: true,
  days: ALL_DAYS,
  start: clock(120),
  stop: clock(180),
};

describe('schedules', () => {
  it('holds queued tasks outside the download window and starts them when it opens', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(300 * KiB);
      server.addFile('/night.bin', { body });
      await engine.updateSettings({ schedule: closedNow });
      const [task] = await engine.add([{ url: server.url('/night.bin') }]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(engine.get(task!.id)?.state, 'queued');
      assert.equal(server.stats.requests.length, 0, 'nothing was fetched in quiet hours');
      await engine.updateSettings({ schedule: openNow });
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      assert.equal(await sha256File(join(dir, 'night.bin')), sha256(body));
    });
  });

  it('sends running downloads back to the queue when quiet hours begin, and finishes them after', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(2 * MiB);
      server.addFile('/long.bin', { body, faults: { connectionRate: 256 * KiB } });
      const [task] = await engine.add([{ url: server.url('/long.bin'), connections: 2 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 0);
      await engine.updateSettings({ schedule: closedNow });
      assert.equal(engine.get(task!.id)?.state, 'queued');
      const held = engine.get(task!.id)?.downloaded ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(engine.get(task!.id)?.downloaded, held, 'no bytes in quiet hours');
      await engine.updateSettings({ schedule: { ...closedNow, enabled: false } });
      assert.equal((await waitForEnd(engine, task!.id)).state, 'completed');
      assert.equal(await sha256File(join(dir, 'long.bin')), sha256(body));
    });
  });

  it('slows downloads to the scheduled limit inside its window', async () => {
    await withHarness(async ({ engine, server }) => {
      server.addFile('/work-hours.bin', { body: makeContent(2 * MiB) });
      const limit = 256 * KiB;
      await engine.updateSettings({ limitSchedule: { ...openNow, limit } });
      const started = performance.now();
      const [task] = await engine.add([{ url: server.url('/work-hours.bin'), connections: 4 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded >= 512 * KiB);
      const seconds = (performance.now() - started) / 1000;
      // Rates only come out lower on a busy machine, so only this bound is strict.
      assert.ok(seconds >= (512 * KiB - 160 * KiB) / limit, `${seconds.toFixed(2)} s for 512 KiB`);
      await engine.cancel(task!.id);
    });
  });
});
