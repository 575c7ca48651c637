/**
 * A static HTTP/1.1 server on 127.0.0.1 that misbehaves on request, deterministically: slow or
 * uneven connections, stalls, resets, ignored or wrong ranges, missing lengths, error bursts,
 * connection caps and expiring signed redirects. Every engine test talks to it over real sockets.
 */
import { createHash, createHmac } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import http from 'node:http';
import type { Socket } from 'node:net';

export interface Faults {
  /**
   * 'ignore': 200 with the whole body to Range requests. 'wrong-start': a 206 whose range starts
   * 1 KiB after the asked start. 'overlong': a correct 206 header whose body runs on to the end.
   */
  range?: 'normal' | 'ignore' | 'wrong-start' | 'overlong';
  /** No Content-Length: chunked transfer encoding. */
  chunked?: boolean;
  /** Bytes per second per TCP connection; a function gets the connection's 0-based index. */
  connectionRate?: number | ((connectionIndex: number) => number);
  /** After this many body bytes, stop sending but keep the socket open (first `times` responses). */
  stall?: { afterBytes: number; times?: number };
  /** After this many body bytes, destroy the socket (first `times` responses). */
  reset?: { afterBytes: number; times?: number };
  /** The first requests get these statuses, in order, with a small HTML error page. */
  statusSequence?: Array<{ status: number; retryAfter?: string }>;
  /** More concurrent connections than this from one client get 503 + Retry-After: 1. */
  maxConnectionsPerClient?: number;
  /** Content-Range claims this complete length instead of the real one. */
  reportedTotal?: number;
}

export interface FileSpec {
  body: Buffer | { path: string };
  /** Default: a strong ETag derived from the content; null sends none. */
  etag?: string | null;
  /** Default: a fixed date; null sends none. */
  lastModified?: string | null;
  contentDisposition?: string;
  contentType?: string;
  faults?: Faults;
}

export interface RequestRecord {
  method: string;
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  bodyBytes: number;
  connection: number;
  startedAt: number;
  headers: http.IncomingHttpHeaders;
}

interface Served {
  spec: FileSpec;
  size: number;
  etag: string | null;
  lastModified: string | null;
  read(start: number, end: number): AsyncIterable<Buffer>;
  sequenceUsed: number;
  stallsUsed: number;
  resetsUsed: number;
}

type Route =
  | { kind: 'file'; served: Served }
  | { kind: 'redirect'; location: string; status: number }
  | { kind: 'signed'; filePath: string; ttlMs: number }
  | { kind: 'handler'; handler: (req: http.IncomingMessage, res: http.ServerResponse) => void };

interface ConnectionInfo {
  index: number;
  rate: number | null;
  /** Time (ms) before which this connection may not send more, for pacing. */
  nextSendAt: number;
}

const SLICE = 16 * 1024;
const FIXED_DATE = 'Tue, 01 Sep 2026 10:00:00 GMT';
const SECRET = 'braid-test-secret';

export class FaultServer {
  readonly origin: string;
  readonly stats = {
    bodyBytes: 0,
    requests: [] as RequestRecord[],
    connectionsOpened: 0,
    maxOpenConnections: 0,
    bodyBytesByPath: new Map<string, number>(),
  };
  readonly #server: http.Server;
  readonly #routes = new Map<string, Route>();
  readonly #sockets = new Map<Socket, ConnectionInfo>();
  readonly #perClient = new Map<string, number>();
  #connectionIndex = 0;
  #openResponses = new Set<http.ServerResponse>();

  private constructor(server: http.Server, origin: string) {
    this.#server = server;
    this.origin = origin;
  }

