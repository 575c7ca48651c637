import { EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import type { FixedProxy } from './proxy-choice.ts';

/** undici's client for one connection through the chosen proxy (loaded only when a proxy is used). */
export function proxyDispatcher(choice: FixedProxy, timeoutMs: number): Dispatcher {
  const options = {
    connections: 1,
    pipelining: 1,
    bodyTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    connectTimeout: timeoutMs,
  };
  if (choice.kind === 'custom') return new ProxyAgent({ uri: choice.uri, ...options });
  const { httpProxy, httpsProxy, noProxy } = choice;
  return new EnvHttpProxyAgent({ ...options, httpProxy, httpsProxy, noProxy });
}
