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
const VERSION = 0x05;
const NO_LOGIN = 0x00;
const USER_PASSWORD = 0x02;
const NO_ACCEPTABLE = 0xff;
const CONNECT = 0x01;
const ATYP = { ipv4: 0x01, domain: 0x03, ipv6: 0x04 };

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
 */
export function openSocks5Tunnel(
  proxy: Socks5Proxy,
  target: Socks5Target,
  timeoutMs: number,
): { socket: net.Socket; ready: Promise<void> } {
  const socket = net.connect({ host: proxy.host, port: proxy.port });
  socket.setNoDelay(true);
  const reader = new HandshakeReader(socket, proxy, target, timeoutMs);
  const ready = negotiate(socket, reader, proxy, target).then(
    () => reader.detach(),
    (error: unknown) => {
      reader.detach();
      socket.destroy();
      throw error;
    },
  );
  return { socket, ready };
}

async function negotiate(
  socket: net.Socket,
  reader: HandshakeReader,
  proxy: Socks5Proxy,
  target: Socks5Target,
): Promise<void> {
  const login = proxy.username !== '' || proxy.password !== '';
  socket.write(Buffer.from(login ? [VERSION, 2, NO_LOGIN, USER_PASSWORD] : [VERSION, 1, NO_LOGIN]));
  const [version, method] = await reader.take(2);
  if (version !== VERSION) throw notSocks5(proxy, version!);
  if (method === NO_ACCEPTABLE) throw noAcceptableMethod(proxy, login);
  if (method === USER_PASSWORD) {
    // Chosen although not offered: it wants a login none was given for.
    if (!login) throw noAcceptableMethod(proxy, false);
    socket.write(loginRequest(proxy));
    // The version byte is not checked: some proxies answer 0x05 there, and curl takes them.
    const [, status] = await reader.take(2);
    if (status !== 0x00) {
      throw new DownloadError(
        'PROXY_AUTH',
        `the proxy ${proxy.name} refused the user name and password given for it`,
        { retryable: false },
      );
    }
  } else if (method !== NO_LOGIN) {
    throw notSocks5(proxy, version);
  }
  reader.stage = 'connect';
  socket.write(connectRequest(target));
  const [replyVersion, reply, , atyp] = await reader.take(4);
  if (replyVersion !== VERSION) throw notSocks5(proxy, replyVersion!);
  if (reply !== 0x00) throw connectFailed(reply!, proxy, target);
  // The address the proxy connected from (BND.ADDR, BND.PORT): read past, nothing to us.
  const length = atyp === ATYP.ipv4 ? 4 : atyp === ATYP.ipv6 ? 16 : atyp === ATYP.domain ? 1 : null;
  if (length === null) throw notSocks5(proxy, VERSION);
  const address = await reader.take(length);
  await reader.take((atyp === ATYP.domain ? address[0]! : 0) + 2);
}

function loginRequest(proxy: Socks5Proxy): Buffer {
  const user = Buffer.from(proxy.username);
  const password = Buffer.from(proxy.password);
  if (user.length > 255 || password.length > 255) {
    throw new DownloadError(
      'PROXY_AUTH',
      `the user name and password for the proxy ${proxy.name} must be at most 255 bytes each`,
      { retryable: false },
    );
  }
  return Buffer.concat([
    Buffer.from([0x01, user.length]),
    user,
    Buffer.from([password.length]),
    password,
  ]);
}

function connectRequest(target: Socks5Target): Buffer {
  const kind = net.isIP(target.host);
  let address: Buffer;
  if (kind === 4) {
    address = Buffer.from([ATYP.ipv4, ...target.host.split('.').map(Number)]);
  } else if (kind === 6) {
    address = Buffer.concat([Buffer.from([ATYP.ipv6]), ipv6Bytes(target.host)]);
  } else {
    const name = Buffer.from(target.host);
    if (name.length > 255) {
      throw new DownloadError('BAD_URL', 'the host name is too long to pass through SOCKS5', {
        retryable: false,
      });
    }
    address = Buffer.concat([Buffer.from([ATYP.domain, name.length]), name]);
  }
  const port = Buffer.alloc(2);
  port.writeUInt16BE(target.port);
  return Buffer.concat([Buffer.from([VERSION, CONNECT, 0x00]), address, port]);
}