  static async start(options: { port?: number } = {}): Promise<FaultServer> {
    const server = http.createServer();
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const fault = new FaultServer(server, `http://127.0.0.1:${port}`);
    server.on('connection', (socket) => fault.#onConnection(socket));
    server.on('request', (req, res) => fault.#onRequest(req, res));
    return fault;
  }

  url(path: string): string {
    return this.origin + path;
  }

  addFile(path: string, spec: FileSpec): void {
    const body = spec.body;
    let size: number;
    let read: Served['read'];
    let defaultEtag: string;
    if (Buffer.isBuffer(body)) {
      size = body.length;
      defaultEtag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
      read = async function* (start, end) {
        for (let at = start; at < end; at += SLICE)
          yield body.subarray(at, Math.min(end, at + SLICE));
      };
    } else {
      size = -1;
      defaultEtag = '';
      const file = body.path;
      read = async function* (start, end) {
        const handle = await open(file, 'r');
        try {
          for (let at = start; at < end;) {
            const buf = Buffer.allocUnsafe(Math.min(256 * 1024, end - at));
            const { bytesRead } = await handle.read(buf, 0, buf.length, at);
            if (bytesRead === 0) return;
            at += bytesRead;
            yield buf.subarray(0, bytesRead);
          }
        } finally {
          await handle.close();
        }
      };
    }
    const served: Served = {
      spec,
      size,
      etag: spec.etag === undefined ? defaultEtag : spec.etag,
      lastModified: spec.lastModified === undefined ? FIXED_DATE : spec.lastModified,
      read,
      sequenceUsed: 0,
      stallsUsed: 0,
      resetsUsed: 0,
    };
    if (!Buffer.isBuffer(body)) {
      // Size and ETag of a file on disk are filled in before the first request is served.
      void stat(body.path).then((s) => {
        served.size = s.size;
        if (spec.etag === undefined)
          served.etag = `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`;
      });
    }
    this.#routes.set(path, { kind: 'file', served });
  }

  addRedirect(path: string, location: string, status: 301 | 302 | 303 | 307 | 308 = 302): void {
    this.#routes.set(path, { kind: 'redirect', location, status });
  }

  /** `path` → 302 to `/signed<filePath>?expires=…&sig=…`, valid for ttlMs; expired → 403. */
  addSignedRedirect(path: string, filePath: string, ttlMs: number): void {
    this.#routes.set(path, { kind: 'signed', filePath, ttlMs });
  }

  addHandler(
    path: string,
    handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  ): void {
    this.#routes.set(path, { kind: 'handler', handler });
  }

  resetStats(): void {
    this.stats.bodyBytes = 0;
    this.stats.requests = [];
    this.stats.connectionsOpened = 0;
    this.stats.maxOpenConnections = this.#sockets.size;
    this.stats.bodyBytesByPath.clear();
  }

  async close(): Promise<void> {
    for (const res of this.#openResponses) res.destroy();
    for (const socket of this.#sockets.keys()) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onConnection(socket: Socket): void {
    const info: ConnectionInfo = { index: this.#connectionIndex++, rate: null, nextSendAt: 0 };
    this.#sockets.set(socket, info);
    this.stats.connectionsOpened++;
    this.stats.maxOpenConnections = Math.max(this.stats.maxOpenConnections, this.#sockets.size);
    const client = socket.remoteAddress ?? '?';
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#perClient.set(client, (this.#perClient.get(client) ?? 1) - 1);
    });
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      range: header(req, 'range'),
      ifRange: header(req, 'if-range'),
      status: 0,
      bodyBytes: 0,
      connection: this.#sockets.get(req.socket)?.index ?? -1,
      startedAt: performance.now(),
      headers: req.headers,
    };
    this.#openResponses.add(res);
    res.once('close', () => {
      this.#openResponses.delete(res);
      record.status = res.statusCode;
      this.stats.requests.push(record);
    });
    void this.#route(req, res, url, record).catch(() => res.destroy());
  }

  async #route(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    record: RequestRecord,
  ): Promise<void> {
    if (url.pathname.startsWith('/signed/')) return this.#serveSigned(req, res, url, record);
    const route = this.#routes.get(url.pathname);
    if (!route) return errorPage(res, 404);
    switch (route.kind) {
      case 'redirect':
        res.writeHead(route.status, { location: route.location, 'content-length': 0 });
        return void res.end();
      case 'signed': {
        const expires = Date.now() + route.ttlMs;
        const sig = sign(route.filePath, expires);
        res.writeHead(302, {
          location: `/signed${route.filePath}?expires=${expires}&sig=${sig}`,
          'content-length': 0,
        });
        return void res.end();
      }
      case 'handler':
        return route.handler(req, res);
      case 'file':
        return this.#serveFile(req, res, route.served, record);
    }
  }

  async #serveSigned(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    record: RequestRecord,
  ): Promise<void> {
    const filePath = url.pathname.slice('/signed'.length);
    const expires = Number(url.searchParams.get('expires'));
    const valid = url.searchParams.get('sig') === sign(filePath, expires) && Date.now() < expires;
    const route = this.#routes.get(filePath);
    if (!valid || !route || route.kind !== 'file') return errorPage(res, 403);
    return this.#serveFile(req, res, route.served, record);
  }

  async #serveFile(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    served: Served,
    record: RequestRecord,
  ): Promise<void> {
    const faults = served.spec.faults ?? {};
    const socketInfo = this.#sockets.get(req.socket);
    const client = req.socket.remoteAddress ?? '?';
    if (
      faults.maxConnectionsPerClient !== undefined &&
      (this.#perClient.get(client) ?? 0) > faults.maxConnectionsPerClient
    ) {
      res.setHeader('connection', 'close');
      return errorPage(res, 503, '1');
    }
    const step = faults.statusSequence?.[served.sequenceUsed];
    if (step) {
      served.sequenceUsed++;
      return errorPage(res, step.status, step.retryAfter);
    }
    while (served.size < 0) await new Promise((r) => setTimeout(r, 5));
    const size = served.size;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': served.spec.contentType ?? 'application/octet-stream',
    };
    if (served.etag) headers['etag'] = served.etag;
    if (served.lastModified) headers['last-modified'] = served.lastModified;
    if (served.spec.contentDisposition)
      headers['content-disposition'] = served.spec.contentDisposition;
    const rangeMode = faults.range ?? 'normal';
    if (rangeMode !== 'ignore') headers['accept-ranges'] = 'bytes';

    let range = rangeMode === 'ignore' ? null : parseRange(header(req, 'range'), size);
    const ifRange = header(req, 'if-range');
    if (range && ifRange !== null && ifRange !== served.etag && ifRange !== served.lastModified)
      range = null;
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': 0 });
      return void res.end();
    }
    let status = 200;
    let start = 0;
    let end = size;
    let closeAfter = false;
    if (range) {
      status = 206;
      ({ start, end } = range);
      if (rangeMode === 'wrong-start') start = Math.min(end - 1, start + 1024);
      const total = faults.reportedTotal ?? size;
      headers['content-range'] = `bytes ${start}-${end - 1}/${total}`;
      if (rangeMode === 'overlong') {
        end = size;
        closeAfter = true;
      }
    }
    if (faults.chunked || closeAfter) {
      if (closeAfter) headers['connection'] = 'close';
    } else {
      headers['content-length'] = end - start;
    }
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();

