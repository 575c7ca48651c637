import net from 'node:net';
import { DownloadError } from './errors.ts';

/** Where a SOCKS5 proxy is and the login it is given (empty: none). */
export interface Socks5Proxy {
  host: string;
  port: number;
  /** As its URL names it (host[:port]), for messages: never the login. */
  name: string;
  username: string;
  password: string;
}

export interface Socks5Target {
  /** A name (the proxy resolves it), or an IPv4 or IPv6 address without brackets. */
  host: string;
  port: number;
}

/** What curl, ssh -D and Tor listen on when no port is given. */
const DEFAULT_PORT = 1080;

/**
 * socks5:// and socks5h:// both mean a SOCKS5 proxy that resolves host names itself: the names
 * a download manager is asked for are often only known on the proxy's side (ssh -D into another
 * network, Tor's .onion), and resolving them here would tell this network's DNS where it goes.
 */
export function isSocks5Url(uri: string): boolean {
  return /^socks5h?:\/\//i.test(uri);
}

export function socks5Proxy(uri: string): Socks5Proxy {
  const url = new URL(uri);
  const port = Number(url.port) || DEFAULT_PORT;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    name: url.host,
    username: decoded(url.username),
    password: decoded(url.password),
  };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Opens a tunnel to `target` through the proxy (RFC 1928 CONNECT, with RFC 1929 user name and
 * password when the URL has them): `socket` is the connection to the proxy, returned at once so
 * that it can be closed while the tunnel opens; once `ready` resolves it carries the target's
 * bytes. `ready` rejects with a DownloadError saying what the proxy refused, or with the
 * socket's own error when the proxy could not be reached at all.
 *
 * The handshake is the `socks` package's; the connection to the proxy is ours, so that a proxy
 * out of reach fails with the socket's own error (refused, unresolvable) and not just its words.
 */
export function openSocks5Tunnel(
  proxy: Socks5Proxy,
  target: Socks5Target,
  timeoutMs: number,
): { socket: net.Socket; ready: Promise<void> } {
  const socket = net.connect({ host: proxy.host, port: proxy.port });
  socket.setNoDelay(true);
  return { socket, ready: tunnel(socket, proxy, target, timeoutMs) };
}

async function tunnel(
  socket: net.Socket,
  proxy: Socks5Proxy,
  target: Socks5Target,
  timeoutMs: number,
): Promise<void> {
  let broken: Error | null = null;
  const onError = (error: Error) => (broken ??= error);
  // What the proxy said first, which `socks` does not tell: "H" from an HTTP proxy, and how far
  // the greeting got when time ran out.
  const heard: number[] = [];
  const hear = (data: Buffer) => heard.push(...data.subarray(0, 4 - heard.length));
  socket.on('error', onError);
  try {
    await connected(socket, proxy, timeoutMs, () => broken ?? closed(proxy, target, null));
    checkLogin(proxy);
    // Loaded with the first SOCKS5 tunnel: no other download needs it. Through `default`, as
    // bundled CommonJS packages export nothing else.
    const { SocksClient } = (await import('socks')).default;
    if (socket.destroyed) throw closed(proxy, target, broken);
    socket.on('data', hear);
    await SocksClient.createConnection({
      command: 'connect',
      // Empty, the user name and password are not offered.
      proxy: {
        type: 5,
        host: proxy.host,
        port: proxy.port,
        userId: proxy.username,
        password: proxy.password,
      },
      destination: target,
      existing_socket: socket,
      timeout: timeoutMs,
    }).catch((error: Error) => {
      // Its words only: a SocksClientError also carries the options given, password and all.
      throw broken
        ? closed(proxy, target, broken)
        : refusal(error.message, heard, proxy, target, timeoutMs);
    });
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    socket.off('error', onError).off('data', hear);
  }
}

/** Resolves once connected to the proxy; rejects with `failure()` if closed before. */
function connected(
  socket: net.Socket,
  proxy: Socks5Proxy,
  timeoutMs: number,
  failure: () => unknown,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      socket.setTimeout(0);
      socket.off('connect', done).off('close', onClose).off('timeout', onTimeout);
      if (error) reject(error);
      else resolve();
    };
    const onClose = () => done(failure());
    const onTimeout = () =>
      done(
        new DownloadError(
          'PROXY_UNREACHABLE',
          `the proxy ${proxy.name} did not answer (no connection in ${timeoutMs / 1000} s)`,
          { retryable: true },
        ),
      );
    socket.setTimeout(timeoutMs);
    socket.once('connect', done).once('close', onClose).once('timeout', onTimeout);
  });
}

function checkLogin(proxy: Socks5Proxy): void {
  // RFC 1929 has one byte for each length; `socks` would throw where it cannot be caught.
  if (Buffer.byteLength(proxy.username) > 255 || Buffer.byteLength(proxy.password) > 255) {
    throw new DownloadError(
      'PROXY_AUTH',
      `the user name and password for the proxy ${proxy.name} must be at most 255 bytes each`,
      { retryable: false },
    );
  }
}

