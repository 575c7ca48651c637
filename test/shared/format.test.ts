import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameChecksum, sameHeaders } from '../../shared/api/task.ts';
import {
  aboutSubject,
  formatBytes,
  formatEta,
  formatRate,
  formatSpeed,
  parseRate,
} from '../../shared/format.ts';

describe('formatting', () => {
  it('prints sizes in binary units with three significant digits', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.50 KiB');
    assert.equal(formatBytes(12.3 * 1024 * 1024), '12.3 MiB');
    assert.equal(formatBytes(1024 ** 3), '1.00 GiB');
    assert.equal(formatBytes(150 * 1024 ** 3), '150 GiB');
  });

  it('prints speeds per second and times as clock readings', () => {
    assert.equal(formatSpeed(4.2 * 1024 * 1024), '4.20 MiB/s');
    assert.equal(formatEta(null), '--:--');
    assert.equal(formatEta(4.2), '0:05');
    assert.equal(formatEta(754), '12:34');
    assert.equal(formatEta(3723), '1:02:03');
  });

  it('parses rates with binary units and optional suffixes', () => {
    assert.equal(parseRate('16M'), 16 * 1024 * 1024);
    assert.equal(parseRate('500K'), 500 * 1024);
    assert.equal(parseRate('1.5m'), 1.5 * 1024 * 1024);
    assert.equal(parseRate('2G'), 2 * 1024 ** 3);
    assert.equal(parseRate('1024'), 1024);
    assert.equal(parseRate('8MiB/s'), 8 * 1024 * 1024);
    assert.equal(parseRate('0'), 0);
  });

  it('prints a rate for editing that parses back to the same number of bytes', () => {
    assert.equal(formatRate(16 * 1024 * 1024), '16M');
    assert.equal(formatRate(1.5 * 1024 * 1024), '1.5M');
    assert.equal(formatRate(500 * 1024), '500K');
    assert.equal(formatRate(1234567), '1234567');
    assert.equal(formatRate(1000), '1000');
    for (const rate of [1, 1023, 1025, 1234567, 1.25 * 1024 ** 3, 2 ** 40, 2 ** 40 - 1]) {
      assert.equal(parseRate(formatRate(rate)), rate, `${rate} as ${formatRate(rate)}`);
    }
  });

  it('rejects anything that is not a rate, with a message saying what is expected', () => {
    for (const bad of ['', 'fast', '-1M', '16X', '1e9', '16 M B']) {
      assert.throws(() => parseRate(bad), /invalid rate/, bad);
    }
  });

  it('refuses a fraction of a byte per second, which would round to 0, no limit at all', () => {
    for (const tiny of ['0.4', '0.5', '0.0001K']) {
      assert.throws(
        () => parseRate(tiny),
        /is below 1 B\/s; use at least 1, or 0 for no limit/,
        tiny,
      );
    }
    assert.equal(parseRate('0.0'), 0);
    assert.equal(parseRate('1.4'), 1);
  });
});

describe('messages and checksums', () => {
  it('names a subject once, before a message that does not name it already', () => {
    assert.equal(aboutSubject('a.iso', 'disk full'), 'a.iso: disk full');
    assert.equal(
      aboutSubject('http://x/a', 'answered 404 for http://x/a'),
      'answered 404 for http://x/a',
    );
  });

  it('compares expected checksums by algorithm and hex, without case', () => {
    const sum = { algorithm: 'md5', expected: 'ab'.repeat(16) } as const;
    assert.ok(sameChecksum(sum, { ...sum, expected: 'AB'.repeat(16) }));
    assert.ok(sameChecksum(null, null));
    assert.ok(!sameChecksum(sum, null));
    assert.ok(!sameChecksum(sum, { algorithm: 'sha1', expected: sum.expected }));
  });

  it('compares headers by name without case and by value exactly', () => {
    assert.ok(sameHeaders({ Cookie: 'a=1', 'X-T': 'x' }, { 'x-t': 'x', cookie: 'a=1' }));
    assert.ok(sameHeaders({}, {}));
    assert.ok(!sameHeaders({ Cookie: 'a=1' }, { Cookie: 'A=1' }));
    assert.ok(!sameHeaders({ Cookie: 'a=1' }, { Cookie: 'a=1', 'X-T': 'x' }));
    assert.ok(!sameHeaders({ Cookie: 'a=1', 'X-T': 'x' }, { Cookie: 'a=1' }));
  });
});
