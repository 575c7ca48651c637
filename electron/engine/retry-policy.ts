import { redactUrl } from './engine-log.ts';
import { DownloadError } from './errors.ts';

/** Network failures worth another try, with what to tell the user. */
const RETRYABLE_NETWORK = new Map([
  ['ECONNRESET', 'the server reset the connection'],
  ['ECONNREFUSED', 'the server refused the connection'],
  ['ECONNABORTED', 'the connection was aborted'],
  ['ETIMEDOUT', 'the connection timed out'],
  ['EPIPE', 'the connection broke while sending'],
  ['EAI_AGAIN', 'temporary DNS failure'],
  ['ENETUNREACH', 'the network is unreachable'],
  ['ENETDOWN', 'the network is down'],
  ['EHOSTUNREACH', 'the host is unreachable'],
  ['UND_ERR_SOCKET', 'the connection was closed'],
  ['UND_ERR_CLOSED', 'the connection was closed'],
  ['UND_ERR_CONNECT_TIMEOUT', 'timed out connecting to the server'],
  ['UND_ERR_HEADERS_TIMEOUT', 'the server did not answer in time'],
  ['UND_ERR_BODY_TIMEOUT', 'the server stopped sending data'],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'the server ended the response early'],
]);
/**
 * Certificates the TLS layer refused, in words; not retried (a certificate does not fix itself
 * in seconds). Node's own text suggests Node.js flags, meaningless to someone running Braid.
 */
const UNKNOWN_ISSUER =
  'its issuer is unknown (to trust the certificate authorities installed on this computer, run Braid with NODE_USE_SYSTEM_CA=1)';
const CERTIFICATE_PROBLEMS = new Map([
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'it is self-signed'],
  ['SELF_SIGNED_CERT_IN_CHAIN', UNKNOWN_ISSUER],
  ['UNABLE_TO_GET_ISSUER_CERT', UNKNOWN_ISSUER],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', UNKNOWN_ISSUER],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', UNKNOWN_ISSUER],
  ['CERT_HAS_EXPIRED', 'it has expired'],
  ['CERT_NOT_YET_VALID', "it is not valid yet (is this computer's clock right?)"],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'it was issued for another host name'],
  ['CERT_REVOKED', 'it was revoked'],
  ['CERT_SIGNATURE_FAILURE', 'its signature is wrong'],
  ['CERT_UNTRUSTED', 'it is not trusted for this use'],
  ['CERT_REJECTED', 'it is not trusted for this use'],
]);
/**
 * TLS handshakes that failed, by OpenSSL's reason, with the likely cause in words; not retried
 * (the server will not change its mind in seconds). Node gives them as EPROTO or ERR_SSL_*, with
 * OpenSSL's raw text ("write EPROTO 403D…:error:0A000460:SSL routines:…").
 */
