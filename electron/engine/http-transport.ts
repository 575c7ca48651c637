import type { Dispatcher, request as UndiciRequest } from 'undici';
import type { Settings } from '../../shared/api/settings.ts';
import { DownloadError } from './errors.ts';
import type { HttpBody, HttpResponse, HttpTransport } from './http-body.ts';
import type { ConnectionPool } from './connection-pool.ts';
import { HttpConnection } from './http1-connection.ts';
import { proxyChoice, type FixedProxy, type ProxyResolver } from './proxy-choice.ts';
import { isRetryableStatus, statusText } from './retry-policy.ts';

type TransportSettings = Pick<Settings, 'readTimeoutMs' | 'proxyMode' | 'proxyUrl'>;

/**
 * One connection's HTTP client. Direct connections use our own HTTP/1.1 reader, which lets the
 * kernel put body bytes straight into the file's write buffers; through a proxy, undici's
 * proxy agents do the tunnelling and their chunks are copied into the same buffers. undici is
 * loaded only then: it is a third of a small download's start-up memory.
 */
export function createTransport(
  settings: TransportSettings,
  options: {
    pool?: ConnectionPool | null;
    env?: NodeJS.ProcessEnv;
    /** The OS's proxy per URL, for the "system" mode when the environment names none. */
    systemProxy?: ProxyResolver | null;
  } = {},
): HttpTransport {
  const proxy = proxyChoice(settings, options.env ?? process.env, options.systemProxy ?? null);
  const pool = options.pool ?? null;
  if (!proxy) return new DirectTransport(settings.readTimeoutMs, pool);
  if (proxy.kind === 'resolved') {
    return new SystemProxyTransport(proxy.resolve, settings.readTimeoutMs, pool);
  }
  return new ProxyTransport(proxy, settings.readTimeoutMs);
}

/**
 * A kept-alive connection per transport, replaced when it died or another origin is asked. With a
 * pool, the first connection may be one another transport left there, and close() leaves a
 * reusable connection there in turn.
 */
export class DirectTransport implements HttpTransport {
  readonly #timeoutMs: number;
  readonly #pool: ConnectionPool | null;
  #connection: HttpConnection | null = null;

  constructor(timeoutMs: number, pool: ConnectionPool | null = null) {
    this.#timeoutMs = timeoutMs;
    this.#pool = pool;
  }

  async get(
    url: URL,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      let connection = this.#connection;
      if (!connection?.reusable || connection.origin !== url.origin) {
        if (connection) this.#release(connection);
        // A retry after a stale pooled connection opens a fresh one.
        connection =
          (attempt === 0 ? this.#pool?.take(url.origin) : null) ??
          new HttpConnection(url, { timeoutMs: this.#timeoutMs });
        this.#connection = connection;
      }
      try {
        return await connection.request(url, headers, signal);
      } catch (error) {
        // A kept-alive connection the server closed meanwhile: nothing was received, ask anew once.
        const stale = error instanceof DownloadError && error.code === 'STALE_CONNECTION';
        if (!stale || attempt > 0 || signal.aborted) throw error;
      }
    }
  }

  close(): void {
    if (this.#connection) this.#release(this.#connection);
    this.#connection = null;
  }

  #release(connection: HttpConnection): void {
    if (this.#pool) this.#pool.give(connection);
    else connection.destroy();
  }
}

export class ProxyTransport implements HttpTransport {
  readonly #choice: FixedProxy;
  readonly #timeoutMs: number;
  #proxy: Promise<{ request: typeof UndiciRequest; dispatcher: Dispatcher }> | null = null;
  #closed = false;

  constructor(choice: FixedProxy, timeoutMs: number) {
    this.#choice = choice;
    this.#timeoutMs = timeoutMs;
  }

  async get(
    url: URL,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    // undici's request from the module that loads undici: the CLI bundle's own chunk of it
    // exports a default only, so `import('undici')` here had no `request` ("is not a function").
    this.#proxy ??= import('./dispatcher.ts').then((m) => ({
      request: m.request,
      dispatcher: m.proxyDispatcher(this.#choice, this.#timeoutMs),
    }));
    const { request, dispatcher } = await this.#proxy;
    if (this.#closed)
      throw new DownloadError('STOPPED', 'the connection was closed', { retryable: false });
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: 'GET', headers, dispatcher, signal });
    } catch (error) {
      throw proxyFailure(error, this.#choice, url);
    }
    return { status: res.statusCode, headers: res.headers, body: streamBody(res.body) };
  }

  close(): void {
    this.#closed = true;
    void this.#proxy?.then((p) => p.dispatcher.destroy()).catch(() => undefined);
  }
}

/**
 * Each request goes the way the OS says for its URL: directly (our own reader, pooled) or through
 * the proxy named, as a custom proxy is. One way at a time, replaced when a URL goes another.
 */
export class SystemProxyTransport implements HttpTransport {
  readonly #resolve: ProxyResolver;
  readonly #timeoutMs: number;
  readonly #pool: ConnectionPool | null;
  /** The proxy the current transport goes through; null: direct. */
  #proxy: string | null = null;
  #transport: HttpTransport | null = null;
  #closed = false;

  constructor(resolve: ProxyResolver, timeoutMs: number, pool: ConnectionPool | null) {
    this.#resolve = resolve;
    this.#timeoutMs = timeoutMs;
    this.#pool = pool;
  }

