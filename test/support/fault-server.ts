/**
 * A static HTTP/1.1 server on 127.0.0.1 that misbehaves on request, deterministically: slow or
 * uneven connections, stalls, resets, ignored or wrong ranges, missing lengths, error bursts,
 * connection caps and expiring signed redirects. Every engine test talks to it over real sockets.
 */
import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import { open, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FileSpec {
  /** Content: an in-memory buffer, or a file on disk (for big benchmark files). */
  body: Buffer | { path: string };
  /**
   * Default: a strong ETag of the first 16 hex digits of the content's SHA-1 for buffers, of size
   * and mtime for files on disk; null sends none.
   */
  etag?: string | null;
  /** Default: a fixed HTTP-date; null sends none. */
  lastModified?: string | null;
  /** Sent verbatim when set. */
  contentDisposition?: string;
  /** Default application/octet-stream. */
  contentType?: string;
  /**
   * A new version uploaded between two requests: the first `after` requests for the path get
   * `body`, later ones this one (with its own default ETag). For an in-memory `body` only.
   */
  replacedBy?: { after: number; body: Buffer };
  faults?: Faults;
}

export interface Faults {
  /**
   * 'ignore': 200 with the whole body to Range requests, no Accept-Ranges. 'wrong-start': a 206
   * whose Content-Range and body start 1 KiB after the asked start (at most at the asked end).
   * 'overlong': a 206 with the right Content-Range whose body runs on to the end of the file, with
   * no Content-Length, and the connection closed after it.
   */
  range?: 'normal' | 'ignore' | 'wrong-start' | 'overlong';
  /** No Content-Length: chunked transfer encoding (200 and 206). */
  chunked?: boolean;
  /**
   * Bytes per second per TCP connection; 0 or undefined is unthrottled. A function gets the
   * 0-based index of the connection (per server, in accept order) and is called once per
   * connection: the connection keeps that rate for its whole life.
   */
  connectionRate?: number | ((connectionIndex: number) => number);
  /**
   * After `afterBytes` body bytes of a response, send nothing more but keep the socket open. Cuts
   * the first `times` responses (default: all) whose body is longer than `afterBytes`.
   */
  stall?: { afterBytes: number; times?: number };
  /** After `afterBytes` body bytes have reached the socket, destroy it. `times` as for stall. */
  reset?: { afterBytes: number; times?: number };
  /** The first requests for the path get these statuses, in order, with a small HTML page. */
  statusSequence?: Array<{ status: number; retryAfter?: string }>;
  /**
   * A request on a client's connection that is not among its first this-many open connections (in
   * accept order) gets 503 with Retry-After: 1, and the connection is closed.
   */
  maxConnectionsPerClient?: number;
  /** Every Content-Range (416 included) claims this complete length instead of the real one. */
  reportedTotal?: number;
  /** Ranges are sent whatever If-Range says, as by servers that implement Range but not If-Range. */
  ignoreIfRange?: boolean;
}

export interface RequestRecord {
  method: string;
  /** Pathname, without the query. */
  path: string;
  range: string | null;
  ifRange: string | null;
  /** 0 when the client went away before the response head was sent. */
  status: number;
  bodyBytes: number;
  /** Index of the TCP connection, as given to `connectionRate`. */
  connection: number;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  headers: Record<string, string | string[] | undefined>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface FileRoute {
  kind: 'file';
  spec: FileSpec;
  /** The content as it is now: null when a file on disk is missing. */
  load(): Promise<Representation | null>;
  statusesSent: number;
  stalls: number;
  resets: number;
}

type Route =
  | FileRoute
  | { kind: 'redirect'; location: string; status: number }
  | { kind: 'signed'; filePath: string; ttlMs: number }
  | { kind: 'handler'; handler: Handler };

interface Representation {
  size: number;
  etag: string;
  chunks(start: number, end: number): AsyncGenerator<Buffer>;
}

interface Connection {
  index: number;
  client: string;
  /** Rates chosen by `connectionRate` functions, so each is asked once per connection. */
  rates: Map<(connectionIndex: number) => number, number>;
  /** When (performance.now() ms) this connection's next paced slice is due; null before the first. */
  nextSendAt: number | null;
}

const KiB = 1024;
/** Largest piece read from disk or written at once when unthrottled. */
const CHUNK = 256 * KiB;
/** A paced connection that fell this far behind (a pause, a keep-alive gap) does not burst to catch up. */
const CATCH_UP_MS = 50;
const FIXED_DATE = 'Tue, 01 Sep 2026 10:00:00 GMT';
const SECRET = 'braid-fault-server';

export class FaultServer {
  readonly origin: string;
  /** Body bytes are counted as they are handed to the socket, partial responses included. */
  readonly stats = {
    bodyBytes: 0,
    requests: [] as RequestRecord[],
    connectionsOpened: 0,
    maxOpenConnections: 0,
    bodyBytesByPath: new Map<string, number>(),
  };
  readonly #server: http.Server | https.Server;
  readonly #routes = new Map<string, Route>();
  readonly #connections = new Map<Socket, Connection>();
  readonly #byClient = new Map<string, Set<Connection>>();
  /** Settle once each open response is over and recorded. */
  readonly #inFlight = new Set<Promise<void>>();
  #nextConnection = 0;

  private constructor(server: http.Server | https.Server, origin: string) {
    this.#server = server;
    this.origin = origin;
  }

  /** `tls`: serves HTTPS with this certificate (test/support/tls holds one for 127.0.0.1). */
  static async start(
    options: { port?: number; tls?: { cert: Buffer; key: Buffer } } = {},
  ): Promise<FaultServer> {
    const server = options.tls ? https.createServer(options.tls) : http.createServer();
    server.keepAliveTimeout = 5000;
    server.listen(options.port ?? 0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const scheme = options.tls ? 'https' : 'http';
    const fault = new FaultServer(server, `${scheme}://127.0.0.1:${port}`);
    // Over TLS, requests come on the TLS socket, not on the TCP one under it.
    server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) =>
      fault.#onConnection(socket),
    );
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) =>
      fault.#onRequest(req, res),
    );
    return fault;
  }

  /** Responses being sent right now. */
  get openResponses(): number {
    return this.#inFlight.size;
  }

  url(path: string): string {
    return this.origin + path;
  }

  /** Re-adding a path replaces the file and restarts its fault counters: a changed file. */
  addFile(path: string, spec: FileSpec): void {
    const { body, replacedBy } = spec;
    let load: FileRoute['load'];
    if (Buffer.isBuffer(body)) {
      const content = inMemory(body);
      const next = replacedBy && inMemory(replacedBy.body);
      let asked = 0;
      load = async () => (next && asked++ >= replacedBy.after ? next : content);
    } else {
      // Looked at on every request, so the ETag follows the file.
      load = () => onDisk(body.path);
    }
    this.#routes.set(path, { kind: 'file', spec, load, statusesSent: 0, stalls: 0, resets: 0 });
  }

  addRedirect(path: string, location: string, status: 301 | 302 | 303 | 307 | 308 = 302): void {
    this.#routes.set(path, { kind: 'redirect', location, status });
  }

  /**
   * `path` redirects (302) to `/signed<filePath>?expires=<ms>&sig=<hmac>`, valid for ttlMs from
   * the redirect; an expired or bad signature answers 403 with an HTML body.
   */
  addSignedRedirect(path: string, filePath: string, ttlMs: number): void {
    this.#routes.set(path, { kind: 'signed', filePath, ttlMs });
  }

  addHandler(path: string, handler: Handler): void {
    this.#routes.set(path, { kind: 'handler', handler });
  }

  resetStats(): void {
    this.stats.bodyBytes = 0;
    this.stats.requests = [];
    this.stats.connectionsOpened = 0;
    this.stats.maxOpenConnections = this.#connections.size;
    this.stats.bodyBytesByPath.clear();
  }

  /** Destroys every connection, stalled ones included, stops listening, and records what was cut. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#connections.keys()) socket.destroy();
    await Promise.all([closed, ...this.#inFlight]);
  }

  #onConnection(socket: Socket): void {
    const client = socket.remoteAddress ?? '';
    const connection: Connection = {
      index: this.#nextConnection++,
      client,
      rates: new Map(),
      nextSendAt: null,
    };
    this.#connections.set(socket, connection);
    let siblings = this.#byClient.get(client);
    if (!siblings) this.#byClient.set(client, (siblings = new Set()));
    siblings.add(connection);
    this.stats.connectionsOpened++;
    this.stats.maxOpenConnections = Math.max(this.stats.maxOpenConnections, this.#connections.size);
    socket.once('close', () => {
      this.#connections.delete(socket);
      siblings.delete(connection);
    });
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    const connection = this.#connections.get(req.socket);
    if (!connection) throw new Error('fault-server: a request on an untracked socket');
    const record: RequestRecord = {
      method: req.method ?? '',
      path: url.pathname,
      range: header(req, 'range'),
      ifRange: header(req, 'if-range'),
      status: 0,
      bodyBytes: 0,
      connection: connection.index,
      startedAt: performance.now(),
      headers: req.headers,
    };
    // Ends pacing timers, drain waits and disk reads when the response is over, however it ended.
    const done = new AbortController();
    const recorded = Promise.withResolvers<void>();
    this.#inFlight.add(recorded.promise);
    res.once('close', () => {
      done.abort();
      record.status = res.headersSent ? res.statusCode : 0;
      this.stats.requests.push(record);
      this.#inFlight.delete(recorded.promise);
      recorded.resolve();
    });
    this.#respond(req, res, url, connection, record, done.signal).catch((error: unknown) => {
      if (done.signal.aborted) return;
      console.error('fault-server:', error);
      req.socket.destroy();
    });
  }

  async #respond(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    connection: Connection,
    record: RequestRecord,
    signal: AbortSignal,
  ): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return errorPage(res, 405, { allow: 'GET, HEAD' });
    const route = this.#routes.get(url.pathname);
    if (!route) {
      if (!url.pathname.startsWith('/signed/')) return errorPage(res, 404);
      return this.#serveSigned(req, res, url, connection, record, signal);
    }
    switch (route.kind) {
      case 'redirect':
        res.writeHead(route.status, { location: route.location, 'content-length': 0 });
        return void res.end();
      case 'signed': {
        const expires = Date.now() + route.ttlMs;
        const query = `expires=${expires}&sig=${sign(route.filePath, expires)}`;
        res.writeHead(302, {
          location: `${this.origin}/signed${route.filePath}?${query}`,
          'content-length': 0,
        });
        return void res.end();
      }
      case 'handler':
        return route.handler(req, res);
      case 'file':
        return this.#serveFile(req, res, route, connection, record, signal);
    }
  }

  async #serveSigned(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    connection: Connection,
    record: RequestRecord,
    signal: AbortSignal,
  ): Promise<void> {
    const filePath = url.pathname.slice('/signed'.length);
    const expires = Number(url.searchParams.get('expires'));
    if (url.searchParams.get('sig') !== sign(filePath, expires) || !(Date.now() < expires))
      return errorPage(res, 403);
    const route = this.#routes.get(filePath);
    if (route?.kind !== 'file') return errorPage(res, 404);
    return this.#serveFile(req, res, route, connection, record, signal);
  }

  async #serveFile(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: FileRoute,
    connection: Connection,
    record: RequestRecord,
    signal: AbortSignal,
  ): Promise<void> {
    const { spec } = route;
    const faults = spec.faults ?? {};
    if (faults.maxConnectionsPerClient !== undefined) {
      let rank = 0;
      for (const sibling of this.#byClient.get(connection.client) ?? [])
        if (sibling.index <= connection.index) rank++;
      if (rank > faults.maxConnectionsPerClient)
        return errorPage(res, 503, { 'retry-after': '1', connection: 'close' });
    }
    const step = faults.statusSequence?.[route.statusesSent];
    if (step) {
      route.statusesSent++;
      const extra = step.retryAfter === undefined ? {} : { 'retry-after': step.retryAfter };
      return errorPage(res, step.status, extra);
    }
    const content = await route.load();
    if (signal.aborted) return;
    if (!content) return errorPage(res, 404);
    const { size } = content;
    const etag = spec.etag === undefined ? content.etag : spec.etag;
    const lastModified = spec.lastModified === undefined ? FIXED_DATE : spec.lastModified;
    const total = faults.reportedTotal ?? size;
    const mode = faults.range ?? 'normal';

    const headers: http.OutgoingHttpHeaders = {
      'content-type': spec.contentType ?? 'application/octet-stream',
    };
    if (etag !== null) headers['etag'] = etag;
    if (lastModified !== null) headers['last-modified'] = lastModified;
    if (spec.contentDisposition !== undefined)
      headers['content-disposition'] = spec.contentDisposition;
    if (mode !== 'ignore') headers['accept-ranges'] = 'bytes';

    let range = mode === 'ignore' ? null : parseRange(record.range, size);
    if (
      range !== null &&
      !faults.ignoreIfRange &&
      !ifRangeHolds(record.ifRange, etag, lastModified)
    ) {
      range = null;
    }
    if (range === 'unsatisfiable')
      return errorPage(res, 416, { ...headers, 'content-range': `bytes */${total}` });

    let status = 200;
    let start = 0;
    let end = size;
    const overlong = range !== null && mode === 'overlong';
    if (range) {
      status = 206;
      ({ start, end } = range);
      if (mode === 'wrong-start') start = Math.min(start + KiB, end - 1);
      headers['content-range'] = `bytes ${start}-${end - 1}/${total}`;
    }
    if (overlong) {
      end = size;
      headers['connection'] = 'close';
      // Neither a length nor chunks: the body ends where the connection does.
      if (!faults.chunked) res.useChunkedEncodingByDefault = false;
    } else if (!faults.chunked) {
      headers['content-length'] = end - start;
    }
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();
    await this.#sendBody(req, res, route, content, connection, record, start, end, signal);
  }

  async #sendBody(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: FileRoute,
    content: Representation,
    connection: Connection,
    record: RequestRecord,
    start: number,
    end: number,
    signal: AbortSignal,
  ): Promise<void> {
    const faults = route.spec.faults ?? {};
    const length = end - start;
    const rate = rateOf(connection, faults.connectionRate);
    const slice = rate > 0 ? Math.min(64 * KiB, Math.max(256, Math.floor(rate / 50))) : CHUNK;
    // Where a stall or reset may cut this body; whether it does is decided on reaching it, so
    // that `times` counts the responses that actually got that far.
    const cutAt = (cut?: { afterBytes: number }) =>
      cut && cut.afterBytes < length ? cut.afterBytes : Infinity;
    const stallAt = cutAt(faults.stall);
    const resetAt = cutAt(faults.reset);
    let sent = 0;
    let lastWrite = Promise.resolve();
    for await (const chunk of content.chunks(start, end)) {
      for (let off = 0; off < chunk.length;) {
        if (signal.aborted) return;
        if (sent === resetAt && route.resets < (faults.reset?.times ?? Infinity)) {
          route.resets++;
          // The client must get exactly `afterBytes` before the connection drops.
          await lastWrite;
          req.socket.destroy();
          return;
        }
        if (sent === stallAt && route.stalls < (faults.stall?.times ?? Infinity)) {
          route.stalls++;
          // The head may not have left yet (a stall at 0); the client must see it, then nothing.
          res.flushHeaders();
          return; // the response stays open until the client or close() ends it
        }
        const nextCut = Math.min(...[stallAt, resetAt].filter((at) => at > sent));
        const piece = chunk.subarray(off, off + Math.min(slice, nextCut - sent));
        if (rate > 0) await pace(connection, piece.length, rate, signal);
        // Called once the piece is in the kernel, or with an error when the socket dies first.
        const written = Promise.withResolvers<void>();
        const ok = res.write(piece, () => written.resolve());
        lastWrite = written.promise;
        off += piece.length;
        sent += piece.length;
        this.#count(record, piece.length);
        if (!ok) await once(res, 'drain', { signal });
      }
    }
    // A file on disk that shrank under us cannot fill the promised length: fail visibly.
    if (sent < length) req.socket.destroy();
    else res.end();
  }

  #count(record: RequestRecord, bytes: number): void {
    record.bodyBytes += bytes;
    this.stats.bodyBytes += bytes;
    const byPath = this.stats.bodyBytesByPath;
    byPath.set(record.path, (byPath.get(record.path) ?? 0) + bytes);
  }
}

function rateOf(connection: Connection, setting: Faults['connectionRate']): number {
  if (typeof setting !== 'function') return setting ?? 0;
  let rate = connection.rates.get(setting);
  if (rate === undefined) {
    rate = setting(connection.index);
    connection.rates.set(setting, rate);
  }
  return rate;
}

/**
 * Waits for the connection's next slot. Slots follow an ideal schedule, so timer lateness does not
 * add up and the rate holds to within a slice; a connection that fell far behind restarts the
 * schedule instead of bursting.
 */
async function pace(
  connection: Connection,
  bytes: number,
  rate: number,
  signal: AbortSignal,
): Promise<void> {
  const now = performance.now();
  if (connection.nextSendAt === null || now - connection.nextSendAt > CATCH_UP_MS)
    connection.nextSendAt = now;
  const wait = connection.nextSendAt - now;
  connection.nextSendAt += (bytes * 1000) / rate;
  if (wait > 0) await sleep(wait, undefined, { signal });
}

function inMemory(body: Buffer): Representation {
  return {
    size: body.length,
    etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`,
    async *chunks(start, end) {
      for (let at = start; at < end; at += CHUNK)
        yield body.subarray(at, Math.min(end, at + CHUNK));
    },
  };
}

