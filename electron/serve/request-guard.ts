import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'braid_token';

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
 * localhost cannot be attacker-controlled that way. Other names must be allowed explicitly, and
 * the port must be ours.
 */
export function hostAllowed(
  hostHeader: string | undefined,
  port: number,
  extraHosts: readonly string[],
): boolean {
  if (!hostHeader) return false;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostHeader.trim());
  if (!match) return false;
  const name = (match[1] as string).toLowerCase();
  const hostPort = match[2] === undefined ? 80 : Number(match[2]);
  if (hostPort !== port) return false;
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return isIP(bare) !== 0 || bare === 'localhost' || extraHosts.includes(bare);
}

/** Browsers send Origin on cross-site requests and on every WebSocket; it must be our own. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!hostHeader) return false;
  return origin === `http://${hostHeader}` || origin === `https://${hostHeader}`;
}

/**
 * The token from `Authorization: Bearer`, a `?token=` query, or the `braid_token` cookie, in that
 * order: the address `braid serve` printed must work in a browser that still holds the cookie of
 * an earlier run (a restart without --token makes a new token).
 */
export function tokenFrom(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token') ?? cookieValue(req.headers.cookie, TOKEN_COOKIE);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name)
      return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
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
  if (!hostAllowed(host, config.port, config.allowedHosts)) {
    return { ok: false, status: 421, reason: 'unexpected Host header' };
  }
  if (!originAllowed(header(req.headers.origin), host)) {
    return { ok: false, status: 403, reason: 'foreign Origin' };
  }
  if (options.tokenOptional) return { ok: true };
  const token = tokenFrom(req, url);
  if (token === null || !tokensEqual(token, config.token)) {
    return { ok: false, status: 401, reason: 'missing or wrong token' };
  }
  return { ok: true };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
