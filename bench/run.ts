/**
 * `npm run bench`: Braid against aria2c, curl, wget and axel on the same machine, in one run,
 * alternating tools run by run (each round in its own shuffled order), every output verified by
 * sha256. Prints medians and ratios and writes them to bench/results/latest.md. Not a test:
 * nothing here asserts a time.
 *
 * Options: --quick (smaller files, for a smoke run), --runs N (default 3), --only 1,3,5
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ApiHub } from '../electron/api/api-hub.ts';
import { buildCli } from '../scripts/build-cli.ts';
import { FaultServer } from '../test/support/fault-server.ts';
import { measure, median, type Measurement } from './measure.ts';
import { startNginx, type Nginx } from '../test/support/nginx.ts';
import { roundOrder } from './round-order.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const WORK = join(ROOT, 'bench/.work');
const FILES = join(WORK, 'files');
const MiB = 1024 * 1024;

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const RUNS = Number(argv[argv.indexOf('--runs') + 1]) || 3;
const ONLY = argv.includes('--only')
  ? new Set(argv[argv.indexOf('--only') + 1]!.split(',').map(Number))
  : null;
const scale = (n: number) => (QUICK ? Math.max(1, Math.round(n / 8)) : n);
/** A tool that keeps no progress across kills would loop forever; report it instead. */
const MAX_KILLS = 30;

interface Contender {
  tool: string;
  /** Command for one run downloading into `out`. */
  command(out: string, home: string): { cmd: string; args: string[] };
}

interface Row {
  tool: string;
  runs: Measurement[];
  extra?: string;
}

const report: string[] = [];
function say(line = ''): void {
  console.log(line);
  report.push(line);
}

const braid = (urlArgs: string[], extra: string[] = []): Contender => ({
  tool: 'braid',
  command: (out) => ({
    cmd: process.execPath,
    args: [join(ROOT, 'bin/braid.js'), 'get', ...urlArgs, '-d', out, '--quiet', ...extra],
  }),
});

