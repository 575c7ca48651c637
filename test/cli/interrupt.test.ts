import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const INTERRUPT = new URL('../../electron/cli/interrupt.ts', import.meta.url).href;

/**
 * A process that calls `stop` on a signal as `braid get` does, with a stop that never finishes
 * (a file-system call that never returns, a network mount gone); kept alive by a timer.
 */
function stuckProcess() {
  const script = `
    import { onInterrupt } from ${JSON.stringify(INTERRUPT)};
    onInterrupt((signal) => console.log('stop asked', signal), (line) => console.error(line));
    setInterval(() => {}, 1000);
    console.log('ready');
  `;
  return spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('Ctrl-C in braid get', () => {
  async function stopStuck(signal: NodeJS.Signals) {
    const child = stuckProcess();
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('ready')) resolve();
      }),
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const signalled = performance.now();
    child.kill(signal);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(killer);
    const seconds = (performance.now() - signalled) / 1000;
    return { code, stdout, stderr, seconds };
  }

  it('quits after the grace period when stopping never finishes, saying so, on one signal', async () => {
    const { code, stdout, stderr, seconds } = await stopStuck('SIGINT');
    assert.equal(code, 130, `${stderr} (after ${seconds.toFixed(1)} s)`);
    // A liveness bound, not a speed target: the grace period is 2.5 s.
    assert.ok(seconds < 10, `exited ${seconds.toFixed(1)} s after one SIGINT`);
    assert.match(stdout, /stop asked SIGINT/);
    assert.equal(
      stderr,
      'braid: stopping…\n' +
        'braid: quit without waiting for the downloads to stop — run the same command again to resume\n',
    );
  });

  it('exits 143 after SIGTERM, as a shell reports a process that signal ended', async () => {
    const { code, stdout } = await stopStuck('SIGTERM');
    assert.equal(code, 143);
    assert.match(stdout, /stop asked SIGTERM/);
  });
});
