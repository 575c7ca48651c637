import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientFrameSchema, type ServerFrame } from '../../shared/ipc/wire.ts';
import type { ApiHub } from '../api/api-hub.ts';
import { FILES_PATH, sendFinishedFile } from './finished-file.ts';
import { checkRequest, tokenCookie, type GuardConfig } from './request-guard.ts';
import { serveStatic } from './static-files.ts';

export const API_PATH = '/api';
/**
 * Bounds a client's memory. The largest valid `tasks.add` (10 000 URLs of 8 KiB) exceeds it: the
 * UI adds in parts (renderer/app/add-in-parts.ts); a bigger frame closes the socket (1009).
 */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** How long a tab has to answer the server's close when it shuts down. */
const CLOSE_GRACE_MS = 500;
/** A client this far behind is dropped; it reconnects and starts from a fresh state. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface WebServerOptions {
  hub: ApiHub;
  host: string;
  port: number;
  token: string;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** Host names besides IP literals and localhost that may appear in the Host header. */
  allowedHosts?: readonly string[];
  /** Serve Prometheus metrics at /metrics; `open` drops the token requirement for it only. */
  metrics?: { text(): Promise<string>; contentType: string; open: boolean };
}

export interface WebServer {
  /** Where it listens, e.g. http://127.0.0.1:5173 */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the renderer and the API (one WebSocket per browser tab) to browsers. Every request needs
 * the token — from the printed URL once, then from an HttpOnly cookie — plus an expected Host and
 * no foreign Origin.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const guard: GuardConfig = {
    token: options.token,
    port: 0,
    allowedHosts: options.allowedHosts ?? [],
  };
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const server = createServer((req, res) => {
    handleHttp(req, res, guard, options).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Synchronous, outside any promise: whatever a hostile request makes throw here must not
    // take the server down.
    try {
      upgrade(req, socket, head);
    } catch {
      socket.destroy();
    }
  });
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = requestUrl(req);
    const verdict = checkRequest(req, url, guard);
    if (!verdict.ok || url.pathname !== API_PATH) {
      const status = verdict.ok ? 404 : verdict.status;
      socket.end(
        `HTTP/1.1 ${status} ${verdict.ok ? 'Not Found' : verdict.reason}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => attachClient(ws, options.hub));
  };
  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  guard.port = port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    origin: `http://${shownHost}:${port}`,
    port,
    close: async () => {
      // 1001 "going away" tells a tab the server stopped (it waits and reconnects), rather than
      // a broken connection; one that does not answer the close within a moment is cut.
      const closing = [...sockets.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            const cut = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
            ws.once('close', () => {
              clearTimeout(cut);
              resolve();
            });
            ws.close(1001, 'Braid is shutting down');
          }),
      );
      await Promise.all(closing);
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  guard: GuardConfig,
  options: WebServerOptions,
): Promise<void> {
  const url = requestUrl(req);
  const metrics = url.pathname === '/metrics' ? options.metrics : undefined;
  const verdict = checkRequest(req, url, guard, { tokenOptional: metrics?.open === true });
  if (!verdict.ok) {
    const hint =
      verdict.status === 401
        ? 'Open the URL that `braid serve` printed; it carries the access token.'
        : '';
    res.writeHead(verdict.status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Refused: ${verdict.reason}. ${hint}\n`);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (url.searchParams.has('token')) {
    // Trade the token in the address bar for an HttpOnly cookie and drop it from history.
    url.searchParams.delete('token');
    res.writeHead(303, {
      'set-cookie': `${tokenCookie(guard.port)}=${encodeURIComponent(guard.token)}; HttpOnly; SameSite=Strict; Path=/`,
      location: url.pathname + url.search,
      'cache-control': 'no-store',
    });
    res.end();
    return;
  }
  if (url.pathname.startsWith(FILES_PATH)) {
    // Task ids are plain ASCII: no decoding, so a malformed escape is just an unknown id.
    const id = url.pathname.slice(FILES_PATH.length);
    await sendFinishedFile(options.hub.engine, id, req.method === 'HEAD', res);
    return;
  }
  if (metrics) {
    const body = await metrics.text();
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  await serveStatic(options.staticDir, url.pathname, res);
}

function attachClient(ws: WebSocket, hub: ApiHub): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(frame));
  };
  const connection = hub.connect((events) => send({ kind: 'events', events }));
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, 'text frames only');
      return;
    }
    let frame;
    try {
      frame = ClientFrameSchema.parse(JSON.parse(String(data)));
    } catch {
      ws.close(1007, 'malformed frame');
      return;
    }
    connection.dispatch(frame.command, frame.input).then((result) => {
      send({ kind: 'result', id: frame.id, result });
    });
  });
  ws.on('close', () => connection.close());
  ws.on('error', () => ws.terminate());
}

function requestUrl(req: IncomingMessage): URL {
  // The Host header is checked separately; a fixed base keeps URL parsing independent of it.
  return new URL(req.url ?? '/', 'http://braid.invalid');
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on ${host} is in use: choose another with --port (0 takes any free one)`,
            )
          : error,
      );
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
