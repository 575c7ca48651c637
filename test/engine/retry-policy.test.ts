import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DownloadError } from '../../electron/engine/errors.ts';
import {
  backoffDelay,
  httpError,
  parseRetryAfter,
  retryDelay,
  toDownloadError,
} from '../../electron/engine/retry-policy.ts';

const errno = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`boom ${code}`), { code, ...extra });

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');

  it('reads delta-seconds as milliseconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 7 ', now), 7000, 'surrounding whitespace is fine');
  });

  it('reads an HTTP-date as the time left until then', () => {
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 12:00:30 GMT', now), 30_000);
  });

  it('reads the obsolete RFC 850 and asctime date forms, both in GMT', () => {
    assert.equal(parseRetryAfter('Tuesday, 24-Nov-26 12:01:00 GMT', now), 60_000);
    assert.equal(parseRetryAfter('Tue Nov 24 12:00:05 2026', now), 5000);
    assert.equal(
      parseRetryAfter('Mon Nov  1 00:00:00 2027', now),
      Date.parse('2027-11-01T00:00:00Z') - now,
      'a one-digit day is padded with a space',
    );
  });

  it('treats a date in the past as "retry now"', () => {
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now), 0);
  });

  it('returns null for a missing or malformed value', () => {
    for (const junk of [
      null,
      undefined,
      '',
      '   ',
      'soon',
      '-5',
      '1.5',
      '12abc',
      'a 1', // Date.parse reads this as 2001
      '2026-11-24T12:00:30Z',
      'Tue, 31 Feb 2026 12:00:00 GMT',
      'Tue, 24 Nov 2026 25:00:00 GMT',
      'Tue, 24 Nov 2026 12:00:30 PST',
    ]) {
      assert.equal(parseRetryAfter(junk, now), null, String(junk));
    }
  });
});

describe('httpError', () => {
  it('retries 408, 425, 429 and every 5xx', () => {
    for (const status of [408, 425, 429, 500, 501, 502, 503, 504, 599]) {
      const e = httpError(status, {});
      assert.equal(e.retryable, true, `${status}`);
      assert.equal(e.code, `HTTP_${status}`);
      assert.equal(e.status, status);
    }
  });

  it('fails at once on 401, 403, 404, 410 and other 4xx', () => {
    for (const status of [400, 401, 403, 404, 410, 416, 451]) {
      const e = httpError(status, {});
      assert.equal(e.retryable, false, `${status}`);
      assert.equal(e.code, `HTTP_${status}`);
    }
  });

  it('says what the server answered, for which URL, without credentials', () => {
    const e = httpError(404, {}, 'https://user:secret@host.example/path/f.iso?x=1');
    assert.equal(
      e.message,
      'server answered 404 Not Found for https://host.example/path/f.iso?x=1',
    );
    assert.equal(httpError(599, {}).message, 'server answered 599');
    // Signed links carry their credential in the query.
    assert.equal(
      httpError(403, {}, 'https://cdn.example/f.iso?Expires=9&X-Amz-Signature=abc&token=t').message,
      'server answered 403 Forbidden for https://cdn.example/f.iso?Expires=9&X-Amz-Signature=redacted&token=redacted',
    );
  });

  it('marks 429 and 503 as overload, other failures not', () => {
    assert.equal(httpError(429, {}).overload, true);
    assert.equal(httpError(503, {}).overload, true);
    for (const status of [408, 500, 502, 504, 404])
      assert.equal(httpError(status, {}).overload, false);
  });

  it('parses Retry-After, whatever the header name’s case or count', () => {
    assert.equal(httpError(503, { 'retry-after': '7' }).retryAfterMs, 7000);
    assert.equal(httpError(429, { 'Retry-After': '3' }).retryAfterMs, 3000);
    assert.equal(httpError(429, { 'retry-after': ['4', '9'] }).retryAfterMs, 4000);
    assert.equal(httpError(503, { 'retry-after': 'later' }).retryAfterMs, null);
    assert.equal(httpError(503, {}).retryAfterMs, null);
  });
});

