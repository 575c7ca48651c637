import {
  createServer,
  connect,
  isIPv4,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';

/** SOCKS5 reply codes (RFC 1928 §6). */
export const REPLY = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowed: 0x02,
  networkUnreachable: 0x03,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  ttlExpired: 0x06,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
} as const;

const METHOD = { none: 0x00, userPassword: 0x02, noAcceptable: 0xff } as const;
const ATYP = { ipv4: 0x01, domain: 0x03, ipv6: 0x04 } as const;
const CONNECT = 0x01;

/** One CONNECT the proxy was asked for, and what came of it. */
export interface TunnelRecord {
  /** As the client sent it: a name stays a name (resolved here, by the proxy). */
  host: string;
  port: number;
  addressType: 'ipv4' | 'domain' | 'ipv6';
  /** The user name the client authenticated with, if any. */
  user: string | null;
  reply: number;
  /** Bytes relayed from the target to the client. */
  bytesDown: number;
  /** The first bytes the target sent (0x16 opens a TLS handshake, "HTTP/" a plain answer). */
  firstBytes: Buffer;
}

export interface Socks5ProxyOptions {
  /** `user:password` the proxy demands (RFC 1929); without it, no authentication. */
  credentials?: string;
  /**
   * The names this proxy resolves (name → address), as a proxy on another network knows its
   * own: any other name is a failed lookup there. Addresses are connected to as they are.
   */
  hosts?: Record<string, string>;
  /** Answers every CONNECT with this reply code instead of connecting. */
  reply?: number;
}

/**
 * A SOCKS5 proxy for tests (RFC 1928 CONNECT; no authentication or RFC 1929 user name and
 * password; IPv4, IPv6 and domain-name targets, names resolved here from its own table), that
 * records each tunnel it was asked for. Answers refused or unreachable targets with the reply code a real proxy
 * would, and anything it does not speak with the RFC's refusals.
 */
