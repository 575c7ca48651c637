import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleepCommand } from '../../electron/main/sleep-command.ts';

describe('sleep when the queue is done', () => {
  it('suspends Windows through .NET, not rundll32 (whose arguments are not passed: it hibernated)', () => {
    const [command, args] = sleepCommand('win32');
    assert.equal(command, 'powershell.exe');
    assert.deepEqual(args.slice(0, 4), ['-NoProfile', '-NonInteractive', '-WindowStyle', 'Hidden']);
    const script = args.at(-1) ?? '';
    assert.match(script, /^Add-Type -AssemblyName System\.Windows\.Forms; /);
    assert.match(
      script,
      /\[System\.Windows\.Forms\.Application\]::SetSuspendState\('Suspend', \$false, \$false\)/,
    );
  });

  it("uses each other OS's own command", () => {
    assert.deepEqual(sleepCommand('darwin'), ['pmset', ['sleepnow']]);
    assert.deepEqual(sleepCommand('linux'), ['systemctl', ['suspend']]);
  });
});
