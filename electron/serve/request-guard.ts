import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The cookie that carries the token, named after the port: cookies are not kept apart by port, and
 * two `braid serve` on one host would otherwise log each other's tabs out.
 */
export function tokenCookie(port: number): string {
  return `braid_token_${port}`;
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time: hashing first makes the comparison independent of where the strings differ. */
export function tokensEqual(provided: string, expected: string): boolean {
  const a = createHash('sha256').update(provided).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * DNS rebinding needs a host *name* that resolves to us; a Host header that is an IP literal or
 * localhost cannot be attacker-controlled that way. Other names must be allowed explicitly. Any
 * port: an SSH tunnel or a reverse proxy may carry the request from another one.
 */
export function hostAllowed(
  hostHeader: string | undefined,
  extraHosts: readonly string[],
): boolean {
  if (!hostHeader) return false;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(hostHeader.trim());
  if (!match) return false;
  const name = (match[1] as string).toLowerCase();
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return isIP(bare) !== 0 || bare === 'localhost' || extraHosts.includes(bare);
}

/**
 * Browsers send Origin on cross-site requests and on every WebSocket: it must be the page's own
 * (the Host it asked), or a name the user allowed (a reverse proxy's public name, when the proxy
 * sends another Host). Never another port of a loopback address: cookies are shared across ports,
 * so any local web page could otherwise use the token's cookie.
 */
export function originAllowed(
  origin: string | undefined,
  hostHeader: string | undefined,
  extraHosts: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (hostHeader && (origin === `http://${hostHeader}` || origin === `https://${hostHeader}`)) {
    return true;
  }
  if (!URL.canParse(origin)) return false;
  const { protocol, hostname } = new URL(origin);
  return (protocol === 'https:' || protocol === 'http:') && extraHosts.includes(hostname);
}

/**
 * The tokens a request offers: `Authorization: Bearer`, else a `?token=` query, else every cookie
 * of that name. Every one, and each one undecodable skipped: another local page can set a cookie
 * of that name for a narrower path (cookies are shared across ports), which the browser sends
 * first; it must neither hide the real one nor crash the server.
 */
export function tokensFrom(req: IncomingMessage, url: URL, cookie: string): string[] {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return [auth.slice(7).trim()];
  const query = url.searchParams.get('token');
  if (query !== null) return [query];
  return cookieValues(req.headers.cookie, cookie);
}

function cookieValues(header: string | undefined, name: string): string[] {
  const values: string[] = [];
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      values.push(decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed escape: not a token we issued.
    }
  }
  return values;
}

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403 | 421; reason: string };

export interface GuardConfig {
  token: string;
  port: number;
  allowedHosts: readonly string[];
}

/** Every HTTP request and WebSocket upgrade passes here first. */
export function checkRequest(
  req: IncomingMessage,
  url: URL,
  config: GuardConfig,
  options: { tokenOptional?: boolean } = {},
): GuardVerdict {
  const host = req.headers.host;
  if (!hostAllowed(host, config.allowedHosts)) {
    return {
      ok: false,
      status: 421,
      reason: 'unexpected Host header (serve it under another name with --allow-host <name>)',
    };
  }
  if (!originAllowed(header(req.headers.origin), host, config.allowedHosts)) {
    return { ok: false, status: 403, reason: 'foreign Origin' };
  }
  if (options.tokenOptional) return { ok: true };
  const offered = tokensFrom(req, url, tokenCookie(config.port));
  if (!offered.some((token) => tokensEqual(token, config.token))) {
    return { ok: false, status: 401, reason: 'missing or wrong token' };
  }
  return { ok: true };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