/** The 16 bytes of an IPv6 address (one net.isIPv6 accepts). */
function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.replace(/%.*$/, '').split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const withV4 = (parts: string[]) =>
    parts.flatMap((g) => {
      if (!g.includes('.')) return [g];
      const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  const before = withV4(groups(head));
  const after = withV4(groups(tail));
  const zeros = address.includes('::') ? 8 - before.length - after.length : 0;
  const all = [...before, ...Array<string>(zeros).fill('0'), ...after];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

function targetName(target: Socks5Target): string {
  return net.isIPv6(target.host)
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
}

function notSocks5(proxy: Socks5Proxy, firstByte: number): DownloadError {
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
 * CONNECT failures (RFC 1928 §6): the error code, whether a retry may help, and what happened
 * after "the proxy … ". The target out of reach or refusing may pass, as it may when connecting
 * directly; a rule or a feature the proxy lacks will not. Undefined codes are as 1.
 */
const REPLIES: Record<number, [code: string, retryable: boolean, says: string]> = {
  0x01: ['PROXY_REFUSED', true, 'failed to connect to {to}: general SOCKS server failure'],
  0x02: ['PROXY_REFUSED', false, 'refused to connect to {to}: its rules do not allow it'],
  0x03: ['PROXY_TARGET_UNREACHABLE', true, 'could not reach {to}: network unreachable'],
  0x04: [
    'PROXY_TARGET_UNREACHABLE',
    true,
    'could not reach {to}: host unreachable, or its name does not resolve there',
  ],
  0x05: ['PROXY_TARGET_REFUSED', true, 'could not connect to {to}: connection refused'],
  0x06: ['PROXY_TARGET_UNREACHABLE', true, 'could not reach {to}: timed out'],
  0x07: ['PROXY_REFUSED', false, 'refused to connect to {to}: it does not support CONNECT'],
  0x08: [
    'PROXY_REFUSED',
    false,
    'refused to connect to {to}: it does not take this kind of address (a host name or IPv6 address)',
  ],
};

function connectFailed(reply: number, proxy: Socks5Proxy, target: Socks5Target): DownloadError {
  const [code, retryable, says] = REPLIES[reply] ?? [
    'PROXY_REFUSED',
    true,
    'failed to connect to {to}',
  ];
  const what = says.replace('{to}', targetName(target));
  return new DownloadError(code, `the proxy ${proxy.name} ${what} (SOCKS5 reply ${reply})`, {
    retryable,
  });
}

/**
 * Exact-length reads of the proxy's replies, which may come in any number of pieces. A proxy
 * that closes, errs or stays silent for `timeoutMs` fails the read waiting, said per stage: the
 * greeting and login are the proxy's own answers, the CONNECT reply waits on the target.
 */
class HandshakeReader {
  stage: 'greeting' | 'connect' = 'greeting';
  #buffered = Buffer.alloc(0);
  #waiting: { length: number; resolve(b: Buffer): void; reject(e: unknown): void } | null = null;
  #failure: unknown = null;
  #connected = false;
  readonly #socket: net.Socket;
  readonly #proxy: Socks5Proxy;
  readonly #target: Socks5Target;
  readonly #timeoutMs: number;
  readonly #onData = (data: Buffer) => {
    this.#buffered = Buffer.concat([this.#buffered, data]);
    this.#settle();
  };
  readonly #onError = (error: NodeJS.ErrnoException) => {
    // Not connected at all: the socket's own error, which says the proxy could not be reached.
    this.#fail(this.#connected ? this.#closed(error) : error);
  };
  readonly #onEnd = () => this.#fail(this.#closed(null));
  readonly #onTimeout = () => {
    const seconds = this.#timeoutMs / 1000;
    this.#fail(
      !this.#connected
        ? new DownloadError(
            'PROXY_UNREACHABLE',
            `the proxy ${this.#proxy.name} did not answer (no connection in ${seconds} s)`,
            { retryable: true },
          )
        : this.stage === 'greeting'
          ? new DownloadError(
              'PROXY_UNREACHABLE',
              `the proxy ${this.#proxy.name} did not answer the SOCKS5 greeting in ${seconds} s`,
              { retryable: true },
            )
          : new DownloadError(
              'PROXY_TARGET_UNREACHABLE',
              `the proxy ${this.#proxy.name} could not reach ${targetName(this.#target)}: no answer in ${seconds} s`,
              { retryable: true },
            ),
    );
    this.#socket.destroy();
  };

  constructor(socket: net.Socket, proxy: Socks5Proxy, target: Socks5Target, timeoutMs: number) {
    this.#socket = socket;
    this.#proxy = proxy;
    this.#target = target;
    this.#timeoutMs = timeoutMs;
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => (this.#connected = true));
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('timeout', this.#onTimeout);
  }

  take(length: number): Promise<Buffer> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting = { length, resolve, reject };
      this.#settle();
    });
  }

  /** Hands the socket on as it is: paused, with anything past the handshake put back. */
  detach(): void {
    const socket = this.#socket;
    socket.setTimeout(0);
    socket.pause();
    socket.off('data', this.#onData);
    socket.off('error', this.#onError);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onEnd);
    socket.off('timeout', this.#onTimeout);
    if (this.#buffered.length > 0) socket.unshift(this.#buffered);
  }

  #settle(): void {
    const waiting = this.#waiting;
    if (!waiting || this.#buffered.length < waiting.length) return;
    this.#waiting = null;
    const taken = this.#buffered.subarray(0, waiting.length);
    this.#buffered = this.#buffered.subarray(waiting.length);
    waiting.resolve(taken);
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(this.#failure);
  }

  #closed(cause: Error | null): DownloadError {
    const detail = cause?.message ? ` (${cause.message})` : '';
    return new DownloadError(
      'PROXY_CLOSED',
      `the proxy ${this.#proxy.name} closed the connection before the tunnel to ${targetName(this.#target)} was open${detail}`,
      { retryable: true, cause },
    );
  }
}
