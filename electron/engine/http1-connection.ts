import net from 'node:net';
import type tls from 'node:tls';
import { DownloadError } from './errors.ts';
import type { BodySink, HttpBody, HttpResponse } from './http-body.ts';
import {
  badResponse,
  ChunkedDecoder,
  framingOf,
  MAX_HEAD_BYTES,
  parseHead,
  type Framing,
} from './http1-parse.ts';

export interface ConnectionOptions {
  /** Connecting, waiting for the response head, and silence while receiving the body. */
  timeoutMs: number;
  /** Extra TLS options (tests trust their own certificate authority here). */
  tls?: tls.ConnectionOptions;
}

type Phase = 'idle' | 'head' | 'wait' | 'body' | 'dead';

const HEAD_BUFFER = 16 * 1024;
/**
 * The whole head (with any 1xx before it) must arrive within this many read timeouts of the
 * request: each byte resets the read timeout, so a server dribbling its head would otherwise hold
 * a request for ever. Twice leaves a slow but honest server a read timeout to start answering.
 */
const HEAD_TIMEOUTS = 2;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 field-value: visible ASCII, space, tab and obs-text (the head is written as Latin-1). */
const UNSAFE_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * One HTTP/1.1 connection (plain or TLS) for GET requests, one at a time, kept alive between
 * them. Body bytes are read by the kernel directly into the sink's buffers (`onread`), which is
 * what makes a download cost about what a copy costs: the head goes to a small buffer of ours,
 * and only the bytes that arrived together with it are copied.
 */
export class HttpConnection {
  readonly origin: string;
  readonly #socket: net.Socket;
  readonly #timeoutMs: number;
  #phase: Phase = 'idle';
  /** Head bytes, and the landing place for bytes nobody has a sink for yet. */
  #head = Buffer.allocUnsafe(HEAD_BUFFER);
  #headLen = 0;
  /** The region the socket reads into next. */
  #readInto: Buffer;
  #readIntoSink = false;
  #connected = false;
  #responses = 0;
  #gotBytes = false;
  #framing: Framing = { kind: 'none' };
  #remaining = 0;
  #decoder: ChunkedDecoder | null = null;
  #keepAlive = false;
  /** Raw body bytes read before the sink could take them. */
  #backlog: Buffer | null = null;
  #sink: BodySink | null = null;
  #serial = 0;
  #ended = false;
  #error: unknown = null;
  #head$: { resolve(r: HttpResponse): void; reject(e: unknown): void } | null = null;
  #pipe$: { resolve(ended: boolean): void; reject(e: unknown): void } | null = null;
  #signal: AbortSignal | null = null;
  readonly #onAbort = () => this.#fail(this.#signal?.reason ?? new Error('aborted'));
  #timer: NodeJS.Timeout | null = null;
  #lastActivity = 0;
  #headDeadline = 0;
  #pausedByUs = false;
  #onIdleClose: (() => void) | null = null;
  /** The server closed after sending a whole close-delimited body along with the head. */
  #closeAfterBacklog = false;

