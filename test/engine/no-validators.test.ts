import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OVERLAP_BYTES } from '../../electron/engine/overlap-check.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { waitForEnd, waitForTask, withHarness } from '../support/engine-harness.ts';
import { makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';

const KiB = 1024;
const BARE = { etag: null, lastModified: null } as const;
const STARTING_OVER =
  'the server gives no way to tell the file is unchanged (no ETag or Last-Modified): starting over';

/** The first byte each request asked for, from its Range header (0 without one). */
function rangeStart(range: string | null): number {
  return Number(/^bytes=(\d+)-/.exec(range ?? '')?.[1] ?? 0);
}

/** Where the unfinished pieces a stopped task kept end: its next requests continue there. */
function keptEnds(task: TaskSnapshot): number[] {
  return task.segments
    .filter((s) => s.done > 0 && s.end !== null && s.start + s.done < s.end)
    .map((s) => s.start + s.done);
}

describe('a download whose server shows no ETag or Last-Modified', () => {
  it('starts over when the engine restarts, saying why, and ends as the new version whole', async () => {
    await withHarness(async (h) => {
      const v1 = makeContent(6 * MiB, 'v1');
      const v2 = makeContent(6 * MiB, 'v2');
      h.server.addFile('/six.bin', { body: v1, ...BARE, faults: { connectionRate: 1 * MiB } });
      const [task] = await h.engine.add([{ url: h.server.url('/six.bin'), connections: 4 }]);
      await waitForTask(h.engine, task!.id, (t) => t.downloaded > 1 * MiB);
      await h.engine.close();
      h.server.addFile('/six.bin', { body: v2, ...BARE });
      await h.restart();
      const done = await waitForEnd(h.engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(h.dir, 'six.bin')), sha256(v2), 'not spliced onto v1');
      const said = h.log.filter((r) => r.event === 'started_over');
      assert.deepEqual(
        said.map((r) => [r.code, r.message]),
        [['NO_VALIDATOR', STARTING_OVER]],
      );
      assert.ok(said[0]!.bytes! > 1 * MiB, `discarded ${said[0]!.bytes}`);
    });
  });

  it('starts over when resumed after a pause, and ends as the new version whole', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const v1 = makeContent(3 * MiB, 'v1');
      const v2 = makeContent(3 * MiB, 'v2');
      server.addFile('/three.bin', { body: v1, ...BARE, faults: { connectionRate: 1 * MiB } });
      const [task] = await engine.add([{ url: server.url('/three.bin'), connections: 2 }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 500 * KiB);
      const paused = await engine.pause(task!.id);
      server.addFile('/three.bin', { body: v2, ...BARE });
      await engine.resume(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'three.bin')), sha256(v2), 'not spliced onto v1');
      const said = log.filter((r) => r.event === 'started_over');
      assert.deepEqual(
        said.map((r) => [r.code, r.message, r.bytes]),
        [['NO_VALIDATOR', STARTING_OVER, paused.downloaded]],
      );
    });
  });

  it('starts over when the range continuing a segment after a reset begins with other bytes than those kept', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const v1 = makeContent(2 * MiB, 'v1');
      const v2 = makeContent(2 * MiB, 'v2');
      server.addFile('/cut.bin', {
        body: v1,
        ...BARE,
        // The connection drops after 512 KiB; the file is replaced before the next request.
        replacedBy: { after: 1, body: v2 },
        faults: { reset: { afterBytes: 512 * KiB, times: 1 } },
      });
      const [task] = await engine.add([{ url: server.url('/cut.bin'), connections: 1 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'cut.bin')), sha256(v2), 'not spliced onto v1');
      const continued = server.stats.requests[1]!;
      assert.ok(rangeStart(continued.range) < 512 * KiB, `asked ${continued.range}`);
      const said = log.filter((r) => r.event === 'started_over');
      assert.deepEqual(
        said.map((r) => r.code),
        ['CONTENT_CHANGED'],
      );
    });
  });

  it('starts over when the next window of a segment begins with other bytes than those kept', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const v1 = makeContent(10 * MiB, 'v1');
      const v2 = makeContent(10 * MiB, 'v2');
      // The first request asks for 4 MiB; the file is replaced before the one for the rest.
      server.addFile('/windows.bin', { body: v1, ...BARE, replacedBy: { after: 1, body: v2 } });
      const [task] = await engine.add([{ url: server.url('/windows.bin'), connections: 1 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'windows.bin')), sha256(v2), 'not spliced onto v1');
      assert.deepEqual(
        log.filter((r) => r.event === 'started_over').map((r) => r.code),
        ['CONTENT_CHANGED'],
      );
    });
  });

  it('keeps its bytes across a pause when a checksum is given, checking those before each range it continues', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const body = makeContent(3 * MiB);
      server.addFile('/sum.bin', { body, ...BARE, faults: { connectionRate: 1 * MiB } });
      const checksum = { algorithm: 'sha256', expected: sha256(body) } as const;
      const [task] = await engine.add([{ url: server.url('/sum.bin'), connections: 2, checksum }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 500 * KiB);
      const paused = await engine.pause(task!.id);
      server.addFile('/sum.bin', { body, ...BARE });
      const asked = server.stats.requests.length;
      const served = server.stats.bodyBytes;
      await engine.resume(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'sum.bin')), sha256(body));
      assert.equal(log.filter((r) => r.event === 'started_over').length, 0);
      const resumed = server.stats.requests.slice(asked);
      const extra = server.stats.bodyBytes - served - (body.length - paused.downloaded);
      assert.ok(extra <= resumed.length * 64 * KiB, `${extra} bytes fetched twice`);
      // Each kept piece is continued by a request that starts a little before its end.
      for (const end of keptEnds(paused)) {
        assert.ok(
          resumed.some((r) => rangeStart(r.range) === end - Math.min(OVERLAP_BYTES, end)),
          `no overlap before ${end}: ${resumed.map((r) => r.range).join(', ')}`,
        );
      }
    });
  });

  it('starts over once by itself when such a resumed download fails its checksum, and then passes it', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const v1 = makeContent(3 * MiB, 'v1');
      // Changed only at its start, inside the bytes kept: no range's overlap can see it.
      const v2 = Buffer.concat([makeContent(1000, 'v2'), v1.subarray(1000)]);
      server.addFile('/sum.bin', { body: v1, ...BARE, faults: { connectionRate: 1 * MiB } });
      const checksum = { algorithm: 'sha256', expected: sha256(v2) } as const;
      const [task] = await engine.add([{ url: server.url('/sum.bin'), connections: 2, checksum }]);
      await waitForTask(engine, task!.id, (t) => t.downloaded > 500 * KiB);
      await engine.pause(task!.id);
      server.addFile('/sum.bin', { body: v2, ...BARE });
      await engine.resume(task!.id);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'sum.bin')), sha256(v2));
      const said = log.filter((r) => r.event === 'started_over');
      assert.deepEqual(
        said.map((r) => [r.code, r.bytes]),
        [['CHECKSUM_MISMATCH', v1.length]],
      );
    });
  });

  it('fails, keeping the data, when the download started over still fails its checksum', async () => {
    await withHarness(async ({ engine, server, dir, log }) => {
      const body = makeContent(1 * MiB);
      server.addFile('/sum.bin', { body, ...BARE });
      const checksum = { algorithm: 'sha256', expected: 'f'.repeat(64) } as const;
      const [task] = await engine.add([{ url: server.url('/sum.bin'), connections: 1, checksum }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'CHECKSUM_MISMATCH');
      assert.equal(await sha256File(join(dir, 'sum.bin.part')), sha256(body));
      assert.equal(server.stats.bodyBytes, 2 * body.length, 'fetched twice, not more');
      assert.equal(log.filter((r) => r.event === 'started_over').length, 1);
    });
  });
});

