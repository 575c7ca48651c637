import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CATEGORIES } from '../../shared/api/settings.ts';
import { ClipboardWatch } from '../../electron/api/clipboard-watch.ts';
import { probeUrl } from '../../electron/engine/url-probe.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent } from '../support/fixtures.ts';

describe('clipboard watch', () => {
  it('offers newly copied links to files, by extension or because the server says so, once each', async () => {
    const server = await FaultServer.start();
    server.addFile('/download', {
      body: makeContent(2000),
      contentType: 'application/octet-stream',
    });
    server.addFile('/article', {
      body: Buffer.from('<html></html>'),
      contentType: 'text/html; charset=utf-8',
    });
    let clipboard = 'something copied before watching: https://example.test/old.zip';
    const offers: string[][] = [];
    const watch = new ClipboardWatch({
      read: () => clipboard,
      offer: (urls) => offers.push(urls),
      probe: (url) => probeUrl(url, {}, { proxyMode: 'none', proxyUrl: '' }).catch(() => null),
      categories: () => DEFAULT_CATEGORIES,
    });
    try {
      await watch.check();
      assert.deepEqual(offers, [], 'what was on the clipboard before is not offered');
      clipboard = `Grab https://example.test/a/movie.MKV, and ${server.url('/download')} (mirror).`;
      await watch.check();
      clipboard = `${server.url('/article')} and https://example.test/page.html`;
      await watch.check();
      await watch.check();
      clipboard = `again: https://example.test/a/movie.MKV`;
      await watch.check();
      assert.deepEqual(offers, [['https://example.test/a/movie.MKV', server.url('/download')]]);
    } finally {
      await server.close();
    }
  });
});
