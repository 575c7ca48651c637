import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  isPageType,
  looksLikeHtml,
  mediaTypeOf,
  namesNonPage,
} from '../../electron/engine/web-page.ts';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';
import type { Handler } from '../support/fault-server.ts';

const KiB = 1024;
const LOGIN_PAGE = Buffer.from(
  '\ufeff\n  <!DOCTYPE html>\n<html><body>Please sign in</body></html>',
);

/** What a file host answers once a link expired or wants a login: 200 and a page, Range or not. */
const loginPage: Handler = (_req, res) => {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': LOGIN_PAGE.length,
  });
  res.end(LOGIN_PAGE);
};

describe('web pages where a file was expected', () => {
  it('fails at once, keeping no file, when a link to a .zip answers with a page', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addHandler('/setup.zip', loginPage);
      const [task] = await engine.add([{ url: server.url('/setup.zip') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'WEB_PAGE');
      assert.match(done.error!.message, /web page instead of setup\.zip.*expired or need a login/);
      assert.equal(server.stats.requests.length, 1, 'not retried');
      assert.deepEqual(await listDir(dir), []);
    });
  });

  it('downloads a file its server labels text/html when its bytes are no page', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(300 * KiB);
      server.addFile('/data.zip', { body, contentType: 'text/html' });
      const [task] = await engine.add([{ url: server.url('/data.zip'), connections: 4 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'data.zip')), sha256(body));
    });
  });

  it('saves a page asked for under a page’s name or a name without extension', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addHandler('/index.html', loginPage);
      server.addHandler('/welcome', loginPage);
      const tasks = await engine.add([
        { url: server.url('/index.html') },
        { url: server.url('/welcome') },
      ]);
      for (const task of tasks) {
        const done = await waitForEnd(engine, task.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
      }
      assert.deepEqual(await listDir(dir), ['index.html', 'welcome']);
      assert.equal(await sha256File(join(dir, 'welcome')), sha256(LOGIN_PAGE));
    });
  });

  it('keeps the downloaded part when the server turns to a page midway, and resumes once the link works again', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const body = makeContent(6 * MiB);
        let answered = 0;
        // The first answer is the file's first range; every later one, the page.
        server.addHandler('/big.iso', (req, res) => {
          if (answered++ > 0) return loginPage(req, res);
          const [, from, to] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')!;
          const start = Number(from);
          const end = Math.min(Number(to), body.length - 1);
          res.writeHead(206, {
            'content-type': 'application/octet-stream',
            'content-range': `bytes ${start}-${end}/${body.length}`,
            'content-length': end - start + 1,
          });
          res.end(body.subarray(start, end + 1));
        });
        const [task] = await engine.add([{ url: server.url('/big.iso'), connections: 2 }]);
        const failed = await waitForEnd(engine, task!.id);
        assert.equal(failed.state, 'failed');
        assert.equal(failed.error?.code, 'WEB_PAGE');
        assert.match(failed.error!.message, /the rest of the file.*the downloaded part is kept/);
        assert.ok(failed.downloaded > 0, 'the first range was kept');
        assert.ok(answered > 2, 'a page was retried');
        assert.deepEqual(await listDir(dir), ['big.iso.part']);

        server.addFile('/big.iso', { body });
        await engine.retry(task!.id);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'big.iso')), sha256(body));
        assert.equal(server.stats.bodyBytes, body.length - failed.downloaded, 'resumed');
      },
      { maxRetries: 1 },
    );
  });
});

describe('telling a page from a file', () => {
  it('takes the media type without parameters, in lower case', () => {
    assert.equal(mediaTypeOf({ 'content-type': 'Text/HTML; charset=UTF-8' }), 'text/html');
    assert.equal(mediaTypeOf({}), null);
    assert.equal(isPageType('application/xhtml+xml'), true);
    assert.equal(isPageType('text/plain'), false);
  });

  it('expects a file from a name with any extension but a page’s', () => {
    assert.equal(namesNonPage('setup.zip'), true);
    assert.equal(namesNonPage('notes.txt'), true);
    assert.equal(namesNonPage('backup.tar.gz'), true);
    assert.equal(namesNonPage('index.HTML'), false);
    assert.equal(namesNonPage('view.php'), false);
    assert.equal(namesNonPage('download'), false);
  });

  it('sniffs HTML as browsers do: a known tag first, after a BOM and whitespace', () => {
    assert.equal(looksLikeHtml(LOGIN_PAGE), true);
    assert.equal(looksLikeHtml(Buffer.from('<HTML lang="en">')), true);
    assert.equal(looksLikeHtml(Buffer.from('<!-- a comment -->')), true);
    assert.equal(looksLikeHtml(Buffer.from('<p>')), true);
    assert.equal(looksLikeHtml(Buffer.from('<base64 data')), false);
    assert.equal(looksLikeHtml(Buffer.from('PK\x03\x04<html>', 'latin1')), false);
    assert.equal(looksLikeHtml(Buffer.from('<?xml version="1.0"?>')), false);
    assert.equal(looksLikeHtml(Buffer.alloc(0)), false);
  });
});
