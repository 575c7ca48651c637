import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContentRange } from '../../electron/engine/http-range.ts';

describe('Content-Range', () => {
  it('reads a satisfied range, an unknown total, and an unsatisfied one', () => {
    assert.deepEqual(parseContentRange('bytes 0-99/1000'), { start: 0, end: 100, total: 1000 });
    assert.deepEqual(parseContentRange('bytes 5-9/*'), { start: 5, end: 10, total: null });
    assert.deepEqual(parseContentRange('bytes */1000'), { total: 1000 });
    const big = 5 * 2 ** 30 + 12345;
    assert.deepEqual(parseContentRange(`bytes 4294967296-${big - 1}/${big}`), {
      start: 2 ** 32,
      end: big,
      total: big,
    });
  });

  it('refuses a range past its total, backwards, or with numbers past 2^53 (no longer exact)', () => {
    for (const value of [
      'bytes 0-1000/1000',
      'bytes 9-5/1000',
      'bytes 0-1048575/9007199254740993',
      'bytes 0-9007199254740992/*',
      'bytes */9007199254740993',
      'bytes 0-1/-5',
    ]) {
      assert.equal(parseContentRange(value), null, value);
    }
  });
});
