import { STATUS_CODES } from 'node:http';
import { DownloadError } from './errors.ts';

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Longest a server may make us wait with Retry-After before we treat it as a plain backoff. */
const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

/** Retry-After as milliseconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return null;
  return Math.max(0, date - now);
}

/** A URL safe to show and log: no user:password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.href;
  } catch {
    return url;
  }
}

export function httpError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  url?: string,
): DownloadError {
  const retryAfter = headers['retry-after'];
  const reason = STATUS_CODES[status] ?? 'Unknown';
  return new DownloadError(
    `HTTP_${status}`,
    `server answered ${status} ${reason}${url ? ` for ${redactUrl(url)}` : ''}`,
    {
      retryable: RETRYABLE_STATUS.has(status) || (status >= 500 && status < 600),
      overload: status === 429 || status === 503,
      status,
      retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
    },
  );
}

/** Anything thrown below the runner, classified once: retry, pause or fail. */
export function toDownloadError(error: unknown): DownloadError {
  if (error instanceof DownloadError) return error;
  const code = fromCauses(error, 'code');
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DownloadError('DISK_FULL', 'disk full: free some space, then resume', {
      retryable: false,
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new DownloadError('FILE_ACCESS', `cannot write the file: ${message}`, {
      retryable: false,
      cause: error,
    });
  }
  if (code === 'ENOTFOUND') {
    return new DownloadError(
      'HOST_NOT_FOUND',
      `host not found: ${fromCauses(error, 'hostname') ?? message}`,
      {
        retryable: false,
        cause: error,
      },
    );
  }
  if (code && RETRYABLE_NETWORK.has(code)) {
    const timeout = code.endsWith('TIMEOUT') || code === 'ETIMEDOUT';
    return new DownloadError(
      code,
      timeout ? `the server stopped sending data (${message})` : message,
      {
        retryable: true,
        cause: error,
      },
    );
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new DownloadError('ABORTED', message, { retryable: false, cause: error });
  }
  return new DownloadError(code ?? 'UNKNOWN', message, { retryable: false, cause: error });
}

/** A string property of the error or of its causes (undici wraps socket errors). */
function fromCauses(error: unknown, key: 'code' | 'hostname'): string | null {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const value = (e as Record<string, unknown>)[key];
    if (typeof value === 'string') return value;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  options: { baseMs?: number; capMs?: number; random?: () => number } = {},
): number {
  const { baseMs = 500, capMs = 30_000, random = Math.random } = options;
  return random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
}

/** The server's Retry-After when it gave one (capped), else backoff. */
export function retryDelay(
  error: DownloadError,
  attempt: number,
  options?: Parameters<typeof backoffDelay>[1],
): number {
  if (error.retryAfterMs !== null) return Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS);
  return backoffDelay(attempt, options);
}