describe('a download whose server shows an ETag', () => {
  it('still resumes after the engine restarts, fetching only the bytes it does not have', async () => {
    await withHarness(async (h) => {
      const body = makeContent(6 * MiB);
      h.server.addFile('/six.bin', { body, faults: { connectionRate: 1 * MiB } });
      const [task] = await h.engine.add([{ url: h.server.url('/six.bin'), connections: 4 }]);
      await waitForTask(h.engine, task!.id, (t) => t.downloaded > 1 * MiB);
      await h.engine.close();
      h.server.addFile('/six.bin', { body });
      const served = h.server.stats.bodyBytes;
      const asked = h.server.stats.requests.length;
      await h.restart();
      const kept = h.engine.get(task!.id)!;
      const done = await waitForEnd(h.engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(h.dir, 'six.bin')), sha256(body));
      assert.equal(h.log.filter((r) => r.event === 'started_over').length, 0);
      const extra = h.server.stats.bodyBytes - served - (body.length - kept.downloaded);
      assert.ok(extra <= 256 * KiB, `${extra} bytes fetched twice`);
      const resumed = h.server.stats.requests.slice(asked);
      for (const end of keptEnds(kept)) {
        assert.ok(
          resumed.some((r) => rangeStart(r.range) === end),
          `nothing continues exactly at ${end}: ${resumed.map((r) => r.range).join(', ')}`,
        );
      }
    });
  });
});
