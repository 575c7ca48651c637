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

const errno = (code: string, cause?: unknown) =>
  Object.assign(new Error(`boom ${code}`), { code, cause });

describe('retry policy', () => {
  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Tue, 24 Nov 2026 12:00:00 GMT');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 11:00:00 GMT', now), 0, 'a past date means now');
    for (const junk of [null, '', 'soon', '-5', '1.5', '12abc'])
      assert.equal(parseRetryAfter(junk, now), null);
  });

  it('retries timeouts, resets, 408, 429 and 5xx; fails at once on 403, 404 and 410', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599])
      assert.ok(httpError(status, {}).retryable, `${status}`);
    for (const status of [400, 401, 403, 404, 410, 451]) {
      const e = httpError(status, {}, 'https://user:secret@host/f');
      assert.equal(e.retryable, false);
      assert.equal(e.code, `HTTP_${status}`);
      assert.ok(!e.message.includes('secret'), 'credentials never appear in messages');
    }
    for (const code of [
      'ECONNRESET',
      'ECONNREFUSED',
      'ETIMEDOUT',
      'UND_ERR_SOCKET',
      'UND_ERR_BODY_TIMEOUT',
    ]) {
      assert.ok(toDownloadError(errno(code)).retryable, code);
    }
    assert.ok(
      toDownloadError(new Error('wrapper', { cause: errno('ECONNRESET') })).retryable,
      'walks causes',
    );
  });

  it('asks for fewer connections on 429 and 503 and honours their Retry-After', () => {
    const e = httpError(503, { 'retry-after': '7' });
    assert.equal(e.overload, true);
    assert.equal(retryDelay(e, 0), 7000);
    assert.equal(httpError(429, {}).overload, true);
    assert.equal(httpError(500, {}).overload, false);
    assert.equal(
      retryDelay(httpError(503, { 'retry-after': '999999' }), 0),
      600_000,
      'capped at 10 minutes',
    );
  });

  it('turns a full disk into a pause-worthy DISK_FULL and file errors into FILE_ACCESS', () => {
    assert.equal(toDownloadError(errno('ENOSPC')).code, 'DISK_FULL');
    assert.equal(toDownloadError(errno('EACCES')).code, 'FILE_ACCESS');
    assert.equal(toDownloadError(errno('ENOTFOUND')).retryable, false);
    const own = new DownloadError('X', 'y', { retryable: true });
    assert.equal(toDownloadError(own), own);
  });

  it('backs off exponentially with full jitter up to a cap', () => {
    assert.equal(backoffDelay(0, { random: () => 1 }), 500);
    assert.equal(backoffDelay(3, { random: () => 1 }), 4000);
    assert.equal(backoffDelay(20, { random: () => 1 }), 30_000);
    assert.equal(backoffDelay(5, { random: () => 0 }), 0);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(4);
      assert.ok(d >= 0 && d <= 8000);
    }
  });
});