function ensurePeers(): void {
  const need: Record<string, string> = {
    aria2c: 'aria2',
    axel: 'axel',
    curl: 'curl',
    wget: 'wget',
    nginx: 'nginx-light',
    '/usr/bin/time': 'time',
  };
  const missing = Object.entries(need)
    .filter(([bin]) => {
      try {
        execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
        return false;
      } catch {
        return true;
      }
    })
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  console.log(`bench: installing ${missing.join(', ')} from Debian (apt-get)`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit' });
}

/** A file of random bytes (made once, reused), with its sha256. */
async function makeFile(name: string, size: number): Promise<string> {
  const path = join(FILES, name);
  const sumPath = `${path}.sha256`;
  try {
    if ((await stat(path)).size === size) return (await readFile(sumPath, 'utf8')).trim();
  } catch {
    // Not there yet.
  }
  const hash = createHash('sha256');
  const handle = await open(path, 'w');
  const block = Buffer.allocUnsafe(Math.min(size, 16 * MiB));
  for (let written = 0; written < size;) {
    const n = Math.min(block.length, size - written);
    randomFillSync(block, 0, n);
    hash.update(block.subarray(0, n));
    await handle.write(block, 0, n);
    written += n;
  }
  await handle.close();
  const sum = hash.digest('hex');
  await writeFile(sumPath, sum);
  return sum;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Runs contenders alternately (A B C A B C …), verifying each output.
 *
 * `manyFiles`: each run writes into a folder of its own, and all are deleted at the end. On ext4,
 * creating files within half a minute of deleting many makes the kernel check every recently
 * freed inode it passes (`recently_deleted`: 11–16 % of all samples in a run right after the last
 * run's thousand files were deleted); the tool that ran next paid for the one before it.
 */
async function compare(
  contenders: Contender[],
  outputs: { name: string; sha256: string }[],
  { manyFiles = false } = {},
): Promise<Row[]> {
  const rows = contenders.map((c) => ({ tool: c.tool, runs: [] as Measurement[] }));
  await rm(join(WORK, 'out'), { recursive: true, force: true });
  for (let run = 0; run < RUNS; run++) {
    for (const i of roundOrder(run, contenders.length)) {
      const contender = contenders[i]!;
      const out = manyFiles ? join(WORK, 'out', `${run}-${i}`) : join(WORK, 'out');
      const home = join(WORK, 'home');
      if (!manyFiles) await rm(out, { recursive: true, force: true });
      await rm(home, { recursive: true, force: true });
      await mkdir(out, { recursive: true });
      // Deleting the last run's gigabyte (and writing the fixtures) leaves the disk busy: blocks
      // to free and discard, dirty pages. Settled first, so no tool pays for another's cleanup.
      execFileSync('sync');
      const { cmd, args } = contender.command(out, home);
      const m = await measure(cmd, args, {
        workDir: WORK,
        env: { ...process.env, BRAID_HOME: home },
      });
      for (const o of outputs) {
        const got = await sha256OfFile(join(out, o.name)).catch(() => 'missing');
        if (got !== o.sha256) {
          throw new Error(
            `${contender.tool} produced a wrong ${o.name} (exit ${m.exitCode}): ${m.stderr.slice(0, 500)}`,
          );
        }
      }
      rows[i]!.runs.push(m);
      process.stderr.write(`  ${contender.tool} run ${run + 1}: ${m.wall.toFixed(2)} s\n`);
    }
  }
  await rm(join(WORK, 'out'), { recursive: true, force: true });
  return rows;
}

function table(rows: Row[], bytes: number, note?: (row: Row) => string): void {
  const braidRow = rows.find((r) => r.tool === 'braid');
  const braidWall = braidRow ? median(braidRow.runs.map((m) => m.wall)) : NaN;
  say(
    '| tool | wall s (median) | wall s (min–max) | MB/s | peak RSS MB | CPU s | braid ÷ tool (wall) |' +
      (note ? ' note |' : ''),
  );
  say('|---|---|---|---|---|---|---|' + (note ? '---|' : ''));
  for (const row of rows) {
    const walls = row.runs.map((m) => m.wall);
    const wall = median(walls);
    const cells = [
      row.tool,
      wall.toFixed(2),
      // The spread says how far a median can be trusted on a noisy machine.
      `${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)}`,
      (bytes / MiB / wall).toFixed(1),
      median(row.runs.map((m) => m.rssMB)).toFixed(0),
      median(row.runs.map((m) => m.cpu)).toFixed(2),
      row.tool === 'braid' ? '—' : (braidWall / wall).toFixed(2),
    ];
    if (note) cells.push(note(row));
    say(`| ${cells.join(' | ')} |`);
  }
  say();
}

async function scenario1(nginx: Nginx): Promise<void> {
  const size = scale(1024) * MiB;
  const sum = await makeFile('big.bin', size);
  const url = `${nginx.origin}/big.bin`;
  say(`## 1. Raw throughput: ${size / MiB} MiB, unthrottled loopback (nginx)`);
  const rows = await compare(
    [
      braid([url, '-o', 'big.bin']),
      curl(url, 'big.bin'),
      curlThenSync(url, 'big.bin'),
      wget(url, 'big.bin'),
      aria2(url, 'big.bin', 16),
      axel(url, 'big.bin', 8),
    ],
    [{ name: 'big.bin', sha256: sum }],
  );
  table(rows, size);

  // What each run above pays before its first byte, so a gap in wall time can be told apart
  // from a gap in throughput: the same tools on a file too small to take any time itself.
  const tinySize = 64 * 1024;
  const tinySum = await makeFile('tiny.bin', tinySize);
  const tinyUrl = `${nginx.origin}/tiny.bin`;
  say('Start-up and shutdown: the same tools on a 64 KiB file.');
  say();
  const startRows = await compare(
    [
      braid([tinyUrl, '-o', 'tiny.bin']),
      curl(tinyUrl, 'tiny.bin'),
      wget(tinyUrl, 'tiny.bin'),
      aria2(tinyUrl, 'tiny.bin', 16),
      axel(tinyUrl, 'tiny.bin', 8),
    ],
    [{ name: 'tiny.bin', sha256: tinySum }],
  );
  table(startRows, tinySize);
}

function curl(url: string, name: string, extra: string[] = []): Contender {
  return {
    tool: 'curl',
    command: (out) => ({ cmd: 'curl', args: ['-sS', ...extra, '-o', join(out, name), url] }),
  };
}

/**
 * curl's run ends with the file still in the page cache, for the kernel to write later; Braid's
 * direct writes put the data on the disk during the download. This row shows what the same bytes
 * on disk cost curl: context for the wall-time goal, which is judged against the peers as they are.
 */
function curlThenSync(url: string, name: string): Contender {
  return {
    tool: 'curl, then sync',
    command: (out) => ({
      cmd: 'sh',
      args: ['-c', 'curl -sS -o "$1" "$2" && sync "$1"', 'sh', join(out, name), url],
    }),
  };
}

function wget(url: string, name: string): Contender {
  return {
    tool: 'wget',
    command: (out) => ({ cmd: 'wget', args: ['-q', '-O', join(out, name), url] }),
  };
}

function aria2(url: string, name: string, n: number, extra: string[] = []): Contender {
  return {
    tool: `aria2c -x${n}`,
    command: (out) => ({
      cmd: 'aria2c',
      args: [
        `-x${n}`,
        `-s${n}`,
        '-k1M',
        '--file-allocation=none',
        '--allow-overwrite=true',
        '-q',
        '-d',
        out,
        '-o',
        name,
        ...extra,
        url,
      ],
    }),
  };
}

function axel(url: string, name: string, n: number): Contender {
  return {
    tool: `axel -n ${n}`,
    command: (out) => ({ cmd: 'axel', args: ['-q', '-n', String(n), '-o', join(out, name), url] }),
  };
}

async function scenario2(nginx: Nginx): Promise<void> {
  const size = scale(256) * MiB;
  const sum = await makeFile('capped.bin', size);
  const url = `${nginx.origin}/capped/capped.bin`;
  say(`## 2. Per-connection cap: ${size / MiB} MiB, 4 MB/s per connection, 16 connections`);
  say(`Physical limit: 16 × 4 MiB/s = 64 MiB/s → ${(size / MiB / 64).toFixed(1)} s.`);
  say();
  const rows = await compare(
    [
      braid([url, '-o', 'capped.bin', '-c', '16']),
      aria2(url, 'capped.bin', 16),
      axel(url, 'capped.bin', 16),
    ],
    [{ name: 'capped.bin', sha256: sum }],
  );
  table(rows, size);
}

async function scenario3(fault: FaultServer): Promise<void> {
  const size = scale(64) * MiB;
  const sum = await makeFile('uneven.bin', size);
  const cycle = [8 * 1000 * 1000, 1000 * 1000, 256 * 1000];
  let next = 0;
  fault.addFile('/uneven.bin', {
    body: { path: join(FILES, 'uneven.bin') },
    // Each new connection gets the next speed of the cycle, whoever opens it.
    faults: { connectionRate: () => cycle[next++ % cycle.length]! },
  });
  const url = fault.url('/uneven.bin');
  say(
    `## 3. Uneven connections: ${size / MiB} MiB, new connections cycle 8 MB/s, 1 MB/s, 256 KB/s; 8 connections`,
  );
  const rows = await compare(
    [
      braid([url, '-o', 'uneven.bin', '-c', '8']),
      aria2(url, 'uneven.bin', 8),
      axel(url, 'uneven.bin', 8),
    ],
    [{ name: 'uneven.bin', sha256: sum }],
  );
  table(rows, size);
}

async function scenario4(nginx: Nginx): Promise<void> {
  const count = QUICK ? 200 : 1000;
  await mkdir(join(FILES, 'small'), { recursive: true });
  const outputs: { name: string; sha256: string }[] = [];
  for (let i = 0; i < count; i++) {
    const name = `f${String(i).padStart(4, '0')}.bin`;
    outputs.push({ name, sha256: await makeFile(join('small', name), 64 * 1024) });
  }
  const list = join(WORK, 'list.txt');
  await writeFile(list, outputs.map((o) => `${nginx.origin}/small/${o.name}`).join('\n') + '\n');
  say(`## 4. Many small files: ${count} × 64 KiB, 16 at a time`);
  const rows = await compare(
    [
      braid(['-i', list, '-j', '16']),
      {
        tool: 'aria2c -j16',
        command: (out) => ({
          cmd: 'aria2c',
          args: ['-i', list, '-j16', '-q', '--file-allocation=none', '-d', out],
        }),
      },
      { tool: 'wget -i', command: (out) => ({ cmd: 'wget', args: ['-q', '-i', list, '-P', out] }) },
    ],
    outputs,
    { manyFiles: true },
  );
  table(rows, count * 64 * 1024);
}

async function scenario5(nginx: Nginx): Promise<void> {
  const size = scale(256) * MiB;
  const sum = await makeFile('limit.bin', size);
  const url = `${nginx.origin}/limit.bin`;
  const limit = 16 * MiB;
  say(`## 5. Rate limit accuracy: ${size / MiB} MiB with a 16 MiB/s limit`);
  const rows = await compare(
    [
      braid([url, '-o', 'limit.bin', '--limit', '16M']),
      aria2(url, 'limit.bin', 1, ['--max-overall-download-limit=16M']),
      curl(url, 'limit.bin', ['--limit-rate', '16M']),
    ],
    [{ name: 'limit.bin', sha256: sum }],
  );
  table(rows, size, (row) => {
    const rate = size / median(row.runs.map((m) => m.wall));
    return `${(((rate - limit) / limit) * 100).toFixed(1)}% vs limit (wall incl. start-up)`;
  });
}

async function scenario6(fault: FaultServer): Promise<void> {
  const size = scale(64) * MiB;
  const sum = await makeFile('crash.bin', size);
  fault.addFile('/crash.bin', {
    body: { path: join(FILES, 'crash.bin') },
    faults: { connectionRate: 4 * 1000 * 1000 },
  });
  const url = fault.url('/crash.bin');
  say(
    `## 6. Crash and resume: ${size / MiB} MiB at 4 connections × 4 MB/s, kill -9 every 2 s until done`,
  );
  say('| tool | kills (median) | bytes served ÷ file size (median) | result |');
  say('|---|---|---|---|');
  const contenders: Contender[] = [
    braid([url, '-o', 'crash.bin', '-c', '4']),
    aria2(url, 'crash.bin', 4, ['-c']),
    {
      tool: 'curl -C -',
      command: (out) => ({
        cmd: 'curl',
        args: ['-sS', '-C', '-', '-o', join(out, 'crash.bin'), url],
      }),
    },
  ];
  const results = new Map<string, { kills: number[]; ratio: number[]; outcomes: string[] }>();
  for (let run = 0; run < RUNS; run++) {
    for (const c of contenders) {
      const out = join(WORK, 'out');
      const home = join(WORK, 'home');
      await rm(out, { recursive: true, force: true });
      await rm(home, { recursive: true, force: true });
      await mkdir(out, { recursive: true });
      fault.resetStats();
      let kills = 0;
      let finished = false;
      while (kills < MAX_KILLS) {
        const { cmd, args } = c.command(out, home);
        const m = await measure(cmd, args, {
          workDir: WORK,
          env: { ...process.env, BRAID_HOME: home },
          killAfterMs: 2000,
        });
        if (m.exitCode === 0) {
          finished = true;
          break;
        }
        kills++;
      }
      const entry = results.get(c.tool) ?? { kills: [], ratio: [], outcomes: [] };
      if (finished) {
        const got = await sha256OfFile(join(out, 'crash.bin'));
        entry.outcomes.push(got === sum ? 'byte-identical' : 'CORRUPT');
      } else {
        entry.outcomes.push(`not done after ${MAX_KILLS} kills`);
      }
      entry.kills.push(kills);
      entry.ratio.push(fault.stats.bodyBytes / size);
      results.set(c.tool, entry);
      process.stderr.write(
        `  ${c.tool} run ${run + 1}: ${kills} kills, ${(fault.stats.bodyBytes / size).toFixed(2)}×\n`,
      );
    }
  }
  for (const [tool, r] of results) {
    const outcome = [...new Set(r.outcomes)].join(', ');
    say(`| ${tool} | ${median(r.kills)} | ${median(r.ratio).toFixed(2)}× | ${outcome} |`);
  }
  say();
}

async function scenario7(nginx: Nginx): Promise<void> {
  const size = scale(256) * MiB;
  await makeFile('ui.bin', size);
  say('## 7. UI load: 1000 tasks in the engine, 8 downloading');
  const home = join(WORK, 'ui-home');
  const dir = join(WORK, 'ui-out');
  await rm(home, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
  // Measured where a window receives them: one hub connection, as the IPC and WebSocket carriers use.
  const hub = await ApiHub.open({
    home,
    defaultDownloadDir: dir,
    settings: { maxConcurrent: 8 },
    info: {
      version: 'bench',
      shell: 'browser',
      defaultDownloadDir: dir,
      canOpenFiles: false,
      afterQueueActions: [],
    },
    host: { openFile: async () => {}, showInFolder: async () => {} },
  });
  const engine = hub.engine;
  let messages = 0;
  let bytes = 0;
  const client = hub.connect((events) => {
    messages++;
    bytes += JSON.stringify(events).length;
  });
  const inputs = Array.from({ length: 1000 }, () => ({ url: `${nginx.origin}/capped/ui.bin` }));
  await client.dispatch('tasks.add', { tasks: inputs });
  await new Promise((r) => setTimeout(r, 2000));
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  messages = 0;
  bytes = 0;
  const seconds = QUICK ? 5 : 10;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  delay.disable();
  const running = engine.list().filter((t) => t.state === 'downloading').length;
  client.close();
  await hub.close();
  say('| metric | value | goal |');
  say('|---|---|---|');
  say(
    `| batches per second a window receives | ${(messages / seconds).toFixed(1)} (${(bytes / seconds / 1024).toFixed(0)} KiB/s of JSON) | ≤ 10 |`,
  );
  say(`| event-loop delay p99 | ${(delay.percentile(99) / 1e6).toFixed(1)} ms | ≤ 20 ms |`);
  say(`| downloads running | ${running} | 8 |`);
  say();
}

async function main(): Promise<void> {
  ensurePeers();
  // What `npm run build` gives users: `braid get` starts from the bundle, not the sources.
  await buildCli();
  await mkdir(FILES, { recursive: true });
  const nginx = await startNginx(FILES, WORK, '4m');
  const fault = await FaultServer.start();
  say(`# Braid benchmarks${QUICK ? ' (quick)' : ''}`);
  say();
  say(
    `${new Date().toISOString().slice(0, 10)}, ${RUNS} alternating runs per tool, medians. Node ${process.version}; ` +
      `${execFileSync('sh', ['-c', 'nproc']).toString().trim()} cores. Every output verified by sha256.`,
  );
  say();
  const scenarios = [
    () => scenario1(nginx),
    () => scenario2(nginx),
    () => scenario3(fault),
    () => scenario4(nginx),
    () => scenario5(nginx),
    () => scenario6(fault),
    () => scenario7(nginx),
  ];
  const target = join(
    ROOT,
    'bench/results',
    QUICK ? 'quick.md' : ONLY ? 'partial.md' : 'latest.md',
  );
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  try {
    for (const [i, run] of scenarios.entries()) {
      if (!ONLY || ONLY.has(i + 1)) await run();
      // Written after every scenario, so a long run that is stopped still leaves its results.
      await writeFile(target, report.join('\n') + '\n');
    }
  } finally {
    await nginx.stop();
    await fault.close();
  }
}

await main();
