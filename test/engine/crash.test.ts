import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { O_DIRECT } from '../../electron/engine/direct-io.ts';
import { FaultServer } from '../support/fault-server.ts';
import { listDir, makeContent, MiB, sha256, sha256File, tempDir } from '../support/fixtures.ts';
import { openModes } from '../support/open-modes.ts';

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
  for (const writes of ['cached', 'direct'] as const) {
    it(`survives repeated kill -9 at random moments with ${writes} writes: the file is byte-identical and progress is kept`, async (t) => {
      const server = await FaultServer.start();
      const tmp = await tempDir();
      const home = join(tmp.path, 'home');
      const dir = join(tmp.path, 'out');
      try {
        if (writes === 'direct') {
          if (O_DIRECT === undefined) {
            console.log('SKIPPED: crash test with direct writes: no O_DIRECT on this platform');
            return t.skip('no O_DIRECT');
          }
          // Past the page cache from the first MiB (the default starts at 64 MiB).
          await mkdir(home, { recursive: true });
          await writeFile(join(home, 'settings.json'), JSON.stringify({ directWriteMinSize: MiB }));
        }
        let sawDirect = false;
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
          let running = true;
          const exit = exited(child).finally(() => (running = false));
          // Looks, while it runs, for the part file open with O_DIRECT in the child.
          const watch = (async () => {
            while (writes === 'direct' && running && !sawDirect) {
              sawDirect = (await openModes(join(dir, 'disk.img.part'), child.pid!)).includes(true);
              await sleep(20);
            }
          })();
          if (kills < 6) {
            const timer = setTimeout(() => child.kill('SIGKILL'), wait.next().value as number);
            lastCode = await exit;
            await watch;
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
            lastCode = await exit;
            await watch;
          }
          assert.equal(lastCode, 0, `braid get failed: ${stderr}`);
          break;
        }
        assert.equal(lastCode, 0);
        assert.ok(kills >= 3, `killed ${kills} times`);
        assert.deepEqual(await listDir(dir), ['disk.img']);
        assert.equal(await sha256File(join(dir, 'disk.img')), sha256(body));
        const ratio = server.stats.bodyBytes / body.length;
        console.log(`crash test (${writes}): ${kills} kills, served ${ratio.toFixed(2)}× the file`);
        if (writes === 'direct') assert.ok(sawDirect, 'the .part was open with O_DIRECT');
        assert.ok(ratio < 1.6, `progress was kept across kills (served ${ratio.toFixed(2)}×)`);
      } finally {
        await server.close();
        await tmp.cleanup();
      }
    });
  }

  it('ends six downloads that want one name whole, each under its own, across kill -9 at random moments', async () => {
    const server = await FaultServer.start();
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    const dir = join(tmp.path, 'out');
    try {
      const folders = ['a', 'b', 'c', 'd', 'e', 'f'];
      const bodies = folders.map((f) => makeContent(2 * MiB + folders.indexOf(f), f));
      const list = join(tmp.path, 'list.txt');
      await mkdir(tmp.path, { recursive: true });
      await writeFile(list, folders.map((f) => server.url(`/${f}/x.bin`)).join('\n'));
      for (const [i, f] of folders.entries()) {
        server.addFile(`/${f}/x.bin`, { body: bodies[i]!, faults: { connectionRate: MiB } });
      }
      const args = ['get', '-i', list, '-d', dir, '-j', '6', '-c', '2', '--quiet'];
      const wait = delays(7);
      for (let kill = 0; kill < 4; kill++) {
        const child = startCli(args, home);
        const timer = setTimeout(() => child.kill('SIGKILL'), wait.next().value as number);
        await exited(child);
        clearTimeout(timer);
      }
      const last = startCli(args, home);
      let stderr = '';
      last.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      assert.equal(await exited(last), 0, stderr);
      const names = await listDir(dir);
      assert.deepEqual(names, [
        'x (1).bin',
        'x (2).bin',
        'x (3).bin',
        'x (4).bin',
        'x (5).bin',
        'x.bin',
      ]);
      const sums = await Promise.all(names.map((name) => sha256File(join(dir, name))));
      assert.deepEqual(sums.sort(), bodies.map(sha256).sort(), 'each download whole, once');
    } finally {
      await server.close();
      await tmp.cleanup();
    }
  });

  it('leaves no stray .part when killed right after creating it: the next run takes the same name', async (t) => {
    try {
      execFileSync('strace', ['-V'], { stdio: 'ignore' });
    } catch {
      console.log('SKIPPED: kill right after the .part is created: no strace to hold it there');
      return t.skip('no strace');
    }
    const server = await FaultServer.start();
    const tmp = await tempDir();
    const home = join(tmp.path, 'home');
    const dir = join(tmp.path, 'out');
    const part = join(dir, 'disk.img.part');
    try {
      const body = makeContent(4 * MiB);
      server.addFile('/disk.img', { body });
      const args = ['get', server.url('/disk.img'), '-d', dir, '--quiet'];
      // strace holds the open that created the .part for 3 s before it returns, so the kill lands
      // after the file exists and before the process can do anything else.
      const strace = spawn(
        'strace',
        [
          ...['-f', '--seccomp-bpf', '-qq', '-o', '/dev/null', '-e', 'trace=openat'],
          ...['-e', 'inject=openat:delay_exit=3000000', '-P', part],
          ...[process.execPath, join(ROOT, 'bin/braid.js'), ...args],
        ],
        { env: { ...process.env, BRAID_HOME: home }, stdio: 'ignore' },
      );
      const straceExit = exited(strace);
      while (!existsSync(part)) {
        assert.equal(strace.exitCode, null, 'braid ended before creating its .part');
        await sleep(10);
      }
      const braidPid = Number(execFileSync('pgrep', ['-P', String(strace.pid)]).toString());
      process.kill(braidPid, 'SIGKILL');
      // strace reaps it once the held call returns; the next run must not find it alive.
      await straceExit;
      assert.deepEqual(await listDir(dir), ['disk.img.part']);

      const rerun = startCli(args, home);
      assert.equal(await exited(rerun), 0);
      assert.deepEqual(await listDir(dir), ['disk.img'], 'the same name, and no .part left');
      assert.equal(await sha256File(join(dir, 'disk.img')), sha256(body));
    } finally {
      await server.close();
      await tmp.cleanup();
    }
  });
});
