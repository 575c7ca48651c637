import type { Settings } from '../../shared/api/settings.ts';

const LOOPBACK = 'localhost,127.0.0.1,::1';

/** Which proxy connections go through; null: direct. Plain data, so choosing loads no HTTP stack. */
export type ProxyChoice =
  | { kind: 'custom'; uri: string }
  | { kind: 'env'; httpProxy: string | undefined; httpsProxy: string | undefined; noProxy: string };

/**
 * The custom proxy (its URL may carry the proxy's user and password, sent as
 * Proxy-Authorization), or the proxy from the environment in "system" mode (what Node programs
 * call the system proxy; loopback is never proxied), or none.
 */
export function proxyChoice(
  settings: Pick<Settings, 'proxyMode' | 'proxyUrl'>,
  env: NodeJS.ProcessEnv = process.env,
): ProxyChoice | null {
  if (settings.proxyMode === 'custom' && settings.proxyUrl) {
    return { kind: 'custom', uri: settings.proxyUrl };
  }
  const httpProxy = env['HTTP_PROXY'] ?? env['http_proxy'];
  const httpsProxy = env['HTTPS_PROXY'] ?? env['https_proxy'] ?? httpProxy;
  if (settings.proxyMode === 'system' && (httpProxy || httpsProxy)) {
    const noProxy = [env['NO_PROXY'] ?? env['no_proxy'], LOOPBACK].filter(Boolean).join(',');
    return { kind: 'env', httpProxy, httpsProxy, noProxy };
  }
  return null;
}
