import { EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import type { Settings } from '../../shared/api/settings.ts';

const LOOPBACK = 'localhost,127.0.0.1,::1';

/**
 * The proxy a connection goes through, or null when it goes direct: the proxy from the
 * environment (the "system" proxy of Node programs; loopback is never proxied), or a custom proxy
 * whose URL may carry the proxy's user and password (sent as Proxy-Authorization).
 */
export function proxyDispatcher(
  settings: Pick<Settings, 'readTimeoutMs' | 'proxyMode' | 'proxyUrl'>,
  env: NodeJS.ProcessEnv = process.env,
): Dispatcher | null {
  const options = undiciOptions(settings.readTimeoutMs);
  if (settings.proxyMode === 'custom' && settings.proxyUrl) {
    return new ProxyAgent({ uri: settings.proxyUrl, ...options });
  }
  const httpProxy = env['HTTP_PROXY'] ?? env['http_proxy'];
  const httpsProxy = env['HTTPS_PROXY'] ?? env['https_proxy'] ?? httpProxy;
  if (settings.proxyMode === 'system' && (httpProxy || httpsProxy)) {
    const noProxy = [env['NO_PROXY'] ?? env['no_proxy'], LOOPBACK].filter(Boolean).join(',');
    return new EnvHttpProxyAgent({ ...options, httpProxy, httpsProxy, noProxy });
  }
  return null;
}

function undiciOptions(timeout: number) {
  return {
    connections: 1,
    pipelining: 1,
    bodyTimeout: timeout,
    headersTimeout: timeout,
    connectTimeout: timeout,
  };
}
