import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandUrlPatterns } from '../../shared/url-patterns.ts';

describe('expandUrlPatterns', () => {
  it('expands numeric ranges and keeps zero padding', () => {
    assert.deepEqual(expandUrlPatterns('http://h/file[1-3].zip'), [
      'http://h/file1.zip',
      'http://h/file2.zip',
      'http://h/file3.zip',
    ]);
    assert.deepEqual(expandUrlPatterns('http://h/img[008-011].jpg'), [
      'http://h/img008.jpg',
      'http://h/img009.jpg',
      'http://h/img010.jpg',
      'http://h/img011.jpg',
    ]);
    assert.equal(expandUrlPatterns('http://h/img[001-120].jpg').length, 120);
  });

  it('expands letter ranges and several ranges in one URL', () => {
    assert.deepEqual(expandUrlPatterns('http://h/[a-b]/p[1-2].bin'), [
      'http://h/a/p1.bin',
      'http://h/a/p2.bin',
      'http://h/b/p1.bin',
      'http://h/b/p2.bin',
    ]);
  });

  it('takes one URL per line and skips blank lines and # comments', () => {
    assert.deepEqual(expandUrlPatterns('  http://a/1 \n\n# note\r\nhttp://b/2\n'), [
      'http://a/1',
      'http://b/2',
    ]);
  });

  it('refuses expansions over the limit without building them', () => {
    assert.throws(() => expandUrlPatterns('http://h/[1-9999999999].bin'), /more than 10000 URLs/);
    assert.throws(() => expandUrlPatterns('http://h/[1-200]/[1-200].bin'), /more than 10000 URLs/);
    assert.throws(() => expandUrlPatterns('http://h/[5-1].bin'), /backwards/);
  });

  it('leaves brackets that are not ranges alone', () => {
    assert.deepEqual(expandUrlPatterns('http://h/a[x].bin'), ['http://h/a[x].bin']);
  });
});
