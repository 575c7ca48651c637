import type { ProxyResolver } from '../engine/proxy-choice.ts';

/** How long the OS's answer for an origin is used: settings changed meanwhile apply after this. */
export const SYSTEM_PROXY_TTL_MS = 30_000;
/** Origins remembered at once; the oldest is forgotten first. */
const MAX_ORIGINS = 256;
const HOST_PORT = /^[\w.-]+:\d{1,5}$|^\[[0-9a-f:.]+\]:\d{1,5}$/i;

/**
 * The proxy in Chromium's answer for a URL (`PROXY 10.0.0.1:3128; DIRECT`), as a URL for the
 * engine, or null for DIRECT: the first entry the engine can use, in the order given. The engine
 * speaks to HTTP, HTTPS and SOCKS5 proxies; SOCKS4 (Chromium's `SOCKS` and `SOCKS4`) and QUIC
 * entries are passed over, and a list with nothing else in it is refused (going direct could
 * reach what the OS keeps behind its proxy).
 */
export function proxyFromResolution(resolution: string): string | null {
  const unusable: string[] = [];
  for (const entry of resolution.split(';')) {
    const words = entry.trim().split(/\s+/);
    const [kind = '', hostPort = ''] = words;
    if (kind === 'DIRECT' && words.length === 1) return null;
    if (!kind) continue;
    if (words.length === 2 && HOST_PORT.test(hostPort)) {
      if (kind === 'PROXY' || kind === 'HTTP') return `http://${hostPort}`;
      if (kind === 'HTTPS') return `https://${hostPort}`;
      if (kind === 'SOCKS5') return `socks5://${hostPort}`;
    }
    unusable.push(entry.trim());
  }
  if (unusable.length === 0) return null;
  throw new Error(
    `the system settings name ${unusable.join(', ')}, and Braid uses HTTP, HTTPS and SOCKS5 proxies only (not SOCKS4): choose a custom proxy in the settings, or none`,
  );
}

/**
 * The engine's per-URL system proxy from `resolveProxy` (session.resolveProxy: PAC scripts, the
 * bypass list), asked once per origin for `ttlMs`. Electron says nothing when the OS settings
 * change (Chromium follows them itself), so an answer is only trusted for a short while; a
 * failed question is asked again next time.
 */
export function cachedProxyResolver(
  resolveProxy: (url: string) => Promise<string>,
  { ttlMs = SYSTEM_PROXY_TTL_MS, now = () => performance.now() } = {},
): ProxyResolver {
  const answers = new Map<string, { until: number; proxy: Promise<string | null> }>();
  return (url) => {
    const origin = url.origin;
    const known = answers.get(origin);
    if (known && known.until > now()) return known.proxy;
    // The origin only: the path and any credentials in the link are nothing to the OS.
    const proxy = resolveProxy(`${origin}/`).then(proxyFromResolution);
    answers.delete(origin);
    answers.set(origin, { until: now() + ttlMs, proxy });
    if (answers.size > MAX_ORIGINS) answers.delete(answers.keys().next().value as string);
    proxy.catch(() => {
      if (answers.get(origin)?.proxy === proxy) answers.delete(origin);
    });
    return proxy;
  };
}