    if (socketInfo && socketInfo.rate === null) {
      const rate = faults.connectionRate;
      socketInfo.rate = typeof rate === 'function' ? rate(socketInfo.index) : (rate ?? 0);
    }
    const stallAt =
      faults.stall && served.stallsUsed < (faults.stall.times ?? Infinity)
        ? faults.stall.afterBytes
        : Infinity;
    const resetAt =
      faults.reset && served.resetsUsed < (faults.reset.times ?? Infinity)
        ? faults.reset.afterBytes
        : Infinity;
    let sent = 0;
    for await (const data of served.read(start, end)) {
      for (let off = 0; off < data.length;) {
        if (res.destroyed) return;
        const limit = Math.min(stallAt, resetAt) - sent;
        if (limit <= 0) {
          if (sent >= resetAt) {
            served.resetsUsed++;
            req.socket.destroy();
            return;
          }
          served.stallsUsed++;
          return; // stall: the socket stays open, nothing more is sent
        }
        const rate = socketInfo?.rate ?? 0;
        const sliceMax =
          rate > 0 ? Math.max(1024, Math.min(SLICE, Math.floor(rate / 50))) : data.length;
        const piece = data.subarray(off, off + Math.min(sliceMax, limit, data.length - off));
        if (rate > 0 && socketInfo) {
          const now = performance.now();
          if (socketInfo.nextSendAt > now) await sleep(socketInfo.nextSendAt - now);
          socketInfo.nextSendAt =
            Math.max(socketInfo.nextSendAt, performance.now() - 50) + (piece.length * 1000) / rate;
        }
        if (res.destroyed) return;
        const ok = res.write(piece);
        sent += piece.length;
        off += piece.length;
        record.bodyBytes += piece.length;
        this.stats.bodyBytes += piece.length;
        this.stats.bodyBytesByPath.set(
          record.path,
          (this.stats.bodyBytesByPath.get(record.path) ?? 0) + piece.length,
        );
        if (!ok) await drained(res);
      }
    }
    if (sent >= resetAt) {
      served.resetsUsed++;
      req.socket.destroy();
      return;
    }
    res.end();
    if (closeAfter) res.once('finish', () => req.socket.end());
  }
}

function header(req: http.IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function parseRange(
  value: string | null,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!value) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (last < start) return null;
  return { start, end: last + 1 };
}

function errorPage(res: http.ServerResponse, status: number, retryAfter?: string): void {
  const body = `<html><body><h1>${status} ${http.STATUS_CODES[status] ?? ''}</h1></body></html>`;
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'text/html',
    'content-length': Buffer.byteLength(body),
  };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  res.writeHead(status, headers);
  res.end(body);
}

function sign(path: string, expires: number): string {
  return createHmac('sha256', SECRET).update(`${path}:${expires}`).digest('hex').slice(0, 32);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
