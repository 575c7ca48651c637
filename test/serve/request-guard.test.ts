import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostAllowed, originAllowed, tokensEqual } from '../../electron/serve/request-guard.ts';

describe('request guard', () => {
  it('accepts IP literals and localhost on our port, and names only when allowed (DNS rebinding)', () => {
    const cases: Array<[string | undefined, boolean]> = [
      ['127.0.0.1:8421', true],
      ['localhost:8421', true],
      ['LOCALHOST:8421', true],
      ['[::1]:8421', true],
      ['192.168.1.20:8421', true],
      ['nas.home:8421', true],
      ['evil.example:8421', false],
      ['127.0.0.1.nip.io:8421', false],
      ['127.0.0.1:8422', false],
      ['127.0.0.1', false],
      ['localhost:8421@evil', false],
      ['', false],
      [undefined, false],
    ];
    for (const [host, allowed] of cases) {
      assert.equal(hostAllowed(host, 8421, ['nas.home']), allowed, String(host));
    }
    assert.equal(hostAllowed('example.org', 80, []), false);
    assert.equal(hostAllowed('10.0.0.1', 80, []), true);
  });

  it('accepts no Origin (non-browser clients) or our own, and refuses every other', () => {
    assert.equal(originAllowed(undefined, '127.0.0.1:8421'), true);
    assert.equal(originAllowed('http://127.0.0.1:8421', '127.0.0.1:8421'), true);
    assert.equal(originAllowed('https://127.0.0.1:8421', '127.0.0.1:8421'), true);
    assert.equal(originAllowed('http://evil.example', '127.0.0.1:8421'), false);
    assert.equal(originAllowed('http://127.0.0.1:9999', '127.0.0.1:8421'), false);
    assert.equal(originAllowed('null', '127.0.0.1:8421'), false);
  });

  it('compares tokens exactly, whatever their lengths', () => {
    assert.equal(tokensEqual('secret-token-123', 'secret-token-123'), true);
    assert.equal(tokensEqual('secret-token-124', 'secret-token-123'), false);
    assert.equal(tokensEqual('secret', 'secret-token-123'), false);
    assert.equal(tokensEqual('', 'secret-token-123'), false);
  });
});
