import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncomingMessage } from 'node:http';
import {
  hostAllowed,
  originAllowed,
  tokensEqual,
  tokensFrom,
} from '../../electron/serve/request-guard.ts';

describe('request guard', () => {
  it('accepts IP literals and localhost on any port (tunnels), and names only when allowed (DNS rebinding)', () => {
    const cases: Array<[string | undefined, boolean]> = [
      ['127.0.0.1:8421', true],
      ['localhost:8421', true],
      ['LOCALHOST:8421', true],
      ['[::1]:8421', true],
      ['192.168.1.20:8421', true],
      ['127.0.0.1:47001', true],
      ['127.0.0.1', true],
      ['nas.home:8421', true],
      ['nas.home', true],
      ['evil.example:8421', false],
      ['127.0.0.1.nip.io:8421', false],
      ['localhost:8421@evil', false],
      ['', false],
      [undefined, false],
    ];
    for (const [host, allowed] of cases) {
      assert.equal(hostAllowed(host, ['nas.home']), allowed, String(host));
    }
    assert.equal(hostAllowed('example.org', []), false);
  });

  it('accepts no Origin (non-browser clients), our own, or an allowed name (a reverse proxy), and refuses every other', () => {
    const host = '127.0.0.1:8421';
    assert.equal(originAllowed(undefined, host, []), true);
    assert.equal(originAllowed('http://127.0.0.1:8421', host, []), true);
    assert.equal(originAllowed('https://127.0.0.1:8421', host, []), true);
    assert.equal(originAllowed('https://nas.home', host, ['nas.home']), true);
    assert.equal(originAllowed('https://nas.home:8443', host, ['nas.home']), true);
    assert.equal(originAllowed('http://evil.example', host, ['nas.home']), false);
    // Another local page: cookies are shared across ports, so its port must not pass.
    assert.equal(originAllowed('http://127.0.0.1:9999', host, []), false);
    assert.equal(originAllowed('null', host, []), false);
    assert.equal(originAllowed('file://nas.home', host, ['nas.home']), false);
  });

  it('offers every token cookie, skipping one that cannot be decoded', () => {
    const req = (cookie: string) => ({ headers: { cookie } }) as unknown as IncomingMessage;
    const url = new URL('http://127.0.0.1:8421/api');
    assert.deepEqual(
      tokensFrom(req('braid_token_8421=%zz; braid_token_8421=a%2Bb'), url, 'braid_token_8421'),
      ['a+b'],
    );
    assert.deepEqual(tokensFrom(req('braid_token_9=x; other=y'), url, 'braid_token_8421'), []);
  });

  it('compares tokens exactly, whatever their lengths', () => {
    assert.equal(tokensEqual('secret-token-123', 'secret-token-123'), true);
    assert.equal(tokensEqual('secret-token-124', 'secret-token-123'), false);
    assert.equal(tokensEqual('secret', 'secret-token-123'), false);
    assert.equal(tokensEqual('', 'secret-token-123'), false);
  });
});