/** What `socks` said went wrong (in words: it has no codes), as a DownloadError. */
function refusal(
  said: string,
  heard: number[],
  proxy: Socks5Proxy,
  target: Socks5Target,
  timeoutMs: number,
): DownloadError {
  const login = proxy.username !== '' || proxy.password !== '';
  const reply = /^Socks5 proxy rejected connection - (\w+)$/.exec(said)?.[1];
  if (reply !== undefined && reply !== 'Granted') return connectFailed(reply, proxy, target);
  switch (said) {
    case 'Socket closed':
      return closed(proxy, target, null);
    case 'Proxy connection timed out':
      return timedOut(heard, proxy, target, timeoutMs);
    case 'Received invalid Socks5 initial handshake (no accepted authentication type)':
      return noAcceptableMethod(proxy, login);
    case 'Socks5 Authentication failed':
      // Without a login, a proxy that chose one anyway was sent an empty one.
      if (!login) return noAcceptableMethod(proxy, false);
      return new DownloadError(
        'PROXY_AUTH',
        `the proxy ${proxy.name} refused the user name and password given for it`,
        { retryable: false },
      );
    case 'An invalid destination host was provided.':
      return new DownloadError('BAD_URL', 'the host name is too long to pass through SOCKS5', {
        retryable: false,
      });
    default:
      // A version that is not 5, a way of signing in it was not offered, a reply it could not read.
      return notSocks5(proxy, heard[0]);
  }
}

function timedOut(
  heard: number[],
  proxy: Socks5Proxy,
  target: Socks5Target,
  timeoutMs: number,
): DownloadError {
  const seconds = timeoutMs / 1000;
  // Greeted: the method chosen (2 bytes) and, for user name and password (0x02), its verdict.
  const greeted = heard.length >= (heard[1] === 0x02 ? 4 : 2);
  return greeted
    ? new DownloadError(
        'PROXY_TARGET_UNREACHABLE',
        `the proxy ${proxy.name} could not reach ${targetName(target)}: no answer in ${seconds} s`,
        { retryable: true },
      )
    : new DownloadError(
        'PROXY_UNREACHABLE',
        `the proxy ${proxy.name} did not answer the SOCKS5 greeting in ${seconds} s`,
        { retryable: true },
      );
}

function closed(proxy: Socks5Proxy, target: Socks5Target, cause: Error | null): DownloadError {
  const detail = cause?.message ? ` (${cause.message})` : '';
  return new DownloadError(
    'PROXY_CLOSED',
    `the proxy ${proxy.name} closed the connection before the tunnel to ${targetName(target)} was open${detail}`,
    { retryable: true, cause },
  );
}

function targetName(target: Socks5Target): string {
  return net.isIPv6(target.host)
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
}

function notSocks5(proxy: Socks5Proxy, firstByte: number | undefined): DownloadError {
  // An HTTP proxy answers a SOCKS greeting with "HTTP/1.1 400 …".
  const message =
    firstByte === 'H'.charCodeAt(0)
      ? `the proxy ${proxy.name} answered in HTTP, not SOCKS5: give it as http://${proxy.name}`
      : `the proxy ${proxy.name} did not answer as a SOCKS5 proxy (Braid speaks SOCKS5, not SOCKS4)`;
  return new DownloadError('PROXY_PROTOCOL', message, { retryable: false });
}

function noAcceptableMethod(proxy: Socks5Proxy, login: boolean): DownloadError {
  const message = login
    ? `the proxy ${proxy.name} accepts neither a user name and password nor no login (it wants a way of signing in that Braid does not speak, such as GSSAPI)`
    : `the proxy ${proxy.name} wants a user name and password: give them in its address, as socks5://user:password@${proxy.name}`;
  return new DownloadError('PROXY_AUTH', message, { retryable: false });
}

/**
 * CONNECT failures (RFC 1928 §6), by the name `socks` gives the reply: its code, our error code,
 * whether a retry may help, and what happened after "the proxy … ". The target out of reach or
 * refusing may pass, as it may when connecting directly; a rule or a feature the proxy lacks
 * will not. Codes the RFC does not define (`socks` names them "undefined") are as 1.
 */
const REPLIES: Record<string, [reply: number, code: string, retryable: boolean, says: string]> = {
  Failure: [1, 'PROXY_REFUSED', true, 'failed to connect to {to}: general SOCKS server failure'],
  NotAllowed: [2, 'PROXY_REFUSED', false, 'refused to connect to {to}: its rules do not allow it'],
  NetworkUnreachable: [
    3,
    'PROXY_TARGET_UNREACHABLE',
    true,
    'could not reach {to}: network unreachable',
  ],
  HostUnreachable: [
    4,
    'PROXY_TARGET_UNREACHABLE',
    true,
    'could not reach {to}: host unreachable, or its name does not resolve there',
  ],
  ConnectionRefused: [
    5,
    'PROXY_TARGET_REFUSED',
    true,
    'could not connect to {to}: connection refused',
  ],
  TTLExpired: [6, 'PROXY_TARGET_UNREACHABLE', true, 'could not reach {to}: timed out'],
  CommandNotSupported: [
    7,
    'PROXY_REFUSED',
    false,
    'refused to connect to {to}: it does not support CONNECT',
  ],
  AddressNotSupported: [
    8,
    'PROXY_REFUSED',
    false,
    'refused to connect to {to}: it does not take this kind of address (a host name or IPv6 address)',
  ],
};

function connectFailed(reply: string, proxy: Socks5Proxy, target: Socks5Target): DownloadError {
  const [number, code, retryable, says] = REPLIES[reply] ?? [
    null,
    'PROXY_REFUSED',
    true,
    'failed to connect to {to}',
  ];
  const what = says.replace('{to}', targetName(target));
  const which =
    number === null ? 'a SOCKS5 reply RFC 1928 does not define' : `SOCKS5 reply ${number}`;
  return new DownloadError(code, `the proxy ${proxy.name} ${what} (${which})`, { retryable });
}
