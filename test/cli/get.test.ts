import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import { ResumeJournal } from '../../electron/engine/resume-journal.ts';
import { formatBytes, parseRate } from '../../shared/format.ts';
import { FaultServer } from '../support/fault-server.ts';
import { HttpProxy } from '../support/http-proxy.ts';
import { listDir, makeContent, MiB, sha256, sha256File, tempDir } from '../support/fixtures.ts';
import { mountSmallDisk } from '../support/small-disk.ts';
import { TerminalScreen } from '../support/terminal-screen.ts';

const BIN = new URL('../../bin/braid.js', import.meta.url).pathname;
const KiB = 1024;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Standard output as bytes, for `-o -`. */
  out?: Buffer;
}

function braid(
  args: string[],
  home: string,
  options: {
    interruptAfter?: (out: string) => boolean;
    /** What interruptAfter sends: SIGINT, as Ctrl-C does, unless told. */
    signal?: NodeJS.Signals;
    /** Kills a process still running this long after it started (it then exits with null). */
    killAfterMs?: number;
    env?: Record<string, string>;
  } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...options.env, BRAID_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      stdout += d.toString();
      if (!sent && options.interruptAfter?.(stdout)) {
        sent = true;
        setTimeout(() => child.kill(options.signal ?? 'SIGINT'), 300);
      }
    });
    const killer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, out: Buffer.concat(chunks) });
    });
  });
}

async function withServer(
  fn: (server: FaultServer, dir: string, home: string) => Promise<void>,
): Promise<void> {
  const server = await FaultServer.start();
  const tmp = await tempDir();
  try {
    await fn(server, join(tmp.path, 'out'), join(tmp.path, 'home'));
  } finally {
    await server.close();
    await tmp.cleanup();
  }
}

/**
 * Runs braid under a pseudo-terminal (util-linux `script`), as a person at a terminal would; of
 * `size` rows and columns when given, made `resize.rows` tall after `resize.afterSeconds` (the
 * kernel sends SIGWINCH), with RESIZING written to the terminal just before.
 */
function braidOnTerminal(
  args: string[],
  home: string,
  options: {
    size?: { rows: number; columns: number };
    resize?: { afterSeconds: number; rows: number };
    /** A file standard output is redirected to, away from the terminal. */
    stdoutTo?: string;
  } = {},
): Promise<Run> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  let command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const { size, resize, stdoutTo } = options;
  if (stdoutTo) command = `${command} > ${quote(stdoutTo)}`;
  if (resize) {
    command = `${command} & sleep ${resize.afterSeconds}; echo RESIZING; stty rows ${resize.rows}; wait $!`;
  }
  if (size) command = `stty rows ${size.rows} cols ${size.columns}; ${command}`;
  return new Promise((resolve) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, BRAID_HOME: home, COLUMNS: '100', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr: '' }));
  });
}