const TLS_PROBLEMS: ReadonlyArray<[reason: RegExp, cause: string]> = [
  [
    /no application protocol/,
    'the server offers no protocol Braid speaks, likely HTTP/2 alone where Braid uses HTTP/1.1',
  ],
  [
    /protocol version|unsupported protocol|no protocols available|version too low/,
    'the server offers only a TLS version too old to be safe (likely TLS 1.0 or 1.1)',
  ],
  [
    /wrong version number|packet length too long/,
    'the server did not answer in TLS, likely a plain-HTTP port (try http://)',
  ],
  [/certificate required/, 'the server wants a client certificate, which Braid does not send'],
  [/unsafe legacy renegotiation/, 'the server needs legacy renegotiation, which is unsafe'],
  [/dh key too small|key too small/, "the server's key exchange is too weak to be safe"],
  [
    /handshake failure|no shared cipher|no cipher/,
    'the server refused the handshake, likely for want of a cipher both accept',
  ],
];
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
const TOO_MANY_FILES_CODES = new Set(['EMFILE', 'ENFILE']);
const FILE_ACCESS_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR']);
const RETRYABLE_4XX = new Set([408, 425, 429]);
/** Longest wait a server's Retry-After gets; beyond that it is treated as this. */
const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;
/** How deep to follow `cause` (undici wraps socket errors); also stops on cycles. */
const MAX_CAUSE_DEPTH = 8;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MON = `(?<month>${MONTHS.join('|')})`;
const TIME = '(?<hour>\\d{2}):(?<minute>\\d{2}):(?<second>\\d{2})';
/** The three HTTP-date forms a recipient must accept (RFC 9110 §5.6.7), all in GMT. */
const HTTP_DATES = [
  new RegExp(`^[A-Za-z]{3}, (?<day>\\d{2}) ${MON} (?<year>\\d{4}) ${TIME} GMT$`),
  new RegExp(`^[A-Za-z]{6,9}, (?<day>\\d{2})-${MON}-(?<year>\\d{2}) ${TIME} GMT$`),
  new RegExp(`^[A-Za-z]{3} ${MON} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
];

/**
 * Retry-After as milliseconds from now (≥ 0): delta-seconds or an HTTP-date. Null when absent
 * or not one of those (Date.parse is too lenient: it reads "a 1" as the year 2001).
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  for (const format of HTTP_DATES) {
    const parts = format.exec(text)?.groups;
    if (!parts) continue;
    const date = httpDate(parts, now);
    return date === null ? null : Math.max(0, date - now);
  }
  return null;
}

function httpDate(parts: Record<string, string | undefined>, now: number): number | null {
  let year = Number(parts.year);
  if (parts.year?.length === 2) {
    // A two-digit year more than 50 years ahead is in the previous century (RFC 9110 §5.6.7).
    const thisYear = new Date(now).getUTCFullYear();
    year += Math.floor(thisYear / 100) * 100;
    if (year > thisYear + 50) year -= 100;
  }
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const time = Date.UTC(year, MONTHS.indexOf(parts.month ?? ''), day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March: such a date is garbage, not a date.
  const valid = new Date(time).getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  return valid ? time : null;
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  // undici and node:http give lower-case names; other sources may not.
  const key = name in headers ? name : Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/** "404 Not Found"; the number alone for a status without a name. */
export function statusText(status: number): string {
  // Looked up only here, on an error: node:http loads Node's whole HTTP client and server with
  // it (~100 internal modules, a few ms at every start). Not `import … from 'node:http'` either:
  // its ESM facade reads every export, and the lazy WebSocket getter loads Node's bundled undici.
  const reason = process.getBuiltinModule('node:http').STATUS_CODES[status];
  return reason ? `${status} ${reason}` : String(status);
}

/** Statuses that may pass: a timeout, too early, too many requests, or a 5xx. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_4XX.has(status) || (status >= 500 && status < 600);
}

/** A response that is not what we asked for, as an error the runner can act on. */
export function httpError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  url?: string,
): DownloadError {
  const what = statusText(status);
  return new DownloadError(
    `HTTP_${status}`,
    `server answered ${what}${url ? ` for ${redactUrl(url)}` : ''}`,
    {
      retryable: isRetryableStatus(status),
      overload: status === 429 || status === 503,
      status,
      retryAfterMs: parseRetryAfter(header(headers, 'retry-after')),
    },
  );
}

/** Anything thrown below the runner, classified once: retry, pause or fail. */
export function toDownloadError(error: unknown): DownloadError {
  if (error instanceof DownloadError) return error;
  const found = findCause(error);
  if (found instanceof DownloadError) return found;
  const message = messageOf(error);
  if (!found) {
    if (error instanceof Error && error.name === 'AbortError') {
      return new DownloadError('ABORTED', message, { retryable: false, cause: error });
    }
    return new DownloadError('UNKNOWN', message, { retryable: false, cause: error });
  }
  const { code } = found;
  const detail = messageOf(found);
  if (DISK_FULL_CODES.has(code)) {
    return new DownloadError('DISK_FULL', 'the disk is full: free some space, then resume', {
      retryable: false,
      cause: error,
    });
  }
  if (TOO_MANY_FILES_CODES.has(code)) {
    // Others' files come and go: worth another try after a moment.
    return new DownloadError('TOO_MANY_FILES', `too many files open (${detail})`, {
      retryable: true,
      cause: error,
    });
  }
  if (FILE_ACCESS_CODES.has(code)) {
    return new DownloadError('FILE_ACCESS', `cannot write the file (${detail})`, {
      retryable: false,
      cause: error,
    });
  }
  const certificate = CERTIFICATE_PROBLEMS.get(code);
  if (certificate) {
    return new DownloadError(
      'TLS_CERTIFICATE',
      `the server's certificate is refused: ${certificate}`,
      {
        retryable: false,
        cause: error,
      },
    );
  }
  if (isTlsFailure(code)) {
    const reason = tlsReason(found);
    const cause = TLS_PROBLEMS.find(([pattern]) => pattern.test(reason))?.[1];
    const message = cause
      ? `the TLS connection failed: ${cause} (${reason})`
      : `the TLS connection failed (${reason})`;
    return new DownloadError('TLS_FAILED', message, { retryable: false, cause: error });
  }
  if (code === 'ENOTFOUND') {
    const host = typeof found.hostname === 'string' ? found.hostname : detail;
    return new DownloadError(code, `host not found: ${host}`, { retryable: false, cause: error });
  }
  const what = RETRYABLE_NETWORK.get(code)!;
  return new DownloadError(code, `${what} (${detail})`, { retryable: true, cause: error });
}

