import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  isPageType,
  looksLikeHtml,
  mediaTypeOf,
  namesAFile,
} from '../../electron/engine/web-page.ts';
import { probeUrl } from '../../electron/engine/url-probe.ts';
import { waitForEnd, waitForTask, withHarness, type Harness } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';
import type { Handler } from '../support/fault-server.ts';

const KiB = 1024;
const LOGIN_PAGE = Buffer.from(
  '\ufeff\n  <!DOCTYPE html>\n<html><body>Please sign in</body></html>',
);

/**
 * Rewrites a closed engine's saved tasks as an older version, which kept no media type, left them
 * (record-log.ts: each line is its payload's CRC-32, then the payload).
 */
async function forgetMediaTypes(home: string): Promise<void> {
  const dir = join(home, 'tasks');
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.jsonl'))) {
    const lines = (await readFile(join(dir, name), 'utf8')).split('\n').filter(Boolean);
    const older = lines.map((line) => {
      const payload = line.slice(9).replace(/"contentType":(null|"[^"]*"),/, '');
      return `${crc32(payload).toString(16).padStart(8, '0')} ${payload}\n`;
    });
    assert.ok(!older.join('').includes('"contentType"'), name);
    await writeFile(join(dir, name), older.join(''));
  }
}

/**
 * A download of `url` paused midway by a version of Braid that kept no media type in its record,
 * and the engine opened again on that record.
 */
async function pausedByAnOlderVersion(h: Harness, url: string) {
  const [task] = await h.engine.add([{ url, connections: 2 }]);
  await waitForTask(h.engine, task!.id, (t) => t.downloaded > 400 * KiB);
  await h.engine.pause(task!.id);
  await h.engine.close();
  await forgetMediaTypes(h.home);
  return { engine: await h.restart(), id: task!.id };
}

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

  it('fails, keeping no file, when a link to a .zip is redirected to a login page', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addRedirect('/files/report.zip', '/login?next=/files/report.zip');
      server.addHandler('/login', loginPage);
      const [task] = await engine.add([{ url: server.url('/files/report.zip') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'WEB_PAGE');
      assert.match(done.error!.message, /web page instead of report\.zip/);
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

  it('downloads a file whose server sends its Content-Type twice', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(100 * KiB);
      server.addHandler('/twice.zip', (_req, res) => {
        res.setHeader('content-type', ['application/zip', 'application/octet-stream']);
        res.setHeader('content-length', body.length);
        res.end(body);
      });
      const [task] = await engine.add([{ url: server.url('/twice.zip') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'twice.zip')), sha256(body));
    });
  });

  it('saves a page asked for under a page’s name, a name without extension, or one like /wiki/Node.js', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addHandler('/index.html', loginPage);
      server.addHandler('/welcome', loginPage);
      server.addHandler('/wiki/Node.js', loginPage);
      const tasks = await engine.add([
        { url: server.url('/index.html') },
        { url: server.url('/welcome') },
        { url: server.url('/wiki/Node.js') },
      ]);
      for (const task of tasks) {
        const done = await waitForEnd(engine, task.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
      }
      assert.deepEqual(await listDir(dir), ['Node.js', 'index.html', 'welcome']);
      assert.equal(await sha256File(join(dir, 'welcome')), sha256(LOGIN_PAGE));
    });
  });

  it('saves a site’s home page, named after its host, which promises no file', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addHandler('/', loginPage);
      const probed = await probeUrl(server.url('/'), {}, { proxyMode: 'none', proxyUrl: '' });
      assert.equal(probed.fileName, '127.0.0.1');
      const [task] = await engine.add([{ url: server.url('/') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, '127.0.0.1')), sha256(LOGIN_PAGE));
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
            // The FaultServer's date, which the file served later shows: the same file, so the
            // kept part may be resumed (without validators it would start over).
            'last-modified': 'Tue, 01 Sep 2026 10:00:00 GMT',
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

describe('web pages and downloads begun by a version that kept no media type', () => {
  it('resumes a file its server labels text/html from the bytes kept', async () => {
    await withHarness(
      async (h) => {
        const body = makeContent(3 * MiB);
        const slow = { connectionRate: 1 * MiB };
        h.server.addFile('/data.zip', { body, contentType: 'text/html', faults: slow });
        const { engine, id } = await pausedByAnOlderVersion(h, h.server.url('/data.zip'));
        const served = h.server.stats.bodyBytes;
        const kept = engine.get(id)!.downloaded;
        await engine.resume(id);
        const done = await waitForEnd(engine, id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(h.dir, 'data.zip')), sha256(body));
        assert.equal(
          h.server.stats.bodyBytes - served,
          body.length - kept,
          'only the rest fetched',
        );
      },
      { maxRetries: 1 },
    );
  });

  it('still keeps the downloaded part when the link of such a download answers a page', async () => {
    await withHarness(
      async (h) => {
        const body = makeContent(3 * MiB);
        h.server.addFile('/disk.iso', { body, faults: { connectionRate: 1 * MiB } });
        const { engine, id } = await pausedByAnOlderVersion(h, h.server.url('/disk.iso'));
        h.server.addHandler('/disk.iso', loginPage);
        await engine.resume(id);
        const failed = await waitForEnd(engine, id);
        assert.equal(failed.error?.code, 'WEB_PAGE');
        assert.ok(failed.downloaded > 400 * KiB, `${failed.downloaded} bytes kept`);
        assert.deepEqual(await listDir(h.dir), ['disk.iso.part']);
      },
      { maxRetries: 1 },
    );
  });
});

describe('a signed link that expires into a web page', () => {
  it('asks the original link for a fresh one, keeping the bytes', async () => {
    await withHarness(
      async ({ engine, server, dir }) => {
        const body = makeContent(6 * MiB);
        // Each signed link serves one answer; asked again, it says it expired, with a page.
        let signed = 0;
        const spent = new Set<string>();
        server.addHandler('/download', (_req, res) => {
          res.writeHead(302, { location: `/cdn/disk.iso?sig=${++signed}` });
          res.end();
        });
        server.addHandler('/cdn/disk.iso', (req, res) => {
          const sig = new URL(req.url!, server.origin).searchParams.get('sig')!;
          if (spent.has(sig)) return loginPage(req, res);
          spent.add(sig);
          const [, from, to] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')!;
          const start = Number(from);
          const end = Math.min(Number(to), body.length - 1);
          res.writeHead(206, {
            'content-type': 'application/octet-stream',
            etag: '"v1"',
            'content-range': `bytes ${start}-${end}/${body.length}`,
            'content-length': end - start + 1,
          });
          res.end(body.subarray(start, end + 1));
        });
        const [task] = await engine.add([{ url: server.url('/download'), connections: 1 }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'disk.iso')), sha256(body));
        const pages = server.stats.requests.filter(
          (r) => r.path === '/cdn/disk.iso' && r.status === 200,
        );
        assert.ok(pages.length > 0, 'a signed link did expire');
        assert.ok(
          server.stats.bodyBytes < body.length + 64 * KiB,
          `served ${server.stats.bodyBytes}`,
        );
      },
      { maxRetries: 2 },
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

  it('expects a file, never a page, only from the extensions of files people download', () => {
    assert.equal(namesAFile('setup.zip'), true);
    assert.equal(namesAFile('backup.tar.gz'), true);
    assert.equal(namesAFile('Disk.ISO'), true);
    assert.equal(namesAFile('index.HTML'), false);
    assert.equal(namesAFile('view.php'), false);
    assert.equal(namesAFile('Node.js'), false);
    assert.equal(namesAFile('v2.1'), false);
    assert.equal(namesAFile('download'), false);
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
