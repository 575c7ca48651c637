import type { Settings } from '../../shared/api/settings.ts';

const LOOPBACK = 'localhost,127.0.0.1,::1';

/**
 * The OS's proxy for one URL, as the desktop asks Chromium (which honours PAC scripts and the
 * bypass list): an http(s):// or socks5:// proxy URL, or null to connect directly. Rejects,
 * saying why, when the OS names no proxy the engine can use for it.
 */
export type ProxyResolver = (url: URL) => Promise<string | null>;

/** Which proxy connections go through; null: direct. Plain data, so choosing loads no HTTP stack. */
export type ProxyChoice =
  | { kind: 'custom'; uri: string }
  | { kind: 'env'; httpProxy: string | undefined; httpsProxy: string | undefined; noProxy: string }
  | { kind: 'resolved'; resolve: ProxyResolver };

/** A choice that names its proxy up front (an undici agent can be made from it). */
export type FixedProxy = Exclude<ProxyChoice, { kind: 'resolved' }>;

/**
 * The custom proxy (its URL may carry the proxy's user and password, sent as
 * Proxy-Authorization or as the SOCKS5 login), or in "system" mode the proxy from the
 * environment (what Node programs call the system proxy; loopback is never proxied), else the
 * OS's per URL where the host can tell it (`systemProxy`), or none.
 */
export function proxyChoice(
  settings: Pick<Settings, 'proxyMode' | 'proxyUrl'>,
  env: NodeJS.ProcessEnv = process.env,
  systemProxy: ProxyResolver | null = null,
): ProxyChoice | null {
  if (settings.proxyMode === 'custom' && settings.proxyUrl) {
    return { kind: 'custom', uri: settings.proxyUrl };
  }
  if (settings.proxyMode !== 'system') return null;
  const httpProxy = env['HTTP_PROXY'] ?? env['http_proxy'];
  const httpsProxy = env['HTTPS_PROXY'] ?? env['https_proxy'] ?? httpProxy;
  if (httpProxy || httpsProxy) {
    const noProxy = [env['NO_PROXY'] ?? env['no_proxy'], LOOPBACK].filter(Boolean).join(',');
    return { kind: 'env', httpProxy, httpsProxy, noProxy };
  }
  return systemProxy ? { kind: 'resolved', resolve: systemProxy } : null;
}