describe('toDownloadError', () => {
  it('passes a DownloadError through unchanged, even wrapped in a cause', () => {
    const own = new DownloadError('X', 'y', { retryable: true });
    assert.equal(toDownloadError(own), own);
    assert.equal(toDownloadError(new Error('wrapper', { cause: own })), own);
  });

  it('retries network failures and keeps their code', () => {
    for (const code of [
      'ECONNRESET',
      'ECONNREFUSED',
      'ECONNABORTED',
      'ETIMEDOUT',
      'EPIPE',
      'EAI_AGAIN',
      'ENETUNREACH',
      'EHOSTUNREACH',
      'UND_ERR_SOCKET',
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_BODY_TIMEOUT',
      'UND_ERR_CLOSED',
    ]) {
      const e = toDownloadError(errno(code));
      assert.equal(e.code, code);
      assert.equal(e.retryable, true, code);
      assert.equal(e.overload, false, code);
    }
  });

  it('explains network failures in words, keeping the original detail', () => {
    const e = toDownloadError(errno('UND_ERR_BODY_TIMEOUT'));
    assert.equal(e.message, 'the server stopped sending data (boom UND_ERR_BODY_TIMEOUT)');
  });

  it('finds the code in the cause chain (undici and fetch wrap socket errors)', () => {
    const inner = errno('ECONNRESET');
    const wrapper = new TypeError('fetch failed', { cause: inner });
    const e = toDownloadError(wrapper);
    assert.equal(e.code, 'ECONNRESET');
    assert.equal(e.retryable, true);
    assert.equal(e.cause, wrapper, 'the whole original error is kept as the cause');
    const deep = toDownloadError(
      Object.assign(new Error('outer', { cause: new Error('middle', { cause: inner }) }), {
        code: 'ERR_SOMETHING_ELSE',
      }),
    );
    assert.equal(deep.code, 'ECONNRESET', 'an unclassified code on the way does not hide it');
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.equal(toDownloadError(a).code, 'UNKNOWN');
  });

  it('does not retry a host that does not exist, and names it', () => {
    const e = toDownloadError(errno('ENOTFOUND', { hostname: 'nosuch.example' }));
    assert.equal(e.code, 'ENOTFOUND');
    assert.equal(e.retryable, false);
    assert.equal(e.message, 'host not found: nosuch.example');
  });

  it('names what is wrong with a refused certificate, in words, and does not retry it', () => {
    const cases = [
      ['CERT_HAS_EXPIRED', /it has expired$/],
      ['ERR_TLS_CERT_ALTNAME_INVALID', /issued for another host name$/],
      ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', /issuer is unknown .*NODE_USE_SYSTEM_CA=1/],
      ['SELF_SIGNED_CERT_IN_CHAIN', /issuer is unknown/],
    ] as const;
    for (const [code, words] of cases) {
      const e = toDownloadError(new Error('fetch failed', { cause: errno(code) }));
      assert.equal(e.code, 'TLS_CERTIFICATE', code);
      assert.equal(e.retryable, false, code);
      assert.match(e.message, /^the server's certificate is refused: /, code);
      assert.match(e.message, words, code);
    }
  });

  it('turns a full disk into DISK_FULL, which is not retried (the engine pauses)', () => {
    const e = toDownloadError(errno('ENOSPC'));
    assert.equal(e.code, 'DISK_FULL');
    assert.equal(e.retryable, false);
  });

  it('retries when the process has too many files open (EMFILE, ENFILE), saying so', () => {
    for (const code of ['EMFILE', 'ENFILE']) {
      const e = toDownloadError(errno(code));
      assert.equal(e.code, 'TOO_MANY_FILES');
      assert.equal(e.retryable, true);
      assert.match(e.message, /too many files open/);
    }
  });

  it('turns permission and read-only errors into FILE_ACCESS, not retried', () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      const e = toDownloadError(errno(code));
      assert.equal(e.code, 'FILE_ACCESS', code);
      assert.equal(e.retryable, false, code);
    }
  });

  it('calls anything else UNKNOWN and does not retry it, keeping its message', () => {
    const original = errno('ERR_WHATEVER');
    const e = toDownloadError(original);
    assert.equal(e.code, 'UNKNOWN');
    assert.equal(e.retryable, false);
    assert.equal(e.message, 'boom ERR_WHATEVER');
    assert.equal(e.cause, original);
    assert.equal(toDownloadError('a string').message, 'a string');
    assert.equal(toDownloadError({ message: 'plain object' }).message, 'plain object');
  });

  it('recognizes an abort as ABORTED, not retried', () => {
    const e = toDownloadError(new DOMException('This operation was aborted', 'AbortError'));
    assert.equal(e.code, 'ABORTED');
    assert.equal(e.retryable, false);
  });
});

describe('backoffDelay', () => {
  it('doubles from 500 ms with each attempt', () => {
    const max = { random: () => 1 };
    assert.deepEqual(
      [0, 1, 2, 3].map((attempt) => backoffDelay(attempt, max)),
      [500, 1000, 2000, 4000],
    );
  });

  it('is capped at 30 s, even for huge attempt counts', () => {
    assert.equal(backoffDelay(6, { random: () => 1 }), 30_000);
    assert.equal(backoffDelay(1e6, { random: () => 1 }), 30_000);
  });

  it('spreads delays uniformly between zero and the ceiling (full jitter)', () => {
    assert.equal(backoffDelay(5, { random: () => 0 }), 0);
    assert.equal(backoffDelay(3, { random: () => 0.5 }), 2000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(4);
      assert.ok(d >= 0 && d < 8000, `${d}`);
    }
  });

  it('takes another base and cap', () => {
    assert.equal(backoffDelay(2, { baseMs: 100, capMs: 300, random: () => 1 }), 300);
    assert.equal(backoffDelay(1, { baseMs: 100, capMs: 300, random: () => 1 }), 200);
  });
});

describe('retryDelay', () => {
  it('waits as long as the server asked with Retry-After', () => {
    assert.equal(retryDelay(httpError(503, { 'retry-after': '7' }), 0), 7000);
    assert.equal(retryDelay(httpError(429, { 'retry-after': '0' }), 5), 0);
  });

  it('waits at most 10 minutes, whatever the server asked', () => {
    assert.equal(retryDelay(httpError(503, { 'retry-after': '999999' }), 0), 600_000);
  });

  it('backs off with jitter when the server gave no Retry-After', () => {
    assert.equal(retryDelay(httpError(502, {}), 2, { random: () => 1 }), 2000);
    assert.equal(retryDelay(toDownloadError(errno('ECONNRESET')), 0, { random: () => 0.5 }), 250);
  });
});