describe('braid get', () => {
  it('draws a live progress line with percent, speed and ETA on a terminal', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(2560 * KiB);
      server.addFile('/live.bin', { body, faults: { connectionRate: 512 * KiB } });
      const run = await braidOnTerminal(
        ['get', server.url('/live.bin'), '-d', dir, '-c', '2'],
        home,
      );
      assert.equal(run.code, 0, run.stdout);
      assert.ok(run.stdout.includes('\x1b[2K'), 'redraws in place');
      assert.match(
        run.stdout,
        /live\.bin\s+\d{1,3}\.\d%\s+[\d.]+ [KM]iB\/s\s+ETA\s+\d+:\d\d\s+2 conn/,
      );
      assert.match(run.stdout, /completed .*live\.bin/);
      assert.equal(await sha256File(join(dir, 'live.bin')), sha256(body));
    });
  });

  it('keeps the live block within a small terminal, counting the downloads that do not fit, so nothing floods the scrollback', async () => {
    await withServer(async (server, dir, home) => {
      const names = Array.from({ length: 8 }, (_, i) => `many-${i}.bin`);
      for (const name of names) {
        server.addFile(`/${name}`, {
          body: makeContent(512 * KiB, name),
          faults: { connectionRate: 256 * KiB },
        });
      }
      const urls = names.map((name) => server.url(`/${name}`));
      const run = await braidOnTerminal(['get', ...urls, '-d', dir, '-j', '8', '-c', '1'], home, {
        size: { rows: 5, columns: 100 },
      });
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /\+5 more \([\d.]+ [KM]iB\/s total\)/);
      const screen = new TerminalScreen(5);
      screen.write(run.stdout);
      const progress = screen.scrollback.filter((line) => /ETA|more \(/.test(line));
      assert.deepEqual(progress, [], 'progress lines scrolled away');
      const kept = [...screen.scrollback, ...screen.lines].join('\n');
      for (const name of names) assert.match(kept, new RegExp(`completed .*${name}`));
    });
  });

  it('fits the live block to the terminal again when it is resized (SIGWINCH)', async () => {
    await withServer(async (server, dir, home) => {
      const names = Array.from({ length: 8 }, (_, i) => `resize-${i}.bin`);
      for (const name of names) {
        server.addFile(`/${name}`, {
          body: makeContent(1 * MiB, name),
          faults: { connectionRate: 256 * KiB },
        });
      }
      const urls = names.map((name) => server.url(`/${name}`));
      const run = await braidOnTerminal(['get', ...urls, '-d', dir, '-j', '8', '-c', '1'], home, {
        size: { rows: 4, columns: 100 },
        resize: { afterSeconds: 1.5, rows: 20 },
      });
      assert.equal(run.code, 0, run.stdout);
      const [before, after] = run.stdout.split('RESIZING');
      assert.ok(after !== undefined, run.stdout);
      // Frames begin where the cursor goes back up (CSI n F); each line of one names its ETA.
      const tallest = (text: string) =>
        Math.max(...text.split(/\[\d+F/).map((frame) => frame.split('ETA').length - 1));
      assert.match(before!, /\+6 more/);
      assert.ok(tallest(before!) <= 2, 'two lines and the count fit 4 rows');
      assert.equal(tallest(after), 8, 'every download has its line once there is room');
    });
  });

  it('writes its results to standard output when that is redirected from the terminal its progress is on', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/kept.bin', { body: makeContent(300 * KiB) });
      const log = join(home, '..', 'get.log');
      const run = await braidOnTerminal(['get', server.url('/kept.bin'), '-d', dir], home, {
        stdoutTo: log,
      });
      assert.equal(run.code, 0, run.stdout);
      const completed = `completed ${join(dir, 'kept.bin')}`;
      const written = await readFile(log, 'utf8');
      assert.ok(written.startsWith(`${completed} (`) && written.endsWith(')\n'), written);
      assert.equal(written.split('\n').length, 2, 'one line: no progress, no escapes');
      assert.ok(run.stdout.includes(completed), 'said on the terminal as well');
    });
  });

  it('says when -o had to take another name because a file had it, even with -q', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/new.bin', { body: makeContent(20 * KiB) });
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'exist.bin'), 'mine');
      for (const quiet of [[], ['-q']]) {
        const run = await braid(
          ['get', server.url('/new.bin'), '-d', dir, '-o', 'exist.bin', ...quiet],
          home,
        );
        assert.equal(run.code, 0, run.stderr);
        const n = quiet.length + 1;
        assert.equal(
          run.stderr,
          `braid: saved as ${join(dir, `exist (${n}).bin`)}: the name exist.bin was taken\n`,
        );
        await rm(join(home), { recursive: true });
      }
      assert.equal(await readFile(join(dir, 'exist.bin'), 'utf8'), 'mine');
    });
  });

  it('downloads, says where the file went, and exits 0', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(600 * KiB);
      server.addFile('/pkg.tar.gz', { body });
      const run = await braid(['get', server.url('/pkg.tar.gz'), '-d', dir], home);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /downloading pkg\.tar\.gz \(600 KiB\)/);
      assert.match(
        run.stdout,
        new RegExp(`completed ${join(dir, 'pkg.tar.gz').replace(/\./g, '\\.')}`),
      );
      assert.equal(await sha256File(join(dir, 'pkg.tar.gz')), sha256(body));
    });
  });

  it('leaves the files it finished flushed, so a reboot finds them complete instead of fetching them again', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/a.bin', { body: makeContent(300 * KiB) });
      server.addFile('/b.bin', { body: makeContent(300 * KiB, 'b') });
      const run = await braid(['get', server.url('/a.bin'), server.url('/b.bin'), '-d', dir], home);
      assert.equal(run.code, 0, run.stderr);
      const journal = new ResumeJournal(join(home, 'tasks'));
      const { records } = await journal.loadAll();
      await journal.close();
      assert.deepEqual(
        records.map((r) => [r.state, r.unflushed]),
        [
          ['completed', null],
          ['completed', null],
        ],
      );
    });
  });

  it('exits 1 with one clear line per failed download, after finishing the others', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/ok.bin', { body: makeContent(10 * KiB) });
      const run = await braid(
        ['get', server.url('/ok.bin'), server.url('/gone.bin'), '-d', dir],
        home,
      );
      assert.equal(run.code, 1);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /^braid: server answered 404 Not Found for \S*gone\.bin$/);
      assert.deepEqual(await listDir(dir), ['ok.bin']);
    });
  });

  it('says each retry when its output is not a terminal, counted as the live line counts them, and completes', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(64 * KiB);
      server.addFile('/flaky.bin', {
        body,
        faults: { statusSequence: [{ status: 500 }, { status: 500 }] },
      });
      const run = await braid(['get', server.url('/flaky.bin'), '-d', dir, '-c', '1'], home);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.deepEqual(
        lines.map((l) => l.replace(/in \d+ s$/, 'in N s')),
        [1, 2].map(
          (n) =>
            `braid: server answered 500 Internal Server Error for ${server.url('/flaky.bin')}; retry ${n} of 10 in N s`,
        ),
      );
      assert.equal(await sha256File(join(dir, 'flaky.bin')), sha256(body));
    });
  });

  it('reports each file’s own speed, from when it started, not from when the command did', async () => {
    await withServer(async (server, dir, home) => {
      for (const name of ['one.bin', 'two.bin']) {
        server.addFile(`/${name}`, {
          body: makeContent(512 * KiB, name),
          faults: { connectionRate: 512 * KiB },
        });
      }
      const run = await braid(
        ['get', server.url('/one.bin'), server.url('/two.bin'), '-d', dir, '-j', '1', '-c', '1'],
        home,
      );
      assert.equal(run.code, 0, run.stderr);
      const seconds = [...run.stdout.matchAll(/completed .* in ([\d.]+) s,/g)].map((m) =>
        Number(m[1]),
      );
      assert.equal(seconds.length, 2, run.stdout);
      // Waiting in the queue for the first used to count: the second read about twice as long.
      assert.ok(seconds[1]! < seconds[0]! * 1.6, run.stdout);
    });
  });

  it('says a failed download when it fails, so a Ctrl-C later does not hide it', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/slow.bin', {
        body: makeContent(4 * MiB),
        faults: { connectionRate: 256 * KiB },
      });
      const run = await braid(
        ['get', server.url('/slow.bin'), server.url('/gone.bin'), '-d', dir],
        home,
        { interruptAfter: (out) => out.includes('downloading slow.bin') },
      );
      assert.equal(run.code, 130, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 3, run.stderr);
      assert.equal(lines[0], `braid: server answered 404 Not Found for ${server.url('/gone.bin')}`);
      assert.equal(lines[1], 'braid: stopping…');
      assert.match(lines[2]!, /interrupted/);
    });
  });

  it("exits 1 with one clear line, and downloads nothing, when its state folder's disk is full", async (t) => {
    const disk = await mountSmallDisk(t, '256k');
    if (!disk) return;
    try {
      await withServer(async (server, dir) => {
        server.addFile('/x.bin', { body: makeContent(64 * KiB) });
        const home = join(disk.dir, 'home');
        // One page left: the lock fits, the task's record (a long header makes it two) does not.
        const { bavail, bsize } = await statfs(disk.dir);
        await writeFile(join(disk.dir, 'filler'), Buffer.alloc((bavail - 1) * bsize));
        const pad = `X-Padding: ${'x'.repeat(6000)}`;
        const run = await braid(['get', server.url('/x.bin'), '-d', dir, '--header', pad], home);
        assert.equal(run.code, 1, run.stderr);
        assert.equal(
          run.stderr,
          `braid: cannot save Braid's state in ${home}: the disk is full\n`,
          'one line, no stack trace',
        );
        assert.deepEqual(await listDir(dir), []);
        assert.deepEqual(server.stats.requests, [], 'nothing was fetched');
      });
    } finally {
      await disk.cleanup();
    }
  });

  it('warns about a setting it cannot use, and downloads with the rest', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/x.bin', { body: makeContent(64 * KiB) });
      await mkdir(home, { recursive: true });
      await writeFile(join(home, 'settings.json'), JSON.stringify({ maxConcurrent: 'many' }));
      const run = await braid(['get', server.url('/x.bin'), '-d', dir], home);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /^braid: warning: settings\.json: maxConcurrent: .*; using the default\n$/,
      );
      assert.deepEqual(await listDir(dir), ['x.bin']);
    });
  });

  it('refuses a --limit below 1 B/s with a clear error, and downloads nothing', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/x.bin', { body: makeContent(64 * KiB) });
      for (const limit of ['0.5', '0.2', '0.0004K']) {
        const run = await braid(['get', server.url('/x.bin'), '-d', dir, '--limit', limit], home);
        assert.equal(run.code, 2, `--limit ${limit}: ${run.stderr}`);
        assert.equal(
          run.stderr,
          `braid: --limit: rate "${limit}" is below 1 B/s; use at least 1, or 0 for no limit\n`,
        );
      }
      assert.deepEqual(await listDir(dir), []);
      assert.deepEqual(server.stats.requests, [], 'nothing was fetched');
      const unlimited = await braid(['get', server.url('/x.bin'), '-d', dir, '--limit', '0'], home);
      assert.equal(unlimited.code, 0, `--limit 0 is no limit: ${unlimited.stderr}`);
      assert.deepEqual(await listDir(dir), ['x.bin']);
    });
  });

  it('says in its help the limits of -c, -j and --limit, and the state folder BRAID_HOME names', async () => {
    const home = '/srv/braid-state';
    const run = await braid(['get', '--help'], home);
    assert.equal(run.code, 0, run.stderr);
    const help = run.stdout.replace(/\s+/g, ' ');
    assert.match(help, /-c, --connections <n> connections per download, 1-32/);
    assert.match(help, /-j, --jobs <n> downloads at once, 1-32/);
    assert.match(help, /--limit <rate> .*\bK, M, G or T\b/);
    assert.doesNotMatch(help, /default: \[\]/);
    assert.match(help, /BRAID_HOME .*\(\/srv\/braid-state\)/);
  });

  it('says what to do when the app or braid serve holds its state folder: add it there, or another BRAID_HOME', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/held.bin', { body: makeContent(10 * KiB) });
      // This test process stands for the app: it holds the folder's lock while braid get runs.
      const app = await DownloadEngine.open({ home, autoStart: false });
      try {
        const run = await braid(['get', server.url('/held.bin'), '-d', dir], home);
        assert.equal(run.code, 1, run.stderr);
        const lines = run.stderr.trim().split('\n');
        assert.equal(lines.length, 2, run.stderr);
        assert.equal(
          lines[0],
          `braid: another Braid process (pid ${process.pid}) is using Braid's state folder ${home} ` +
            '(the desktop app, braid serve, or another braid get)',
        );
        assert.match(
          lines[1]!,
          /add the download there \(New download in the app, or braid serve's web UI\)/,
        );
        assert.ok(lines[1]!.endsWith(`BRAID_HOME=${home}-get braid get …`), lines[1]);
        assert.deepEqual(await listDir(dir), []);
      } finally {
        await app.close();
      }
    });
  });

  it('exits 2 on a usage error without touching anything', async () => {
    await withServer(async (_server, dir, home) => {
      const run = await braid(['get', 'ftp://example.com/x', '-d', dir], home);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /only http: and https:/);
      assert.deepEqual(await listDir(dir), []);
    });
  });

  it('fails at once, saying so, for a folder its file system will not make (under /proc)', async (t) => {
    // Node's recursive mkdir spins there forever, at full CPU, with nothing said.
    if (!existsSync('/proc/self')) return t.skip('needs Linux /proc');
    await withServer(async (server, _dir, home) => {
      server.addFile('/x.bin', { body: makeContent(64 * KiB) });
      const run = await braid(['get', server.url('/x.bin'), '-d', '/proc/braid-test/x'], home, {
        killAfterMs: 30_000,
      });
      assert.equal(run.code, 1, run.stderr);
      assert.equal(
        run.stderr,
        'braid: x.bin: cannot make the folder /proc/braid-test: its file system takes no new folders there\n',
      );
    });
  });

  it('resumes when the same command is run again after Ctrl-C', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(4 * MiB);
      server.addFile('/video.mkv', { body, faults: { connectionRate: 512 * KiB } });
      const args = ['get', server.url('/video.mkv'), '-d', dir, '-c', '4'];
      const first = await braid(args, home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      assert.match(first.stderr, /run the same command again to resume/);
      assert.deepEqual(await listDir(dir), ['video.mkv.part']);
      const servedBefore = server.stats.bodyBytes;
      assert.ok(servedBefore > 0);
      const second = await braid(args, home);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(await sha256File(join(dir, 'video.mkv')), sha256(body));
      assert.ok(
        server.stats.bodyBytes < body.length * 1.25,
        `served ${server.stats.bodyBytes} in all`,
      );
      const third = await braid(args, home);
      assert.equal(third.code, 0);
      assert.match(third.stdout, /already downloaded/);
      assert.deepEqual(await listDir(dir), ['video.mkv']);
    });
  });

  it('stops as for Ctrl-C on SIGTERM, exiting 143 as a shell reports that signal', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/term.bin', {
        body: makeContent(2 * MiB),
        faults: { connectionRate: 256 * KiB },
      });
      const run = await braid(['get', server.url('/term.bin'), '-d', dir], home, {
        interruptAfter: (out) => out.includes('downloading'),
        signal: 'SIGTERM',
      });
      assert.equal(run.code, 143, run.stderr);
      assert.match(run.stderr, /run the same command again to resume/);
      assert.deepEqual(await listDir(dir), ['term.bin.part']);
    });
  });

  it('stops the download when its launcher on an older Node is told to stop, leaving no process behind', async (t) => {
    const oldNode = '/usr/bin/node';
    const version = existsSync(oldNode)
      ? execFileSync(oldNode, ['--version'], { encoding: 'utf8' })
      : '';
    if (!/^v(1\d|2[0-3])\./.test(version)) {
      t.skip(`SKIPPED: no Node older than 24 at ${oldNode} to launch from`);
      return;
    }
    await withServer(async (server, dir, home) => {
      const body = makeContent(2 * MiB);
      server.addFile('/long.bin', { body, faults: { connectionRate: 256 * KiB } });
      const args = [BIN, 'get', server.url('/long.bin'), '-d', dir, '-c', '2'];
      const launcher = spawn(oldNode, args, {
        env: { ...process.env, BRAID_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      await new Promise<void>((resolve) =>
        launcher.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('downloading')) resolve();
        }),
      );
      const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(launcher.pid)], {
        encoding: 'utf8',
      })
        .trim()
        .split(/\s+/)
        .map(Number);
      assert.equal(children.length, 1, 'the launcher runs braid in one child');
      launcher.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => launcher.on('exit', resolve));
      assert.equal(code, 143, 'the child stopped as for Ctrl-C, and its code came back');
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      assert.equal(alive(children[0]!), false, 'no orphan downloads on');
      const again = await braid(['get', server.url('/long.bin'), '-d', dir, '-c', '2'], home);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(await sha256File(join(dir, 'long.bin')), sha256(body));
    });
  });

  it('after a resume, says what this run fetched and at what speed, and how much was kept from before', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(4 * MiB);
      server.addFile('/video.mkv', { body, faults: { connectionRate: 512 * KiB } });
      const args = ['get', server.url('/video.mkv'), '-d', dir, '-c', '4'];
      const first = await braid(args, home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      const second = await braid(args, home);
      assert.equal(second.code, 0, second.stderr);
      const summary =
        /completed \S+video\.mkv \(([\d.]+ \w+) in ([\d.]+) s, ([\d.]+ \w+)\/s; ([\d.]+ \w+) of its 4\.00 MiB kept from before\)$/m.exec(
          second.stdout,
        );
      assert.ok(summary, second.stdout);
      const [fetched, seconds, speed, kept] = [
        parseRate(summary[1]!),
        Number(summary[2]),
        parseRate(summary[3]!),
        parseRate(summary[4]!),
      ];
      assert.ok(kept > 0 && fetched > 0, second.stdout);
      // Both rounded to three digits.
      assert.ok(Math.abs(fetched + kept - body.length) < body.length * 0.01, second.stdout);
      // The seconds are rounded to a tenth.
      assert.ok(Math.abs(speed * seconds - fetched) < fetched * 0.1, second.stdout);
    });
  });

  it('downloads through the proxy set in the app, as the desktop does', async () => {
    await withServer(async (server, dir, home) => {
      const proxy = await HttpProxy.start();
      try {
        const body = makeContent(512 * KiB);
        server.addFile('/proxied.bin', { body });
        await mkdir(home, { recursive: true });
        const settings = { proxyMode: 'custom', proxyUrl: proxy.url };
        await writeFile(join(home, 'settings.json'), JSON.stringify(settings));
        const run = await braid(['get', server.url('/proxied.bin'), '-d', dir, '-c', '2'], home);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.equal(await sha256File(join(dir, 'proxied.bin')), sha256(body));
        assert.ok(proxy.requests > 0, 'through the proxy');
        assert.equal(proxy.requests, server.stats.requests.length, 'every request through it');
      } finally {
        await proxy.close();
      }
    });
  });

  it('downloads over HTTPS with several connections, and resumes after Ctrl-C', async () => {
    const tls = new URL('../support/tls/', import.meta.url);
    const cert = await readFile(new URL('cert.pem', tls));
    const server = await FaultServer.start({
      tls: { cert, key: await readFile(new URL('key.pem', tls)) },
    });
    const tmp = await tempDir();
    try {
      const [dir, home] = [join(tmp.path, 'out'), join(tmp.path, 'home')];
      const env = { NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('cert.pem', tls)) };
      const body = makeContent(4 * MiB);
      server.addFile('/disk.iso', { body, faults: { connectionRate: 512 * KiB } });
      const args = ['get', server.url('/disk.iso'), '-d', dir, '-c', '4'];
      const first = await braid(args, home, {
        env,
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      const second = await braid(args, home, { env });
      assert.equal(second.code, 0, second.stderr);
      assert.equal(await sha256File(join(dir, 'disk.iso')), sha256(body));
      assert.ok(server.stats.maxOpenConnections >= 2, `${server.stats.maxOpenConnections} open`);
      assert.ok(server.stats.bodyBytes < body.length * 1.25, `served ${server.stats.bodyBytes}`);
      // Unthrottled, the body comes right behind each head.
      server.addFile('/fast.iso', { body });
      const fast = await braid(['get', server.url('/fast.iso'), '-d', dir, '-c', '4'], home, {
        env,
      });
      assert.equal(fast.code, 0, fast.stderr);
      assert.equal(await sha256File(join(dir, 'fast.iso')), sha256(body));
    } finally {
      await server.close();
      await tmp.cleanup();
    }
  });

  it('finishes every download when the reader of its output stops early (| head -1)', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(1 * MiB);
      server.addFile('/first.bin', { body: makeContent(1 * KiB) });
      server.addFile('/second.bin', { body, faults: { connectionRate: 1 * MiB } });
      const command = [process.execPath, BIN, 'get', '-j', '1', '-d', dir]
        .concat(server.url('/first.bin'), server.url('/second.bin'))
        .map((a) => `'${a}'`)
        .join(' ');
      // Asynchronously: the server answering it runs in this process.
      const run = await promisify(execFile)(
        'bash',
        ['-c', `${command} | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`],
        { env: { ...process.env, BRAID_HOME: home }, encoding: 'utf8' },
      );
      assert.equal(run.stdout.trim(), '0', run.stderr);
      assert.equal(run.stderr, '');
      assert.deepEqual(await listDir(dir), ['first.bin', 'second.bin']);
      assert.equal(await sha256File(join(dir, 'second.bin')), sha256(body));
    });
  });

  it('reads the list from standard input with -i -', async () => {
    await withServer(async (server, dir, home) => {
      const bodies = [makeContent(10 * KiB, 'a'), makeContent(20 * KiB, 'b')];
      server.addFile('/a.bin', { body: bodies[0]! });
      server.addFile('/b.bin', { body: bodies[1]! });
      const list = `${server.url('/a.bin')}\n${server.url('/b.bin')}\n`;
      const run = await promisify(execFile)(
        'bash',
        ['-c', `printf '${list}' | '${process.execPath}' '${BIN}' get -i - -d '${dir}'`],
        { env: { ...process.env, BRAID_HOME: home }, encoding: 'utf8' },
      );
      assert.equal(run.stderr, '');
      assert.deepEqual(await listDir(dir), ['a.bin', 'b.bin']);
      assert.equal(await sha256File(join(dir, 'b.bin')), sha256(bodies[1]!));
    });
  });

  it('takes the connections of the command run again, when it names them', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(4 * MiB);
      server.addFile('/video.mkv', { body, faults: { connectionRate: 512 * KiB } });
      const url = server.url('/video.mkv');
      const first = await braid(['get', url, '-d', dir, '-c', '1'], home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      assert.equal(server.stats.maxOpenConnections, 1);
      const second = await braid(['get', url, '-d', dir, '-c', '4'], home);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(await sha256File(join(dir, 'video.mkv')), sha256(body));
      assert.ok(server.stats.maxOpenConnections > 1, 'the second run opened more than one');
    });
  });

  it('continues an unfinished download from a new link given with -o its name, and says so', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(4 * MiB);
      server.addFile('/old/disk.iso', { body, faults: { connectionRate: 512 * KiB } });
      const first = await braid(['get', server.url('/old/disk.iso'), '-d', dir, '-c', '4'], home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      assert.deepEqual(await listDir(dir), ['disk.iso.part']);
      server.addFile('/new/disk.iso', { body });
      const servedBefore = server.stats.bodyBytes;

      const args = ['get', server.url('/new/disk.iso?sig=2'), '-o', 'disk.iso', '-d', dir];
      const second = await braid(args, home);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stderr, 'braid: disk.iso: continuing from the new link\n');
      assert.deepEqual(await listDir(dir), ['disk.iso']);
      assert.equal(await sha256File(join(dir, 'disk.iso')), sha256(body));
      assert.ok(
        server.stats.bodyBytes - servedBefore < body.length,
        `the new link served ${server.stats.bodyBytes - servedBefore} bytes`,
      );
      const third = await braid(args, home);
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stdout, /already downloaded/);
    });
  });

  it('does not take a canceled download of that name for the one a new link continues', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(4 * MiB);
      server.addFile('/old/disk.iso', { body, faults: { connectionRate: 512 * KiB } });
      const first = await braid(['get', server.url('/old/disk.iso'), '-d', dir], home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      const engine = await DownloadEngine.open({ home, autoStart: false });
      await engine.cancel(engine.list()[0]!.id);
      await engine.close();
      server.addFile('/new/disk.iso', { body });

      const second = await braid(
        ['get', server.url('/new/disk.iso'), '-o', 'disk.iso', '-d', dir],
        home,
      );
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stderr, '', 'nothing said about continuing');
      assert.deepEqual(await listDir(dir), ['disk.iso']);
      assert.equal(await sha256File(join(dir, 'disk.iso')), sha256(body));
    });
  });

  it('sends the headers given with a new link, not those of the old one', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(4 * MiB);
      server.addFile('/old/disk.iso', { body, faults: { connectionRate: 512 * KiB } });
      const old = ['get', server.url('/old/disk.iso'), '-d', dir, '--header', 'X-Token: old'];
      const first = await braid(old, home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      server.addFile('/new/disk.iso', { body });
      const before = server.stats.requests.length;

      const args = ['get', server.url('/new/disk.iso'), '-o', 'disk.iso', '-d', dir];
      const second = await braid([...args, '--header', 'X-Token: new'], home);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(await sha256File(join(dir, 'disk.iso')), sha256(body));
      const sent = server.stats.requests.slice(before).map((r) => r.headers['x-token']);
      assert.ok(sent.length > 0);
      assert.deepEqual([...new Set(sent)], ['new']);
    });
  });

  it('sends a --header however its name is spelled, once: User-Agent replaces its own, a later Cookie an earlier', async () => {
    await withServer(async (server, dir, home) => {
      server.addFile('/agent.bin', { body: makeContent(64 * KiB) });
      const args = ['get', server.url('/agent.bin'), '-d', dir, '-c', '1'];
      const headers = ['User-Agent: Mine/1', 'Cookie: a=1', 'cookie: b=2'];
      const run = await braid([...args, ...headers.flatMap((h) => ['--header', h])], home);
      assert.equal(run.code, 0, run.stderr);
      const sent = server.stats.requests.map((r) => [r.headers['user-agent'], r.headers.cookie]);
      assert.ok(sent.length > 0);
      assert.deepEqual([...new Set(sent.map((h) => h.join(' | ')))], ['Mine/1 | b=2']);
    });
  });

  it('downloads now when the quiet hours set in the app say not now: a command typed means now', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(64 * KiB);
      server.addFile('/now.bin', { body });
      // A window that opens in two hours and closes in three, every day: closed now.
      const at = (h: number) => {
        const d = new Date(Date.now() + h * 3600_000);
        return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
      };
      const schedule = { enabled: true, days: [0, 1, 2, 3, 4, 5, 6], start: at(2), stop: at(3) };
      await mkdir(home, { recursive: true });
      await writeFile(join(home, 'settings.json'), JSON.stringify({ schedule }));
      const run = await braid(['get', server.url('/now.bin'), '-d', dir], home, {
        killAfterMs: 20_000,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await sha256File(join(dir, 'now.bin')), sha256(body));
      const saved = JSON.parse(await readFile(join(home, 'settings.json'), 'utf8'));
      assert.deepEqual(saved.schedule, schedule, "the app's quiet hours are left as they were");
    });
  });

  it('sends the headers given when the same command is run again with new ones (a fresh cookie)', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(4 * MiB);
      server.addFile('/disk.iso', { body, faults: { connectionRate: 512 * KiB } });
      const args = ['get', server.url('/disk.iso'), '-d', dir];
      const first = await braid([...args, '--header', 'Cookie: session=old'], home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      const before = server.stats.requests.length;
      const served = server.stats.bodyBytes;

      const second = await braid([...args, '--header', 'Cookie: session=new'], home);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(await sha256File(join(dir, 'disk.iso')), sha256(body));
      const sent = server.stats.requests.slice(before).map((r) => r.headers.cookie);
      assert.ok(sent.length > 0);
      assert.deepEqual([...new Set(sent)], ['session=new']);
      assert.ok(server.stats.bodyBytes - served < body.length, 'went on from the kept bytes');
    });
  });

  it('says once, in words, that a server which cannot resume makes it start again, and how much that discards', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(2 * MiB);
      server.addFile('/whole.bin', {
        body,
        faults: { range: 'ignore', connectionRate: 256 * KiB },
      });
      const args = ['get', server.url('/whole.bin'), '-d', dir];
      const first = await braid(args, home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      const kept = (await stat(join(dir, 'whole.bin.part'))).size;
      assert.ok(kept > 0);
      server.addFile('/whole.bin', { body, faults: { range: 'ignore' } });
      const second = await braid(args, home);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(
        second.stderr,
        `braid: whole.bin: the server cannot resume; starting again from the beginning (${formatBytes(kept)} kept data discarded)\n`,
      );
      assert.match(second.stdout, /completed \S+whole\.bin \(2\.00 MiB in [\d.]+ s, [^;]+\)$/m);
      assert.equal(await sha256File(join(dir, 'whole.bin')), sha256(body));
    });
  });

  it('says once, when run again, that a server showing no ETag or Last-Modified makes it start over, and ends with the new version', async () => {
    await withServer(async (server, dir, home) => {
      const v1 = makeContent(6 * MiB, 'v1');
      const v2 = makeContent(6 * MiB, 'v2');
      const bare = { etag: null, lastModified: null };
      server.addFile('/six.bin', { body: v1, ...bare, faults: { connectionRate: 512 * KiB } });
      const args = ['get', server.url('/six.bin'), '-d', dir, '-c', '4'];
      const first = await braid(args, home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      assert.ok((await stat(join(dir, 'six.bin.part'))).size > 0);
      server.addFile('/six.bin', { body: v2, ...bare });
      const second = await braid(args, home);
      assert.equal(second.code, 0, second.stderr);
      assert.match(
        second.stderr,
        /^braid: six\.bin: the server gives no way to tell the file is unchanged \(no ETag or Last-Modified\): starting over \([\d.]+ [KM]iB kept data discarded\)\n$/,
      );
      assert.match(second.stdout, /completed/);
      assert.equal(await sha256File(join(dir, 'six.bin')), sha256(v2), 'not spliced onto v1');
    });
  });

  it('verifies --sha256 and fails on a mismatch, keeping the data as .part', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(100 * KiB);
      server.addFile('/a.bin', { body });
      server.addFile('/b.bin', { body });
      const good = await braid(
        ['get', server.url('/a.bin'), '-d', dir, '--sha256', sha256(body)],
        home,
      );
      assert.equal(good.code, 0, good.stderr);
      const bad = await braid(
        ['get', server.url('/b.bin'), '-d', dir, '--sha256', 'f'.repeat(64)],
        home,
      );
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /sha256 mismatch/);
      assert.deepEqual(await listDir(dir), ['a.bin', 'b.bin.part']);
    });
  });

  it('says when it verifies a download against its checksum, and how long that took', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(2 * MiB);
      server.addFile('/disc.iso', { body });
      const run = await braid(
        ['get', server.url('/disc.iso'), '-d', dir, '--sha256', sha256(body)],
        home,
      );
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split('\n');
      assert.equal(lines.length, 3, run.stdout);
      assert.equal(lines[0], 'downloading disc.iso (2.00 MiB)');
      assert.equal(lines[1], 'verifying disc.iso (sha256)');
      assert.match(
        lines[2]!,
        /^completed \S+disc\.iso \(2\.00 MiB in [\d.]+ s, [\d.]+ \w+\/s; sha256 verified in [\d.]+ s\)$/,
      );
    });
  });

  it('shows "verifying sha256" and how far on the live line while it checks a download', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(2 * MiB);
      server.addFile('/disc.iso', { body });
      const run = await braidOnTerminal(
        ['get', server.url('/disc.iso'), '-d', dir, '--sha256', sha256(body)],
        home,
      );
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /disc\.iso\s+verifying sha256 \d{1,3}%/);
      assert.match(run.stdout, /completed .*disc\.iso/);
    });
  });

  it('takes a corrected --sha256 on the next run, and checks a file already there against a new one', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(100 * KiB);
      server.addFile('/c.bin', { body });
      const get = (sum: string) =>
        braid(['get', server.url('/c.bin'), '-d', dir, '--sha256', sum], home);
      assert.equal((await get('f'.repeat(64))).code, 1);
      const served = server.stats.bodyBytes;
      const corrected = await get(sha256(body));
      assert.equal(corrected.code, 0, corrected.stderr);
      assert.match(
        corrected.stdout,
        /\(100 KiB, all kept from before; sha256 verified in [\d.]+ s\)$/m,
      );
      assert.equal(await sha256File(join(dir, 'c.bin')), sha256(body));
      assert.equal(server.stats.bodyBytes, served, 'the kept data verified, not fetched again');
      const wrong = await get('e'.repeat(64));
      assert.equal(wrong.code, 1);
      assert.equal(wrong.stdout, 'verifying c.bin (sha256)\n', 'said before the file is hashed');
      assert.match(wrong.stderr, /already downloaded, but its sha256 is [0-9a-f]{64}, not e{64}/);

      // Something else put under its name since: said, not waited on (a FIFO blocked forever).
      await rm(join(dir, 'c.bin'));
      execFileSync('mkfifo', [join(dir, 'c.bin')]);
      const fifo = await braid(
        ['get', server.url('/c.bin'), '-d', dir, '--sha256', 'd'.repeat(64)],
        home,
        { killAfterMs: 30_000 },
      );
      assert.equal(fifo.code, 1);
      assert.match(fifo.stderr, /sha256 mismatch/, 'downloaded again beside it, and checked');
    });
  });

  it('downloads again when the file under its name is no longer the one it downloaded', async () => {
    await withServer(async (server, dir, home) => {
      const mine = makeContent(300 * KiB, 'mine');
      const other = makeContent(200 * KiB, 'other');
      server.addFile('/x/a.bin', { body: mine });
      server.addFile('/y/a.bin', { body: other });
      const args = ['get', server.url('/x/a.bin'), '-d', dir];
      assert.equal((await braid(args, home)).code, 0);
      await rename(join(dir, 'a.bin'), join(dir, '..', 'moved.bin'));
      assert.equal((await braid(['get', server.url('/y/a.bin'), '-d', dir], home)).code, 0);

      const again = await braid(args, home);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stdout, /already downloaded/);
      assert.deepEqual(await listDir(dir), ['a (1).bin', 'a.bin']);
      assert.equal(await sha256File(join(dir, 'a (1).bin')), sha256(mine));
      assert.equal(await sha256File(join(dir, 'a.bin')), sha256(other), 'the other file kept');

      // Of the same size, only a checksum tells it apart: one given is checked every time.
      await writeFile(join(dir, 'a (1).bin'), makeContent(300 * KiB, 'same size'));
      const checked = await braid([...args, '--sha256', sha256(mine)], home);
      assert.equal(checked.code, 1);
      assert.match(checked.stderr, /already downloaded, but its sha256 is [0-9a-f]{64}, not/);
    });
  });

  it('downloads a link given twice in a list once, and resumes such a list after Ctrl-C', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(2 * MiB);
      server.addFile('/twice.bin', { body, faults: { connectionRate: 512 * KiB } });
      const list = join(dir, '..', 'twice.txt');
      await writeFile(list, `${server.url('/twice.bin')}\n${server.url('/twice.bin')}\n`);
      const args = ['get', '-i', list, '-d', dir];
      const first = await braid(args, home, {
        interruptAfter: (out) => out.includes('downloading'),
      });
      assert.equal(first.code, 130, first.stderr);
      const second = await braid(args, home);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(await listDir(dir), ['twice.bin']);
      assert.equal(await sha256File(join(dir, 'twice.bin')), sha256(body));
    });
  });

  it('reads URLs from --input and downloads them several at a time', async () => {
    await withServer(async (server, dir, home) => {
      const urls: string[] = [];
      for (let i = 0; i < 60; i++) {
        server.addFile(`/f${i}.txt`, { body: makeContent(8 * KiB, `f${i}`) });
        urls.push(server.url(`/f${i}.txt`));
      }
      const list = join(dir, '..', 'list.txt');
      await writeFile(list, `# files\n${urls.join('\n')}\n`);
      const run = await braid(['get', '-i', list, '-j', '8', '-d', dir, '--quiet'], home);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, '', '--quiet prints nothing on success');
      const names = await listDir(dir);
      assert.equal(names.length, 60);
      assert.ok(
        names.every((n) => !n.endsWith('.part')),
        'every download finished before exit',
      );
    });
  });
});

