import type { IncomingHttpHeaders } from 'node:http';
import { DownloadError } from './errors.ts';
import { recoverUtf8 } from './header-utf8.ts';
import type { HttpBody, HttpTransport } from './http-body.ts';
import { httpError } from './retry-policy.ts';

export const USER_AGENT = 'Braid/0.1';
export const MAX_REDIRECTS = 10;
/** Credentials a server on another origin must never see after a redirect. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export interface ByteRange {
  start: number;
  /** Exclusive; null asks for everything from start. */
  end: number | null;
}

export interface RangeRequest {
  url: string;
  range: ByteRange | null;
  /** If-Range validator: the server must answer 200 (whole new file) when it no longer matches. */
  ifRange: string | null;
  headers: Readonly<Record<string, string>>;
  /**
   * The origin the headers' credentials were given for: the download's own link's. Any other
   * (a redirect target, a mirror, the target of an earlier redirect asked again) never sees them.
   */
  credentialsOrigin: string;
  transport: HttpTransport;
  signal: AbortSignal;
}

export interface ContentRange {
  start: number;
  /** Exclusive. */
  end: number;
  total: number | null;
}

export interface RangeResponse {
  status: 200 | 206 | 416;
  /** Where the bytes came from after redirects. */
  url: string;
  headers: IncomingHttpHeaders;
  body: HttpBody;
  contentRange: ContentRange | null;
  /** For 416: the complete length the server reported, if any. */
  unsatisfiedTotal: number | null;
  contentLength: number | null;
  etag: string | null;
  lastModified: string | null;
}

/**
 * One GET with an optional Range, redirects followed by hand (only to http/https, at most 10) so
 * the caller learns the final URL and error bodies are drained instead of reaching the file.
 */
export async function openRange(req: RangeRequest): Promise<RangeResponse> {
  let url = new URL(req.url);
  const originalOrigin = url.origin;
  const { username, password } = url;
  const userinfo = basicAuth(url);
  // The final URL keeps the credentials while it stays on their origin: later ranges need them.
  const finalUrl = () => {
    if (!userinfo || url.origin !== originalOrigin) return url.href;
    const withAuth = new URL(url);
    withAuth.username = username;
    withAuth.password = password;
    return withAuth.href;
  };
  for (let hop = 0; ; hop++) {
    // Names in one case: "User-Agent" went out beside our "user-agent" (servers take the first),
    // and "Cookie" beside "cookie".
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    const given =
      url.origin === req.credentialsOrigin ? req.headers : withoutCredentials(req.headers);
    for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = value;
    headers['accept-encoding'] = 'identity';
    // user:password in the link is HTTP Basic auth for that origin, unless a header says otherwise.
    if (userinfo && url.origin === originalOrigin && !hasHeader(headers, 'authorization')) {
      headers['authorization'] = userinfo;
    }
    if (req.range) {
      headers['range'] =
        `bytes=${req.range.start}-${req.range.end === null ? '' : req.range.end - 1}`;
      if (req.ifRange) headers['if-range'] = req.ifRange;
    }
    const res = await req.transport.get(url, headers, req.signal);
    const status = res.status;
    if (status >= 300 && status < 400 && status !== 304) {
      const location = header(res.headers, 'location');
      await discard(res.body);
      if (!location) throw httpError(status, res.headers, url.href);
      if (hop >= MAX_REDIRECTS) {
        throw new DownloadError('TOO_MANY_REDIRECTS', `more than ${MAX_REDIRECTS} redirects`, {
          retryable: false,
        });
      }
      url = resolveRedirect(url, location);
      continue;
    }
    if (status === 200 || status === 206 || status === 416) {
      const contentRange = parseContentRange(header(res.headers, 'content-range'));
      if (status === 416) await discard(res.body);
      return {
        status,
        url: finalUrl(),
        headers: res.headers,
        body: res.body,
        contentRange: contentRange && 'start' in contentRange ? contentRange : null,
        unsatisfiedTotal: contentRange && !('start' in contentRange) ? contentRange.total : null,
        contentLength: parseLength(header(res.headers, 'content-length')),
        etag: header(res.headers, 'etag'),
        lastModified: header(res.headers, 'last-modified'),
      };
    }
    await discard(res.body);
    throw httpError(status, res.headers, url.href);
  }
}

function resolveRedirect(from: URL, location: string): URL {
  let next: URL;
  try {
    // Raw UTF-8 in a Location (common, though not allowed) means UTF-8, not Latin-1 letters.
    next = new URL(recoverUtf8(location), from);
  } catch {
    throw new DownloadError('BAD_REDIRECT', 'the server redirected to an invalid URL', {
      retryable: false,
    });
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new DownloadError(
      'BAD_REDIRECT',
      `refusing a redirect to the non-HTTP scheme "${next.protocol}"`,
      { retryable: false },
    );
  }
  return next;
}

/** The Basic credentials of a URL's user:password, removed from the URL itself. */
function basicAuth(url: URL): string | null {
  if (!url.username && !url.password) return null;
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** The headers without the credentials bound to the origin they were given for. */
export function withoutCredentials(
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!ORIGIN_BOUND_HEADERS.includes(name.toLowerCase())) out[name] = value;
  }
  return out;
}

/** Error and redirect bodies are read and dropped (bounded), never written anywhere. */
async function discard(body: HttpBody): Promise<void> {
  try {
    await body.dump(64 * 1024);
  } catch {
    // The connection is being torn down anyway.
  }
}

export function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function parseLength(value: string | null): number | null {
  if (value === null || !/^\d{1,16}$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : null;
}

/** RFC 9110 §14.4: `bytes first-last/complete`, or `bytes *\/complete` on 416. */
export function parseContentRange(
  value: string | null,
): ContentRange | { total: number | null } | null {
  if (!value) return null;
  const satisfied = /^\s*bytes\s+(\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)\s*$/i.exec(value);
  if (satisfied) {
    const start = Number(satisfied[1]);
    const last = Number(satisfied[2]);
    const total = satisfied[3] === '*' ? null : Number(satisfied[3]);
    // Past 2^53 a number is no longer exact: 2^53 + 1 read as 2^53, a size that cannot be right.
    if (![start, last + 1, total ?? 0].every(Number.isSafeInteger)) return null;
    if (last < start || (total !== null && last >= total)) return null;
    return { start, end: last + 1, total };
  }
  const unsatisfied = /^\s*bytes\s+\*\/(\d{1,16})\s*$/i.exec(value);
  const total = unsatisfied ? Number(unsatisfied[1]) : NaN;
  return Number.isSafeInteger(total) ? { total } : null;
}

/**
 * The validator for If-Range: a strong ETag, else Last-Modified. Weak ETags may not be used for
 * ranges (RFC 9110 §13.1.5); with neither, a changed file can only be noticed by its length.
 */
export function ifRangeValidator(etag: string | null, lastModified: string | null): string | null {
  if (etag && !etag.startsWith('W/')) return etag;
  return lastModified;
}
