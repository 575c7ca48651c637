/**
 * Why the `_electron` suite cannot run on this machine, or null: no Electron binary, or on Linux
 * no display for its windows (a CI runner or a root shell without one; `xvfb-run -a` gives one).
 */
export function launchProblem(
  binary: string | null,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): string | null {
  if (!binary) return 'no Electron binary';
  if (platform === 'linux' && !env['DISPLAY'] && !env['WAYLAND_DISPLAY']) {
    return 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set; run under xvfb-run -a)';
  }
  return null;
}