  async get(
    url: URL,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const proxy = await this.#resolve(url).catch((error: unknown) => {
      throw unresolved(error, url);
    });
    if (this.#closed)
      throw new DownloadError('STOPPED', 'the connection was closed', { retryable: false });
    if (!this.#transport || proxy !== this.#proxy) {
      this.#transport?.close();
      this.#transport = proxy
        ? new ProxyTransport({ kind: 'custom', uri: proxy }, this.#timeoutMs)
        : new DirectTransport(this.#timeoutMs, this.#pool);
      this.#proxy = proxy;
    }
    return this.#transport.get(url, headers, signal);
  }

  close(): void {
    this.#closed = true;
    this.#transport?.close();
    this.#transport = null;
  }
}

/** The OS named no proxy the engine can use for this URL: asking again gives the same answer. */
function unresolved(error: unknown, url: URL): DownloadError {
  if (error instanceof DownloadError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new DownloadError('SYSTEM_PROXY', `no usable system proxy for ${url.host}: ${why}`, {
    retryable: false,
    cause: error,
  });
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'refused the connection',
  ENOTFOUND: 'has a name that does not resolve',
  EAI_AGAIN: 'has a name that does not resolve',
  ETIMEDOUT: 'did not answer',
  UND_ERR_CONNECT_TIMEOUT: 'did not answer',
};

/**
 * undici says what a proxy refused only in words: a 407 to a request as "Proxy Authentication
 * Required (407)", any other answer to CONNECT as "Proxy response (403) !== 200 when HTTP
 * Tunneling". Read out here (neither can come from the server); other words pass unchanged.
 */
const PROXY_ANSWERS = [
  /^Proxy Authentication Required \((\d{3})\)$/,
  /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/,
];

/**
 * A connection that failed before any answer went to the proxy, not to the server (a custom
 * proxy takes every connection; the environment's, those to its own address): said so, and not
 * counted against the server's health, which would blame a server that was never asked. So is
 * a proxy that refused the request, or closed the connection to it.
 */
function proxyFailure(error: unknown, choice: FixedProxy, url: URL): unknown {
  const e = error as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
    hostname?: string;
    socket?: { remoteAddress?: string; remotePort?: number };
  };
  const uri =
    choice.kind === 'custom'
      ? choice.uri
      : url.protocol === 'https:'
        ? choice.httpsProxy
        : choice.httpProxy;
  if (!uri) return error;
  const proxy = new URL(uri);
  const name = proxy.hostname.replace(/^\[|\]$/g, '');
  const port = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
  const answer = PROXY_ANSWERS.map((words) => words.exec(e.message ?? '')).find(Boolean);
  if (answer) return proxyRefused(Number(answer[1]), proxy, url);
  if (e.code === 'UND_ERR_PRX_CONN') {
    // The tunnel was never open: the proxy closed the connection it was asked on.
    return proxyClosed(proxy, e.cause);
  }
  if (e.code === 'UND_ERR_SOCKET') {
    const peer = e.socket;
    const viaProxy =
      choice.kind === 'custom' ||
      (peer?.remotePort === port &&
        (peer.remoteAddress === name || process.getBuiltinModule('node:net').isIP(name) === 0));
    return viaProxy ? proxyClosed(proxy, e) : error;
  }
  const connecting =
    e.syscall === 'connect' || e.syscall === 'getaddrinfo' || (e.code ?? '') in UNREACHABLE;
  if (!connecting) return error;
  const itsOwn = e.hostname === name || (e.address === name && e.port === port);
  if (choice.kind !== 'custom' && !itsOwn) return error;
  const what = UNREACHABLE[e.code ?? ''] ?? 'could not be reached';
  return new DownloadError('PROXY_UNREACHABLE', `the proxy ${proxy.host} ${what} (${e.message})`, {
    retryable: true,
  });
}

/** The proxy answered instead of the server: 407 wants (other) credentials for the proxy. */
function proxyRefused(status: number, proxy: URL, url: URL): DownloadError {
  const what = statusText(status);
  if (status === 407) {
    const message = proxy.username
      ? `the proxy ${proxy.host} refused the user name and password given for it (${what})`
      : `the proxy ${proxy.host} wants a user name and password (${what}): give them in its address, as http://user:password@${proxy.host}`;
    return new DownloadError('PROXY_AUTH', message, { retryable: false });
  }
  // A proxy's 5xx is usually the server behind it out of reach: that may pass.
  return new DownloadError(
    'PROXY_REFUSED',
    `the proxy ${proxy.host} refused to connect to ${url.host} (${what})`,
    { retryable: isRetryableStatus(status) },
  );
}

function proxyClosed(proxy: URL, cause: unknown): DownloadError {
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new DownloadError(
    'PROXY_CLOSED',
    `the proxy ${proxy.host} closed the connection before an answer${detail}`,
    { retryable: true, cause },
  );
}

function streamBody(body: Dispatcher.ResponseData['body']): HttpBody {
  return {
    async pipe(sink) {
      for await (const data of body) {
        let chunk = data as Buffer;
        while (chunk.length > 0) {
          const space = sink.space();
          const n = Math.min(space.length, chunk.length);
          chunk.copy(space, 0, 0, n);
          chunk = chunk.subarray(n);
          const wait = sink.took(n);
          // Leaving the loop destroys the body, and with it the connection.
          if (wait === false) return false;
          if (wait) await wait;
        }
      }
      return true;
    },
    dump: (limit) => body.dump({ limit }),
    destroy: () => body.destroy(),
  };
}
