import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FaultServer } from '../support/fault-server.ts';
import { listDir, makeContent, MiB, sha256, sha256File, tempDir } from '../support/fixtures.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

function startCli(args: string[], home: string): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'bin/braid.js'), ...args], {
    env: { ...process.env, BRAID_HOME: home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Deterministic "random" delays so a failure can be reproduced. */
function* delays(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield 300 + (x % 900);
  }
}

describe('crash safety', () => {
  it('survives repeated kill -9 at random moments: the file is byte-identical and progress is kept', async () => {
    const server = await FaultServer.start();
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    const dir = join(tmp.path, 'out');
    try {
      const body = makeContent(48 * MiB);
      server.addFile('/disk.img', { body, faults: { connectionRate: 2 * MiB } });
      const args = ['get', server.url('/disk.img'), '-d', dir, '-c', '4', '--quiet'];
      const wait = delays(42);
      let kills = 0;
      let lastCode: number | null = null;
      for (let run = 0; run < 30; run++) {
        const child = startCli(args, home);
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        if (kills < 6) {
          const timer = setTimeout(() => child.kill('SIGKILL'), wait.next().value as number);
          lastCode = await exited(child);
          clearTimeout(timer);
          if (child.signalCode === 'SIGKILL') {
            kills++;
            assert.ok(
              !(await listDir(dir)).includes('disk.img'),
              'no final file before completion',
            );
            continue;
          }
        } else {
          lastCode = await exited(child);
        }
        assert.equal(lastCode, 0, `braid get failed: ${stderr}`);
        break;
      }
      assert.equal(lastCode, 0);
      assert.ok(kills >= 3, `killed ${kills} times`);
      assert.deepEqual(await listDir(dir), ['disk.img']);
      assert.equal(await sha256File(join(dir, 'disk.img')), sha256(body));
      const ratio = server.stats.bodyBytes / body.length;
      console.log(`crash test: ${kills} kills, served ${ratio.toFixed(2)}× the file size`);
      assert.ok(ratio < 1.6, `progress was kept across kills (served ${ratio.toFixed(2)}×)`);
    } finally {
      await server.close();
      await tmp.cleanup();
    }
  });
});
