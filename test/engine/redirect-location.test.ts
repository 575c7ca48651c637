import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { makeContent, sha256, sha256File } from '../support/fixtures.ts';

const KiB = 1024;

/** A Location header sent as these raw bytes (node:http writes header strings as latin1). */
function rawLocation(bytes: Buffer): string {
  return bytes.toString('latin1');
}

describe('a Location with non-ASCII bytes', () => {
  it('reads raw UTF-8 as UTF-8, as browsers and curl do: the file is asked for and named right', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(200 * KiB);
      server.addFile('/files/na%C3%AFve%20file.zip', { body });
      server.addHandler('/get', (_req, res) => {
        const location = rawLocation(Buffer.from('/files/naïve file.zip', 'utf8'));
        res.writeHead(302, { location, 'content-length': 0 }).end();
      });
      const [task] = await engine.add([{ url: server.url('/get') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(done.fileName, 'naïve file.zip');
      assert.equal(await sha256File(join(dir, 'naïve file.zip')), sha256(body));
      const asked = server.stats.requests.filter((r) => r.path !== '/get').map((r) => r.path);
      assert.deepEqual([...new Set(asked)], ['/files/na%C3%AFve%20file.zip']);
    });
  });

  it('keeps bytes that are not UTF-8 as Latin-1 letters', async () => {
    await withHarness(async ({ engine, server, dir }) => {
      const body = makeContent(50 * KiB);
      server.addFile('/files/caf%C3%A9.txt', { body });
      server.addHandler('/get', (_req, res) => {
        const location = rawLocation(Buffer.from('/files/caf\xe9.txt', 'latin1'));
        res.writeHead(302, { location, 'content-length': 0 }).end();
      });
      const [task] = await engine.add([{ url: server.url('/get') }]);
      const done = await waitForEnd(engine, task!.id);
      assert.equal(done.state, 'completed', JSON.stringify(done.error));
      assert.equal(await sha256File(join(dir, 'café.txt')), sha256(body));
    });
  });
});