export class Socks5Proxy {
  readonly tunnels: TunnelRecord[] = [];
  /** Greetings that offered no method this proxy accepts, and user names/passwords it refused. */
  refusedMethods = 0;
  refusedLogins = 0;
  readonly #server: Server;
  readonly #options: Socks5ProxyOptions;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server, options: Socks5ProxyOptions) {
    this.#server = server;
    this.#options = options;
  }

  static async start(options: Socks5ProxyOptions = {}): Promise<Socks5Proxy> {
    const server = createServer();
    const proxy = new Socks5Proxy(server, options);
    server.on('connection', (socket) => proxy.#accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `127.0.0.1:port`. */
  get host(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The proxy's URL for the settings, with `credentials` as its user info if given. */
  url(credentials?: string): string {
    return `socks5://${credentials ? `${credentials}@` : ''}${this.host}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#sockets.add(client);
    client.once('close', () => this.#sockets.delete(client));
    client.on('error', () => client.destroy());
    this.#serve(client, new Reader(client)).catch(() => client.destroy());
  }

  async #serve(client: Socket, reader: Reader): Promise<void> {
    const [version, count] = await reader.take(2);
    if (version !== 0x05) return void client.destroy();
    const offered = [...(await reader.take(count!))];
    const wanted = this.#options.credentials ? METHOD.userPassword : METHOD.none;
    if (!offered.includes(wanted)) {
      this.refusedMethods++;
      return void client.end(Buffer.from([0x05, METHOD.noAcceptable]));
    }
    client.write(Buffer.from([0x05, wanted]));
    const user = wanted === METHOD.userPassword ? await this.#login(client, reader) : null;
    if (user === false) return;

    const [, command, , atyp] = await reader.take(4);
    const host = await readAddress(reader, atyp!);
    const port = (await reader.take(2)).readUInt16BE(0);
    if (host === null) return void client.end(reply(REPLY.addressTypeNotSupported));
    const addressType = atyp === ATYP.ipv4 ? 'ipv4' : atyp === ATYP.ipv6 ? 'ipv6' : 'domain';
    const record: TunnelRecord = {
      host,
      port,
      addressType,
      user,
      reply: 0,
      bytesDown: 0,
      firstBytes: Buffer.alloc(0),
    };
    this.tunnels.push(record);
    if (command !== CONNECT)
      return void client.end(reply((record.reply = REPLY.commandNotSupported)));
    if (this.#options.reply !== undefined) {
      return void client.end(reply((record.reply = this.#options.reply)));
    }
    const address = addressType === 'domain' ? this.#options.hosts?.[host] : host;
    if (address === undefined)
      return void client.end(reply((record.reply = REPLY.hostUnreachable)));
    const upstream = connect({ host: address, port });
    this.#sockets.add(upstream);
    upstream.once('close', () => this.#sockets.delete(upstream));
    let connected = false;
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (connected) client.destroy();
      else client.end(reply((record.reply = replyFor(error.code))));
    });
    upstream.once('connect', () => {
      connected = true;
      client.write(reply(REPLY.succeeded, upstream));
      const early = reader.rest();
      if (early.length > 0) upstream.write(early);
      upstream.on('data', (data: Buffer) => {
        if (record.bytesDown === 0) record.firstBytes = data.subarray(0, 8);
        record.bytesDown += data.length;
      });
      upstream.pipe(client);
      client.pipe(upstream);
      client.once('close', () => upstream.destroy());
    });
  }

  /** RFC 1929: the user name when accepted, false when refused (and the connection closed). */
  async #login(client: Socket, reader: Reader): Promise<string | false> {
    const [version, userLength] = await reader.take(2);
    const user = (await reader.take(userLength!)).toString();
    const [passwordLength] = await reader.take(1);
    const password = (await reader.take(passwordLength!)).toString();
    if (version === 0x01 && `${user}:${password}` === this.#options.credentials) {
      client.write(Buffer.from([0x01, 0x00]));
      return user;
    }
    this.refusedLogins++;
    client.end(Buffer.from([0x01, 0x01]));
    return false;
  }
}

/** DST.ADDR as text; null for an address type RFC 1928 does not define. */
async function readAddress(reader: Reader, atyp: number): Promise<string | null> {
  if (atyp === ATYP.ipv4) return [...(await reader.take(4))].join('.');
  if (atyp === ATYP.domain) return (await reader.take((await reader.take(1))[0]!)).toString();
  if (atyp === ATYP.ipv6) {
    const bytes = await reader.take(16);
    return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
  }
  return null;
}

/** A reply with BND.ADDR/BND.PORT: the upstream socket's local end, else 0.0.0.0:0. */
function reply(code: number, upstream?: Socket): Buffer {
  const address = upstream?.localAddress;
  const bound = address && isIPv4(address) ? address.split('.').map(Number) : [0, 0, 0, 0];
  const port = Buffer.alloc(2);
  port.writeUInt16BE(upstream?.localPort ?? 0);
  return Buffer.concat([Buffer.from([0x05, code, 0x00, ATYP.ipv4, ...bound]), port]);
}

/** How a failed connect to the target is told to the client. */
function replyFor(code: string | undefined): number {
  switch (code) {
    case 'ECONNREFUSED':
      return REPLY.connectionRefused;
    case 'ENETUNREACH':
      return REPLY.networkUnreachable;
    case 'EHOSTUNREACH':
      return REPLY.hostUnreachable;
    case 'ETIMEDOUT':
      return REPLY.ttlExpired;
    default:
      return REPLY.generalFailure;
  }
}

/** Exact-length reads from a socket that may deliver a message in any number of pieces. */
class Reader {
  #buffered = Buffer.alloc(0);
  #waiting: { length: number; resolve(b: Buffer): void; reject(e: Error): void } | null = null;
  readonly #detach: () => void;
  readonly #onData = (data: Buffer) => {
    this.#buffered = Buffer.concat([this.#buffered, data]);
    this.#settle();
  };

  constructor(socket: Socket) {
    socket.on('data', this.#onData);
    socket.once('close', () => this.#waiting?.reject(new Error('closed')));
    this.#detach = () => socket.off('data', this.#onData);
  }

  take(length: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#waiting = { length, resolve, reject };
      this.#settle();
    });
  }

  /** Stops reading; what arrived beyond the handshake belongs to the tunnel. */
  rest(): Buffer {
    this.#detach();
    const rest = this.#buffered;
    this.#buffered = Buffer.alloc(0);
    return rest;
  }

  #settle(): void {
    const waiting = this.#waiting;
    if (!waiting || this.#buffered.length < waiting.length) return;
    this.#waiting = null;
    const taken = this.#buffered.subarray(0, waiting.length);
    this.#buffered = this.#buffered.subarray(waiting.length);
    waiting.resolve(taken);
  }
}