/** A file on disk as it is now, or null when it is missing. Read in pieces, never whole. */
async function onDisk(path: string): Promise<Representation | null> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  return {
    size: info.size,
    etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
    async *chunks(start, end) {
      const file = await open(path, 'r');
      try {
        for (let at = start; at < end;) {
          const buffer = Buffer.allocUnsafe(Math.min(CHUNK, end - at));
          const { bytesRead } = await file.read(buffer, 0, buffer.length, at);
          if (bytesRead === 0) return;
          at += bytesRead;
          yield buffer.subarray(0, bytesRead);
        }
      } finally {
        await file.close();
      }
    },
  };
}

function header(req: http.IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/**
 * The single range asked for (end exclusive), 'unsatisfiable', or null when there is none or it
 * is to be ignored (several ranges, other units, malformed): then the whole body is sent.
 */
function parseRange(
  value: string | null,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (value === null) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  const first = match?.[1] ?? '';
  const last = match?.[2] ?? '';
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size : Math.min(Number(last) + 1, size) };
}

/** If-Range holds when absent, or equal to the strong ETag, or to the exact Last-Modified date. */
function ifRangeHolds(
  value: string | null,
  etag: string | null,
  lastModified: string | null,
): boolean {
  if (value === null) return true;
  if (value.startsWith('"') || value.startsWith('W/'))
    return etag !== null && !etag.startsWith('W/') && value === etag;
  return value === lastModified;
}

function errorPage(
  res: http.ServerResponse,
  status: number,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const body = `<html>${status} ${http.STATUS_CODES[status] ?? ''}</html>`;
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/html',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sign(path: string, expires: number): string {
  return createHmac('sha256', SECRET).update(`${path}\n${expires}`).digest('hex');
}