describe('braid get -o - (standard output)', () => {
  it('writes the file to standard output in order over one connection, leaving no file and no state, beside the app', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(3 * MiB);
      server.addFile('/data.tar', { body });
      // The app holds the state folder: a stream needs none of it.
      const app = await DownloadEngine.open({ home, autoStart: false });
      try {
        const run = await braid(['get', server.url('/data.tar'), '-o', '-', '-d', dir], home);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(sha256(run.out!), sha256(body));
        assert.match(
          run.stderr,
          /^completed \S+\/data\.tar to standard output \(3\.00 MiB in [\d.]+ s, [\d.]+ [KMG]iB\/s\)\n$/,
        );
      } finally {
        await app.close();
      }
      assert.deepEqual(await listDir(dir), []);
      const state = await DownloadEngine.open({ home, autoStart: false });
      assert.deepEqual(state.list(), [], 'no task, no journal');
      await state.close();
      const asked = server.stats.requests.filter((r) => r.path === '/data.tar');
      assert.deepEqual(
        asked.map((r) => r.range),
        [null],
      );
    });
  });

  it('continues a broken connection from the bytes written, with a Range and If-Range on the ETag', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(2 * MiB);
      server.addFile('/broken.bin', {
        body,
        faults: { reset: { afterBytes: 700 * KiB, times: 1 } },
      });
      const run = await braid(['get', server.url('/broken.bin'), '-o', '-'], home);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(sha256(run.out!), sha256(body));
      const etag = (await fetch(server.url('/broken.bin'), { method: 'HEAD' })).headers.get('etag');
      const asked = server.stats.requests.filter(
        (r) => r.path === '/broken.bin' && r.method === 'GET',
      );
      assert.deepEqual(
        asked.map((r) => [r.range, r.ifRange]),
        [
          [null, null],
          [`bytes=${700 * KiB}-`, etag],
        ],
      );
      assert.match(run.stderr, /the server ended the response early; retry 1 of 10 in \d+ s\n/);
    });
  });

  it('asks the bytes before the rest again where the server shows no validator, and fails when they differ', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(1 * MiB, 'old');
      const plain = { etag: null, lastModified: null };
      server.addFile('/same.bin', {
        body,
        ...plain,
        faults: { reset: { afterBytes: 300 * KiB, times: 1 } },
      });
      const same = await braid(['get', server.url('/same.bin'), '-o', '-'], home);
      assert.equal(same.code, 0, same.stderr);
      assert.equal(sha256(same.out!), sha256(body));
      const asked = server.stats.requests.filter((r) => r.path === '/same.bin');
      assert.equal(asked[1]!.range, `bytes=${300 * KiB - 16 * KiB}-`);

      server.addFile('/changed.bin', {
        body,
        ...plain,
        replacedBy: { after: 1, body: makeContent(1 * MiB, 'new') },
        faults: { reset: { afterBytes: 300 * KiB, times: 1 } },
      });
      const changed = await braid(['get', server.url('/changed.bin'), '-o', '-'], home);
      assert.equal(changed.code, 1);
      assert.ok(body.subarray(0, 300 * KiB).equals(changed.out!), 'the first version’s bytes only');
      assert.match(
        changed.stderr,
        /: the file changed on the server after 300 KiB of it went to standard output, which cannot take them back: run the command again to start over\n$/,
      );
    });
  });

  it('fails clearly when the file changed or the server cannot resume: written bytes cannot be taken back', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(1 * MiB, 'v1');
      const reset = { reset: { afterBytes: 200 * KiB, times: 1 } };
      server.addFile('/moved.bin', {
        body,
        replacedBy: { after: 1, body: makeContent(1 * MiB, 'v2') },
        faults: reset,
      });
      server.addFile('/whole.bin', { body, faults: { ...reset, range: 'ignore' } });
      const moved = await braid(['get', server.url('/moved.bin'), '-o', '-'], home);
      assert.equal(moved.code, 1);
      assert.match(
        moved.stderr,
        /the file changed on the server after 200 KiB of it went to standard output/,
      );
      const whole = await braid(['get', server.url('/whole.bin'), '-o', '-'], home);
      assert.equal(whole.code, 1);
      assert.match(
        whole.stderr,
        /the server cannot resume \(it sent the whole file again\) after 200 KiB of it went to standard output, which cannot take them back/,
      );
      for (const run of [moved, whole]) assert.ok(body.subarray(0, 200 * KiB).equals(run.out!));
    });
  });

  it('verifies --sha256 on the stream, exiting 1 with a clear message on a mismatch', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(512 * KiB);
      server.addFile('/sum.bin', { body });
      const good = await braid(
        ['get', server.url('/sum.bin'), '-o', '-', '--sha256', sha256(body)],
        home,
      );
      assert.equal(good.code, 0, good.stderr);
      assert.match(good.stderr, /; sha256 verified\)\n$/);
      const wrong = 'ab'.repeat(32);
      const bad = await braid(['get', server.url('/sum.bin'), '-o', '-', '--sha256', wrong], home);
      assert.equal(bad.code, 1);
      assert.equal(sha256(bad.out!), sha256(body));
      assert.equal(
        bad.stderr,
        `braid: ${server.url('/sum.bin')}: what went to standard output does not match --sha256: ` +
          `its sha256 is ${sha256(body)}, not ${wrong}; do not use what its reader made of it\n`,
      );
    });
  });

  it('stops quietly when its reader goes away (| head -c), as a pipe’s writer does', async () => {
    await withServer(async (server, dir, home) => {
      const body = makeContent(8 * MiB);
      server.addFile('/long.bin', { body, faults: { connectionRate: 1 * MiB } });
      const script = `'${process.execPath}' '${BIN}' get '${server.url('/long.bin')}' -o - | head -c 1000 > /dev/null; echo "status \${PIPESTATUS[0]}" >&2`;
      const run = await promisify(execFile)('bash', ['-c', script], {
        env: { ...process.env, BRAID_HOME: home },
      });
      assert.equal(
        run.stderr,
        'status 141\n',
        'no message, and the code of a process SIGPIPE ended',
      );
      assert.ok(server.stats.bodyBytes < body.length / 2, `served ${server.stats.bodyBytes}`);
    });
  });

  it('retries as the saved settings say, saying each retry, then gives up with the reason', async () => {
    await withServer(async (server, _dir, home) => {
      server.addFile('/down.bin', {
        body: makeContent(64 * KiB),
        faults: { statusSequence: [{ status: 503 }, { status: 503 }, { status: 503 }] },
      });
      await mkdir(home, { recursive: true });
      await writeFile(join(home, 'settings.json'), '{"maxRetries": 1}');
      const run = await braid(['get', server.url('/down.bin'), '-o', '-'], home);
      assert.equal(run.code, 1);
      const url = server.url('/down.bin');
      assert.deepEqual(
        run.stderr
          .replace(/in \d+ s/, 'in N s')
          .trim()
          .split('\n'),
        [
          `braid: server answered 503 Service Unavailable for ${url}; retry 1 of 1 in N s`,
          `braid: server answered 503 Service Unavailable for ${url} (gave up after 2 attempts)`,
        ],
      );
      assert.equal(run.out!.length, 0, 'no error page on standard output');
    });
  });

  it('stops on Ctrl-C, saying how much went out, and exits 130', async () => {
    await withServer(async (server, _dir, home) => {
      server.addFile('/slow.bin', {
        body: makeContent(4 * MiB),
        faults: { connectionRate: 512 * KiB },
      });
      const run = await braid(['get', server.url('/slow.bin'), '-o', '-'], home, {
        interruptAfter: (out) => out.length > 0,
      });
      assert.equal(run.code, 130, run.stderr);
      assert.match(
        run.stderr,
        /^braid: interrupted after [\d.]+ [KM]iB went to standard output\n$/,
      );
    });
  });

  it('refuses -o - with --input or several URLs, saying why', async () => {
    const home = '/nonexistent/braid-home';
    const list = await braid(['get', '-i', '-', '-o', '-'], home);
    assert.equal(list.code, 2);
    assert.equal(
      list.stderr,
      'braid: -o - writes one URL to standard output: give the URL, not --input\n',
    );
    const two = await braid(['get', 'http://a.example/1', 'http://a.example/2', '-o', '-'], home);
    assert.equal(two.code, 2);
    assert.equal(two.stderr, 'braid: -o - writes exactly one URL to standard output\n');
    assert.equal(two.out!.length, 0);
  });
});
