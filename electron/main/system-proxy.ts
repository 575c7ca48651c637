/**
 * The proxy Chromium resolved from the OS settings, as a URL for the engine's "system" mode, from
 * a PAC-style answer such as `PROXY 10.0.0.1:3128; DIRECT`. SOCKS is not supported by the engine.
 */
export function proxyFromResolution(resolution: string): string | null {
  for (const entry of resolution.split(';')) {
    const [kind, hostPort] = entry.trim().split(/\s+/);
    if (!hostPort || !/^[\w.-]+:\d{1,5}$|^\[[0-9a-f:]+\]:\d{1,5}$/i.test(hostPort)) continue;
    if (kind === 'PROXY' || kind === 'HTTP') return `http://${hostPort}`;
    if (kind === 'HTTPS') return `https://${hostPort}`;
  }
  return null;
}