interface CodedError {
  code: string;
  hostname?: unknown;
  message?: unknown;
  /** OpenSSL's reason, on ERR_SSL_* errors. */
  reason?: unknown;
}

function isTlsFailure(code: string): boolean {
  return code === 'EPROTO' || code.startsWith('ERR_SSL_');
}

/** OpenSSL's reason ("wrong version number"), out of its error text when not given apart. */
function tlsReason(error: CodedError): string {
  if (typeof error.reason === 'string' && error.reason) return error.reason;
  const text = messageOf(error);
  return /:error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+)/.exec(text)?.[1]?.trim() ?? text.trim();
}

/** The first error in the cause chain that is ours or has a code we classify. */
function findCause(error: unknown): DownloadError | CodedError | null {
  let e = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof e === 'object' && e !== null; depth++) {
    if (e instanceof DownloadError) return e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && isClassified(code)) return e as CodedError;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

function isClassified(code: string): boolean {
  return (
    RETRYABLE_NETWORK.has(code) ||
    DISK_FULL_CODES.has(code) ||
    TOO_MANY_FILES_CODES.has(code) ||
    FILE_ACCESS_CODES.has(code) ||
    CERTIFICATE_PROBLEMS.has(code) ||
    isTlsFailure(code) ||
    code === 'ENOTFOUND'
  );
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** Uniform in [0, 1). */
  random?: () => number;
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 500, capMs = 30_000, random = Math.random } = options;
  // Past 2^30 the cap has long won; this keeps huge attempt counts from overflowing to Infinity.
  const exponent = Math.min(Math.max(0, attempt), 30);
  return random() * Math.min(capMs, baseMs * 2 ** exponent);
}

/** The server's Retry-After when it gave one (at most 10 minutes), else backoff. */
export function retryDelay(
  error: DownloadError,
  attempt: number,
  options?: BackoffOptions,
): number {
  if (error.retryAfterMs !== null) return Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS);
  return backoffDelay(attempt, options);
}

/** "1 attempt", "2 attempts": how a download that gave up says how often it tried. */
export function attempts(n: number): string {
  return n === 1 ? '1 attempt' : `${n} attempts`;
}
