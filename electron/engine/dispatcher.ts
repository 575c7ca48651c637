import net from 'node:net';
import type tls from 'node:tls';
import { Agent, EnvHttpProxyAgent, ProxyAgent, type buildConnector, type Dispatcher } from 'undici';
import { DownloadError } from './errors.ts';

export { request } from 'undici';
import type { FixedProxy } from './proxy-choice.ts';
import { isSocks5Url, openSocks5Tunnel, socks5Proxy } from './socks5-tunnel.ts';

/** undici's client for one connection through the chosen proxy (loaded only when a proxy is used). */
export function proxyDispatcher(choice: FixedProxy, timeoutMs: number): Dispatcher {
  const options = {
    connections: 1,
    pipelining: 1,
    bodyTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    connectTimeout: timeoutMs,
  };
  if (choice.kind === 'custom' && isSocks5Url(choice.uri)) {
    return new Agent({ ...options, connect: socks5Connector(choice.uri, timeoutMs) });
  }
  if (choice.kind === 'custom') return new ProxyAgent({ uri: choice.uri, ...options });
  const { httpProxy, httpsProxy, noProxy } = choice;
  return new EnvHttpProxyAgent({ ...options, httpProxy, httpsProxy, noProxy });
}

/**
 * Connections through a SOCKS5 tunnel, TLS to the server itself for https:// (the proxy relays
 * bytes it cannot read). The `socks` package's rather than undici's Socks5ProxyAgent, which
 * prints an experimental warning on every run, waits out its whole timeout when a proxy closes
 * the connection mid-handshake, and sends IPv6 addresses as host names.
 */
function socks5Connector(uri: string, timeoutMs: number): buildConnector.connector {
  const proxy = socks5Proxy(uri);
  return ({ hostname, protocol, port }, callback) => {
    const https = protocol === 'https:';
    const target = { host: hostname, port: Number(port) || (https ? 443 : 80) };
    const { socket, ready } = openSocks5Tunnel(proxy, target, timeoutMs);
    ready
      .then<net.Socket>(() => (https ? startTls(socket, target.host, timeoutMs) : socket))
      .then(
        (connected) => callback(null, connected),
        (error: Error) => callback(error, null),
      );
    // Returned so that undici can close it while the tunnel opens (a request aborted meanwhile).
    return socket;
  };
}

function startTls(socket: net.Socket, host: string, timeoutMs: number): Promise<tls.TLSSocket> {
  const secure = process.getBuiltinModule('node:tls').connect({
    socket,
    servername: net.isIP(host) ? undefined : host,
    ALPNProtocols: ['http/1.1'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      secure.destroy();
      reject(
        new DownloadError('TIMEOUT', 'timed out connecting to the server', { retryable: true }),
      );
    }, timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.off('error', onError);
      resolve(secure);
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    secure.once('error', onError);
  });
}
