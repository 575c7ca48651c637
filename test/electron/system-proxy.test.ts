import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cachedProxyResolver,
  proxyFromResolution,
  SYSTEM_PROXY_TTL_MS,
} from '../../electron/main/system-proxy.ts';

describe("Chromium's proxy resolution, read for the engine", () => {
  it('takes the first HTTP or HTTPS proxy in the order given', () => {
    assert.equal(proxyFromResolution('PROXY 10.0.0.1:3128; DIRECT'), 'http://10.0.0.1:3128');
    assert.equal(proxyFromResolution('HTTP proxy.corp:8080'), 'http://proxy.corp:8080');
    assert.equal(proxyFromResolution('HTTPS proxy.corp:443'), 'https://proxy.corp:443');
    assert.equal(proxyFromResolution('PROXY [fd00::1]:3128'), 'http://[fd00::1]:3128');
    assert.equal(proxyFromResolution('PROXY a:1;PROXY b:2'), 'http://a:1');
  });

  it('goes direct for DIRECT (or an empty answer), when it comes before any usable proxy', () => {
    assert.equal(proxyFromResolution('DIRECT'), null);
    assert.equal(proxyFromResolution(''), null);
    assert.equal(proxyFromResolution('DIRECT; PROXY 10.0.0.1:3128'), null);
  });

  it('takes a SOCKS5 entry as a socks5:// proxy, in its place in the order', () => {
    assert.equal(proxyFromResolution('SOCKS5 127.0.0.1:1080'), 'socks5://127.0.0.1:1080');
    assert.equal(proxyFromResolution('SOCKS5 [fd00::1]:1080; DIRECT'), 'socks5://[fd00::1]:1080');
    assert.equal(proxyFromResolution('SOCKS5 tunnel:1080; PROXY p:8080'), 'socks5://tunnel:1080');
    assert.equal(proxyFromResolution('PROXY p:8080; SOCKS5 tunnel:1080'), 'http://p:8080');
  });

  it('passes over SOCKS4 and QUIC entries to the next usable one, DIRECT included', () => {
    assert.equal(proxyFromResolution('SOCKS h:1080; SOCKS4 h:1081; PROXY p:8080'), 'http://p:8080');
    assert.equal(proxyFromResolution('SOCKS h:1080; SOCKS5 h:1082'), 'socks5://h:1082');
    assert.equal(proxyFromResolution('SOCKS h:1080; QUIC q:443; DIRECT'), null);
  });

  it('refuses a list with no usable entry, naming what the OS asked for', () => {
    assert.throws(
      () => proxyFromResolution('SOCKS 10.0.0.9:1080; SOCKS4 10.0.0.9:1081'),
      /the system settings name SOCKS 10\.0\.0\.9:1080, SOCKS4 10\.0\.0\.9:1081, and Braid uses HTTP, HTTPS and SOCKS5 proxies only \(not SOCKS4\): choose a custom proxy in the settings, or none/,
    );
    assert.throws(() => proxyFromResolution('PROXY evil host:80'), /name PROXY evil host:80,/);
    assert.throws(() => proxyFromResolution('PROXY noport'), /name PROXY noport,/);
  });
});

describe('the per-origin system proxy cache', () => {
  const counting = (answer: (url: string) => string | Error) => {
    const asked: string[] = [];
    const resolveProxy = async (url: string) => {
      asked.push(url);
      const a = answer(url);
      if (a instanceof Error) throw a;
      return a;
    };
    return { asked, resolveProxy };
  };

  it('asks once per origin, by its origin only, and answers per origin', async () => {
    const { asked, resolveProxy } = counting((url) =>
      url.startsWith('http://intranet.local') ? 'DIRECT' : 'PROXY 10.0.0.1:3128',
    );
    const resolve = cachedProxyResolver(resolveProxy, { now: () => 0 });
    assert.equal(
      await resolve(new URL('https://u:p@example.com/a.iso?x=1')),
      'http://10.0.0.1:3128',
    );
    assert.equal(await resolve(new URL('https://example.com/b.iso')), 'http://10.0.0.1:3128');
    assert.equal(await resolve(new URL('http://intranet.local/c.iso')), null);
    assert.deepEqual(asked, ['https://example.com/', 'http://intranet.local/']);
  });

  it('asks again once the answer is older than its time to live, so OS changes apply', async () => {
    let answer = 'PROXY 10.0.0.1:3128';
    const { asked, resolveProxy } = counting(() => answer);
    let now = 0;
    const resolve = cachedProxyResolver(resolveProxy, { now: () => now });
    const url = new URL('https://example.com/a.iso');
    assert.equal(await resolve(url), 'http://10.0.0.1:3128');
    answer = 'DIRECT';
    now = SYSTEM_PROXY_TTL_MS - 1;
    assert.equal(await resolve(url), 'http://10.0.0.1:3128');
    now = SYSTEM_PROXY_TTL_MS;
    assert.equal(await resolve(url), null);
    assert.equal(asked.length, 2);
  });

  it('forgets the oldest origin past 256, asking for it again', async () => {
    const { asked, resolveProxy } = counting(() => 'DIRECT');
    const resolve = cachedProxyResolver(resolveProxy, { now: () => 0 });
    for (let i = 0; i <= 256; i++) await resolve(new URL(`http://host${i}.test/`));
    await resolve(new URL('http://host256.test/'));
    assert.equal(asked.length, 257, 'the newest is still known');
    await resolve(new URL('http://host0.test/'));
    assert.equal(asked.length, 258, 'the oldest was forgotten');
  });

  it('does not keep a failed question: the next one asks again', async () => {
    let fail = true;
    const { asked, resolveProxy } = counting(() =>
      fail ? new Error('no network service') : 'DIRECT',
    );
    const resolve = cachedProxyResolver(resolveProxy, { now: () => 0 });
    const url = new URL('https://example.com/a.iso');
    await assert.rejects(resolve(url), /no network service/);
    fail = false;
    assert.equal(await resolve(url), null);
    assert.equal(asked.length, 2);
  });
});
