import assert from 'node:assert/strict';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { estimatedBootTime, maybeSameBoot } from '../../electron/engine/boot-id.ts';
import { DownloadEngine, releaseLockNow } from '../../electron/engine/download-engine.ts';
import { tempDir } from '../support/fixtures.ts';

const DAY = 24 * 3600_000;

/** Runs `fn` on a fresh home, its lock holding `lock` (written as it is) when given. */
async function withHome(lock: string | null, fn: (home: string) => Promise<void>): Promise<void> {
  const dirs = await tempDir();
  try {
    const home = join(dirs.path, 'home');
    await mkdir(home);
    if (lock !== null) await writeFile(join(home, 'engine.lock'), lock);
    await fn(home);
  } finally {
    await dirs.cleanup();
  }
}

// Windows and macOS name no boot: a lock left by a shutdown that never let Braid close would
// hold a pid that another process may have by now, and lock Braid out until deleted by hand.
describe("the lock on Braid's home where the OS names no boot", () => {
  it('takes over a lock marked in an earlier boot, whatever process has its pid now', async () => {
    const lock = `1\n\n${Math.round(estimatedBootTime() - DAY)}\n`;
    await withHome(lock, async (home) => {
      const engine = await DownloadEngine.open({ home, bootId: null, autoStart: false });
      await engine.close();
    });
  });

  it('refuses a home locked by a live process of this boot', async () => {
    const lock = `1\n\n${Math.round(estimatedBootTime())}\n`;
    await withHome(lock, async (home) => {
      await assert.rejects(
        DownloadEngine.open({ home, bootId: null, autoStart: false }),
        /another Braid process \(pid 1\) is using/,
      );
    });
  });

  it('refuses a live lock of an older Braid, which wrote no boot time', async () => {
    await withHome('1\n\n', async (home) => {
      await assert.rejects(
        DownloadEngine.open({ home, bootId: null, autoStart: false }),
        /another Braid process \(pid 1\) is using/,
      );
    });
  });

  it('marks its own lock with the boot time', async () => {
    await withHome(null, async (home) => {
      const engine = await DownloadEngine.open({ home, bootId: null, autoStart: false });
      try {
        const [pid, id, time] = (await readFile(join(home, 'engine.lock'), 'utf8')).split('\n');
        assert.deepEqual([pid, id], [String(process.pid), '']);
        assert.ok(
          maybeSameBoot({ id: null, time: Number(time) }, { id: null, time: estimatedBootTime() }),
        );
      } finally {
        await engine.close();
      }
    });
  });

  it('releases its lock at once when the session ends, and only its own', async () => {
    await withHome(null, async (home) => {
      const engine = await DownloadEngine.open({ home, bootId: null, autoStart: false });
      releaseLockNow(home);
      await assert.rejects(access(join(home, 'engine.lock')), 'the lock is gone');
      await engine.close();
    });
    await withHome('1\n\n', async (home) => {
      releaseLockNow(home);
      await access(join(home, 'engine.lock'));
    });
  });
});

describe('telling boots apart', () => {
  it('trusts boot ids where both have one, else start times a minute apart, else assumes the same boot', () => {
    const t = 1_700_000_000_000;
    assert.equal(maybeSameBoot({ id: 'a', time: t }, { id: 'a', time: t + DAY }), true);
    assert.equal(maybeSameBoot({ id: 'a', time: t }, { id: 'b', time: t }), false);
    assert.equal(maybeSameBoot({ id: null, time: t }, { id: null, time: t + 2_000 }), true);
    assert.equal(maybeSameBoot({ id: null, time: t }, { id: null, time: t - 2_000 }), true);
    assert.equal(maybeSameBoot({ id: null, time: t }, { id: null, time: t + 10 * 60_000 }), false);
    assert.equal(maybeSameBoot({ id: 'a', time: t }, { id: null, time: t + DAY }), false);
    assert.equal(maybeSameBoot({ id: null, time: null }, { id: null, time: t }), true);
  });
});
