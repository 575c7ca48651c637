import { request, type Dispatcher } from 'undici';
import type { Settings } from '../../shared/api/settings.ts';
import { proxyDispatcher } from './dispatcher.ts';
import { DownloadError } from './errors.ts';
import type { HttpBody, HttpResponse, HttpTransport } from './http-body.ts';
import { HttpConnection } from './http1-connection.ts';

type TransportSettings = Pick<Settings, 'readTimeoutMs' | 'proxyMode' | 'proxyUrl'>;

/**
 * One connection's HTTP client. Direct connections use our own HTTP/1.1 reader, which lets the
 * kernel put body bytes straight into the file's write buffers; through a proxy, undici's
 * ProxyAgent does the tunnelling and its chunks are copied into the same buffers.
 */
export function createTransport(
  settings: TransportSettings,
  env: NodeJS.ProcessEnv = process.env,
): HttpTransport {
  const proxied = proxyDispatcher(settings, env);
  return proxied ? new UndiciTransport(proxied) : new DirectTransport(settings.readTimeoutMs);
}

/** A kept-alive connection per transport, replaced when it died or another origin is asked. */
export class DirectTransport implements HttpTransport {
  readonly #timeoutMs: number;
  #connection: HttpConnection | null = null;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  async get(
    url: URL,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      let connection = this.#connection;
      if (!connection?.reusable || connection.origin !== url.origin) {
        connection?.destroy();
        connection = new HttpConnection(url, { timeoutMs: this.#timeoutMs });
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
    this.#connection?.destroy();
    this.#connection = null;
  }
}

export class UndiciTransport implements HttpTransport {
  readonly #dispatcher: Dispatcher;

  constructor(dispatcher: Dispatcher) {
    this.#dispatcher = dispatcher;
  }

  async get(
    url: URL,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const res = await request(url, {
      method: 'GET',
      headers,
      dispatcher: this.#dispatcher,
      signal,
    });
    return { status: res.statusCode, headers: res.headers, body: streamBody(res.body) };
  }

  close(): void {
    this.#dispatcher.destroy().catch(() => undefined);
  }
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
