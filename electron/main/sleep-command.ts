/**
 * The command that puts the computer to sleep (there is no Electron API for it). On Windows,
 * `rundll32 powrprof.dll,SetSuspendState 0,1,0` does not pass those numbers, so the first reads
 * as non-zero and the machine hibernates; .NET's SetSuspendState takes real arguments.
 */
export function sleepCommand(platform: NodeJS.Platform): [command: string, args: string[]] {
  if (platform === 'win32') {
    return [
      'powershell.exe',
      [
        '-NoProfile',
        '-NonInteractive',
        '-WindowStyle',
        'Hidden',
        '-Command',
        'Add-Type -AssemblyName System.Windows.Forms; ' +
          "[void][System.Windows.Forms.Application]::SetSuspendState('Suspend', $false, $false)",
      ],
    ];
  }
  if (platform === 'darwin') return ['pmset', ['sleepnow']];
  return ['systemctl', ['suspend']];
}