  constructor(url: URL, options: ConnectionOptions) {
    this.origin = url.origin;
    this.#timeoutMs = options.timeoutMs;
    this.#readInto = this.#head;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const onread = {
      buffer: () => this.#nextBuffer(),
      callback: (n: number) => this.#onRead(n),
    };
    this.#socket =
      url.protocol === 'https:'
        ? // TLS sockets take `onread` like plain ones (Node docs of tls.connect); the types lack it.
          // Loaded on first use: node:tls is ~6 MB that a plain-HTTP download never needs.
          process.getBuiltinModule('node:tls').connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            ALPNProtocols: ['http/1.1'],
            onread,
            ...options.tls,
          } as tls.ConnectionOptions)
        : net.connect({ host, port, onread });
    this.#socket.setNoDelay(true);
    this.#socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      this.#connected = true;
    });
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('end', () => this.#onEnd());
    this.#socket.on('close', () => {
      // Closed by us (destroy): nothing to report, so no error (and stack trace) to build.
      if (this.#phase !== 'dead') this.#fail(closed('the connection was closed'));
    });
  }

  /** Idle and open: can carry another request. */
  get reusable(): boolean {
    return this.#phase === 'idle' && !this.#socket.destroyed;
  }

  /** Called once when an idle connection is closed by the server (for pools). */
  onIdleClose(listener: (() => void) | null): void {
    this.#onIdleClose = listener;
  }

  /** Sends a GET; resolves once the response head arrived. */
  request(
    url: URL,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    if (!this.reusable) return Promise.reject(closed('the connection is not available'));
    if (signal.aborted) return Promise.reject(signal.reason);
    let text = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`;
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host'))
      text += `Host: ${url.host}\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      if (!TOKEN.test(name) || UNSAFE_VALUE.test(value)) {
        return Promise.reject(
          new DownloadError('BAD_HEADER', `invalid request header "${name.slice(0, 40)}"`, {
            retryable: false,
          }),
        );
      }
      text += `${name}: ${value}\r\n`;
    }
    this.#serial++;
    this.#phase = 'head';
    this.#headLen = 0;
    this.#gotBytes = false;
    this.#ended = false;
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
    this.#headDeadline = performance.now() + HEAD_TIMEOUTS * this.#timeoutMs;
    this.#socket.write(`${text}\r\n`, 'latin1');
    this.#resume();
    return new Promise((resolve, reject) => {
      this.#head$ = { resolve, reject };
    });
  }

  destroy(error?: unknown): void {
    // Closing an idle connection rejects nothing: no error (and stack trace) to build.
    if (this.#phase === 'dead') return;
    this.#fail(error ?? (this.#phase === 'idle' ? null : closed('the connection was closed')));
  }

  // The socket asks where to put the next bytes right after each read, also after the read that
  // made the sink ask us to wait. If the sink would need a new buffer for that (its disk is
  // behind), the next read goes to scratch: a connection holds no third batch buffer while it
  // waits. Waits with room left (a rate limit) read on into the sink, in reads as large as before.
  #nextBuffer(): Buffer {
    this.#readIntoSink = false;
    if (this.#phase === 'head') {
      this.#readInto = this.#head.subarray(this.#headLen);
    } else if (
      this.#phase === 'body' &&
      this.#sink &&
      !this.#backlog &&
      (!this.#pausedByUs || (this.#sink.hasRoom?.() ?? true))
    ) {
      let space = this.#sink.space();
      if (this.#framing.kind === 'length' && space.length > this.#remaining) {
        space = space.subarray(0, this.#remaining);
      }
      this.#readInto = space;
      this.#readIntoSink = true;
    } else {
      this.#readInto = this.#head;
    }
    return this.#readInto;
  }

  #onRead(n: number): boolean {
    this.#lastActivity = performance.now();
    this.#gotBytes = true;
    try {
      switch (this.#phase) {
        case 'head':
          this.#headLen += n;
          return this.#parseHead();
        case 'wait':
          // TLS hands over what it has already decrypted even after a read asked it to stop:
          // kept for the sink, which is not there yet.
          this.#keepAside(n);
          return false;
        case 'body':
          if (this.#readIntoSink) return this.#take(this.#readInto, n);
          this.#keepAside(n);
          // Waiting for the sink (a late TLS read): the wait's end feeds what was kept.
          return this.#pausedByUs ? false : this.#feed();
        default:
          // Nobody asked: a server talking out of turn cannot be trusted with another request.
          this.#fail(badResponse('data outside a response'));
          return false;
      }
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  /**
   * Adds the `n` bytes just read into scratch to the backlog. Copied: scratch is where the next
   * read lands, and a backlog pointing into it would be overwritten by a late read before the
   * sink took it (bytes lost, and the rest written where they did not belong).
   */
  #keepAside(n: number): void {
    const read = this.#readInto.subarray(0, n);
    this.#backlog = this.#backlog ? Buffer.concat([this.#backlog, read]) : Buffer.from(read);
  }

  #parseHead(): boolean {
    const head = parseHead(this.#head, this.#headLen);
    if (!head) {
      if (this.#headLen === this.#head.length) {
        const bigger = Buffer.allocUnsafe(Math.min(MAX_HEAD_BYTES, this.#head.length * 4));
        this.#head.copy(bigger);
        this.#head = bigger;
      }
      return true;
    }
    if (head.status < 200) {
      // Interim responses (100, 103) precede the real one on the same connection.
      this.#head.copyWithin(0, head.length, this.#headLen);
      this.#headLen -= head.length;
      return this.#parseHead();
    }
    this.#framing = framingOf(head);
    this.#keepAlive = head.keepAlive && this.#framing.kind !== 'close';
    this.#remaining = this.#framing.kind === 'length' ? this.#framing.length : 0;
    this.#decoder = this.#framing.kind === 'chunked' ? new ChunkedDecoder() : null;
    // The head buffer is reused as scratch: bytes of the body that came along are kept aside.
    this.#backlog =
      this.#headLen > head.length
        ? Buffer.from(this.#head.subarray(head.length, this.#headLen))
        : null;
    this.#headLen = 0;
    this.#responses++;
    this.#phase = 'wait';
    const serial = this.#serial;
    const head$ = this.#head$;
    this.#head$ = null;
    head$?.resolve({ status: head.status, headers: head.headers, body: this.#bodyOf(serial) });
    if (this.#framing.kind === 'none') {
      this.#endBody();
      return true;
    }
    this.#pausedByUs = true;
    return false;
  }

  #bodyOf(serial: number): HttpBody {
    return {
      pipe: (sink) => this.#pipe(serial, sink),
      dump: async (limit) => {
        let total = 0;
        const scratch = Buffer.allocUnsafe(16 * 1024);
        const ended = await this.#pipe(serial, {
          space: () => scratch,
          took: (n) => ((total += n) > limit ? false : undefined),
        });
        if (!ended) this.destroy();
      },
      destroy: () => {
        if (serial === this.#serial && !this.#ended) this.destroy();
      },
    };
  }

  #pipe(serial: number, sink: BodySink): Promise<boolean> {
    if (serial !== this.#serial || this.#ended) return Promise.resolve(true);
    if (this.#phase !== 'wait') return Promise.reject(this.#error ?? closed('the body is gone'));
    this.#sink = sink;
    this.#phase = 'body';
    return new Promise((resolve, reject) => {
      this.#pipe$ = { resolve, reject };
      try {
        if (this.#feed()) this.#resume();
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  /**
   * Moves backlog bytes into the sink; true when the socket may read on. Runs either inside a
   * read callback or while the socket is paused on scratch, so the sink's spaces stay consistent.
   */
  #feed(): boolean {
    while (this.#backlog && this.#phase === 'body') {
      const sink = this.#sink!;
      let space = sink.space();
      let k = Math.min(space.length, this.#backlog.length);
      if (this.#framing.kind === 'length') k = Math.min(k, this.#remaining);
      this.#backlog.copy(space, 0, 0, k);
      const rest = this.#backlog.subarray(k);
      // Anything beyond the announced length is not ours: drop it, and the connection with it.
      this.#backlog =
        rest.length > 0 && !(this.#framing.kind === 'length' && this.#remaining === k)
          ? rest
          : null;
      if (rest.length > 0 && !this.#backlog) this.#keepAlive = false;
      space = space.subarray(0, k);
      const next = this.#take(space, k, true);
      if (!next) return false;
    }
    if (this.#phase === 'body' && !this.#backlog && this.#closeAfterBacklog) {
      this.#endBody();
      return true;
    }
    return this.#phase === 'body' || this.#phase === 'idle';
  }

  /** Hands `n` raw bytes at the start of `region` to the sink; true when reading may go on. */
  #take(region: Buffer, n: number, fromBacklog = false): boolean {
    let data = n;
    if (this.#decoder) {
      data = this.#decoder.decode(region, 0, n);
      if (this.#decoder.overrun) this.#keepAlive = false;
    } else if (this.#framing.kind === 'length') {
      this.#remaining -= n;
    }
    const result = data > 0 ? this.#sink!.took(data) : undefined;
    const ended =
      this.#framing.kind === 'length' ? this.#remaining === 0 : (this.#decoder?.done ?? false);
    if (ended) {
      this.#endBody();
      return true;
    }
    if (result === false) {
      this.#stop();
      return false;
    }
    if (result) {
      this.#pausedByUs = true;
      result.then(
        () => this.#continue(fromBacklog),
        (error: unknown) => this.#fail(error),
      );
      return false;
    }
    return true;
  }

  #continue(fromBacklog: boolean): void {
    if (this.#phase !== 'body') return;
    try {
      if (fromBacklog || this.#backlog) {
        if (!this.#feed()) return;
      }
      this.#resume();
    } catch (error) {
      this.#fail(error);
    }
  }

  #resume(): void {
    if (this.#phase === 'dead') return;
    this.#pausedByUs = false;
    this.#lastActivity = performance.now();
    this.#armTimer();
    this.#socket.resume();
  }

  #endBody(): void {
    this.#ended = true;
    this.#sink = null;
    this.#backlog = null;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = null;
    // An armed read timeout would keep the process alive for nothing, idle or closed.
    this.#clearTimer();
    const pipe$ = this.#pipe$;
    this.#pipe$ = null;
    if (this.#keepAlive) {
      this.#phase = 'idle';
      // Keep reading while idle: a server closing the connection is noticed at once.
      this.#pausedByUs = false;
      this.#socket.resume();
    } else {
      this.#phase = 'dead';
      this.#socket.destroy();
    }
    pipe$?.resolve(true);
  }

  /** The sink wants no more: the rest of the body is not read, so the connection goes. */
  #stop(): void {
    const pipe$ = this.#pipe$;
    this.#pipe$ = null;
    this.#ended = true;
    this.#fail(closed('stopped reading'));
    pipe$?.resolve(false);
  }

  #onEnd(): void {
    if (this.#phase === 'body' && this.#framing.kind === 'close') {
      this.#endBody();
      return;
    }
    if (this.#phase === 'wait' && this.#framing.kind === 'close') {
      // The whole body came with the head; the sink still has to take the backlog.
      this.#keepAlive = false;
      this.#closeAfterBacklog = true;
      return;
    }
    this.#fail(
      this.#phase === 'body' || this.#phase === 'wait'
        ? closed('the server ended the response early')
        : this.#staleOr(closed('the connection was closed')),
    );
  }

  /** A reused connection that dies before answering was closed by the server while idle. */
  #staleOr(error: DownloadError): DownloadError {
    if (this.#phase === 'head' && this.#responses > 0 && !this.#gotBytes) {
      return new DownloadError('STALE_CONNECTION', 'the server closed an idle connection', {
        retryable: true,
      });
    }
    return error;
  }

  #fail(error: unknown): void {
    if (this.#phase === 'dead') return;
    const wasIdle = this.#phase === 'idle';
    const reason = error instanceof DownloadError ? this.#staleOr(error) : error;
    if (
      !(error instanceof DownloadError) &&
      this.#phase === 'head' &&
      this.#responses > 0 &&
      !this.#gotBytes
    ) {
      this.#error = new DownloadError('STALE_CONNECTION', 'the server closed an idle connection', {
        retryable: true,
        cause: error,
      });
    } else {
      this.#error = reason;
    }
    this.#phase = 'dead';
    this.#sink = null;
    this.#backlog = null;
    this.#clearTimer();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = null;
    this.#socket.destroy();
    const head$ = this.#head$;
    const pipe$ = this.#pipe$;
    this.#head$ = null;
    this.#pipe$ = null;
    head$?.reject(this.#error);
    pipe$?.reject(this.#error);
    if (wasIdle) this.#onIdleClose?.();
  }

  #armTimer(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.#checkTimeout(), this.#timeoutMs);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #checkTimeout(): void {
    this.#timer = null;
    const waiting = this.#phase === 'head' || (this.#phase === 'body' && !this.#pausedByUs);
    if (!waiting) return;
    const now = performance.now();
    let left = this.#timeoutMs - (now - this.#lastActivity);
    if (this.#phase === 'head') {
      const headLeft = this.#headDeadline - now;
      if (headLeft <= 0) {
        const seconds = (HEAD_TIMEOUTS * this.#timeoutMs) / 1000;
        const what = `the server took more than ${seconds} s to send its response headers`;
        this.#fail(new DownloadError('TIMEOUT', what, { retryable: true }));
        return;
      }
      left = Math.min(left, headLeft);
    }
    if (left > 0) {
      this.#timer = setTimeout(() => this.#checkTimeout(), left);
      return;
    }
    const what = !this.#connected
      ? 'timed out connecting to the server'
      : this.#phase === 'head'
        ? 'the server did not answer in time'
        : 'the server stopped sending data';
    this.#fail(new DownloadError('TIMEOUT', what, { retryable: true }));
  }
}

function closed(message: string): DownloadError {
  return new DownloadError('CONNECTION_CLOSED', message, { retryable: true });
}
