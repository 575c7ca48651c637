/**
 * Chromium on Linux refuses to start as root with its sandbox on ("Running as root without
 * --no-sandbox is not supported"), so root (a container, a root shell) runs Electron without it.
 */
export function sandboxFlags(platform: NodeJS.Platform, uid: number | undefined): string[] {
  return platform === 'linux' && uid === 0 ? ['--no-sandbox'] : [];
}
