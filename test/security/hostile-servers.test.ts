import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { listDir, makeContent, MiB, sha256, sha256File } from '../support/fixtures.ts';

/** Writes a raw HTTP/1.1 response on the socket, bypassing every check Node's server makes. */
function raw(text: string | Buffer): (req: IncomingMessage) => void {
  return (req) => {
    req.socket.end(text);
  };
}

const FAIL_FAST = { maxRetries: 1 };

describe('hostile servers', () => {
  it('fails clearly on a megabyte of response headers, writing nothing', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addHandler(
        '/headers',
        raw(`HTTP/1.1 200 OK\r\nX-Junk: ${'a'.repeat(MiB)}\r\nContent-Length: 5\r\n\r\nhello`),
      );
      const [task] = await engine.add([{ url: server.url('/headers') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'failed');
      assert.match(done.error?.message ?? '', /header/i);
      assert.deepEqual(await listDir(dir), []);
    }, FAIL_FAST);
  });

  for (const length of ['-5', 'abc', '1, 2', '99999999999999999999999']) {
    it(`fails clearly on Content-Length: ${length}, presenting nothing as complete`, async () => {
      await withHarness(async ({ engine, server, dir }) => {
        server.addHandler('/len', raw(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\nhello`));
        const [task] = await engine.add([{ url: server.url('/len') }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'failed', JSON.stringify(done.error));
        assert.ok(done.error?.message);
        assert.ok(!(await listDir(dir)).includes('len'), 'no file under the final name');
      }, FAIL_FAST);
    });
  }

  it('stores what a server sends gzipped anyway, byte for byte, without inflating it', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      // 64 MiB of zeros in ~64 KiB: a bomb only if someone decompresses it.
      const bomb = gzipSync(Buffer.alloc(64 * MiB));
      server.addHandler('/bomb.bin', (_req, res) => {
        res.writeHead(200, {
          'content-encoding': 'gzip',
          'content-length': bomb.length,
          'content-type': 'application/octet-stream',
        });
        res.end(bomb);
      });
      const [task] = await engine.add([{ url: server.url('/bomb.bin') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed');
      assert.equal(done.size, bomb.length);
      assert.equal(await sha256File(join(dir, 'bomb.bin')), sha256(bomb));
    });
  });

  it('cuts an endless chunked body at the task size limit and fails with TOO_LARGE', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addHandler('/endless', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 7);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      });
      const [task] = await engine.add([{ url: server.url('/endless'), maxSize: 256 * 1024 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'TOO_LARGE');
      assert.match(done.error?.message ?? '', /size limit of 262144 bytes/);
      assert.ok(!(await listDir(dir)).includes('endless'), 'no file under the final name');
    });
  });

  it('refuses at once a file whose announced size is over the limit', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      server.addFile('/big.iso', { body: makeContent(MiB) });
      const [task] = await engine.add([{ url: server.url('/big.iso'), maxSize: 512 * 1024 }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.error?.code, 'TOO_LARGE');
      assert.match(done.error?.message ?? '', /1048576 bytes, over/);
      assert.equal(server.stats.requests.length, 1);
      assert.deepEqual(await listDir(dir), []);
    });
  });

  it('never shows the password or a signed-link secret in a task error', async () => {
    await withHarness(async ({ engine, server }) => {
      const url = new URL(server.url('/gone.iso?X-Amz-Signature=PLANTED-SIG&v=1'));
      url.username = 'bob';
      url.password = 'PLANTED-PASSWORD';
      const [task] = await engine.add([{ url: url.href }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.error?.code, 'HTTP_404');
      assert.doesNotMatch(done.error?.message ?? '', /PLANTED|bob/);
      assert.match(done.error?.message ?? '', /X-Amz-Signature=redacted/);
    });
  });
});

describe('hostile names on disk', () => {
  it('never writes through a symlink that already has the proposed name', async () => {
    await withHarness(async ({ engine, server, dir, home }) => {
      const outside = join(home, '..', 'outside');
      await mkdir(outside, { recursive: true });
      await writeFile(join(outside, 'victim.txt'), 'precious');
      await mkdir(dir, { recursive: true });
      await symlink(join(outside, 'victim.txt'), join(dir, 'report.pdf'));
      await symlink(join(outside, 'missing.txt'), join(dir, 'report.pdf.part'));
      const content = makeContent(200 * 1024);
      server.addFile('/report.pdf', { body: content });
      const [task] = await engine.add([{ url: server.url('/report.pdf') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed');
      assert.notEqual(done.fileName, 'report.pdf');
      assert.equal(await readFile(join(outside, 'victim.txt'), 'utf8'), 'precious');
      assert.deepEqual(await listDir(outside), ['victim.txt']);
      assert.equal(await sha256File(join(dir, done.fileName!)), sha256(content));
    });
  });
});
