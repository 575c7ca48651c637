import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A forward HTTP proxy for tests: absolute-form requests and CONNECT tunnels, optional Basic
 * auth (407 without it), and a count of what went through it.
 */
export class HttpProxy {
  readonly server: Server;
  readonly credentials: string | null;
  requests = 0;
  tunnels = 0;
  refused = 0;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server, credentials: string | null) {
    this.server = server;
    this.credentials = credentials;
  }

  static async start(credentials: string | null = null): Promise<HttpProxy> {
    const server = createServer();
    const proxy = new HttpProxy(server, credentials);
    server.on('connection', (socket) => {
      proxy.#sockets.add(socket);
      socket.once('close', () => proxy.#sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      if (!proxy.#authorized(req)) {
        proxy.refused++;
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
        return;
      }
      proxy.requests++;
      const target = new URL(req.url ?? '');
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      const upstream = request(target, { method: req.method, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      if (!proxy.#authorized(req)) {
        proxy.refused++;
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
        return;
      }
      proxy.tunnels++;
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #authorized(req: IncomingMessage): boolean {
    if (!this.credentials) return true;
    return (
      req.headers['proxy-authorization'] ===
      `Basic ${Buffer.from(this.credentials).toString('base64')}`
    );
  }
}
