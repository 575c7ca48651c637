import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitForEnd, withHarness } from '../support/engine-harness.ts';
import { FaultServer, type RequestRecord } from '../support/fault-server.ts';
import { makeContent, sha256, sha256File, MiB } from '../support/fixtures.ts';

const SECRETS = { authorization: 'Bearer TOPSECRET', cookie: 'session=TOPSECRET' };

/** The requests that carried a credential, by any of the names that bind one to an origin. */
function withCredentials(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter(
    (r) => r.headers['authorization'] !== undefined || r.headers['cookie'] !== undefined,
  );
}

describe('credentials and other origins', () => {
  it('never sends Authorization or Cookie to the origin the link redirected to, on any range', async () => {
    const cdn = await FaultServer.start();
    try {
      await withHarness(async ({ engine, server, dir }) => {
        const body = makeContent(2 * MiB);
        cdn.addFile('/files/big.bin', { body });
        server.addRedirect('/download', cdn.url('/files/big.bin'));
        const link = new URL(server.url('/download'));
        link.username = 'bob';
        link.password = 'pw';
        const [task] = await engine.add([{ url: link.href, headers: SECRETS, connections: 4 }]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'big.bin')), sha256(body));
        assert.ok(cdn.stats.requests.length > 4, `${cdn.stats.requests.length} ranges at the CDN`);
        assert.deepEqual(withCredentials(cdn.stats.requests), []);
        // The link's own server did get them.
        assert.ok(server.stats.requests.length > 0);
        for (const r of server.stats.requests) {
          assert.equal(r.headers['authorization'], SECRETS.authorization);
          assert.equal(r.headers['cookie'], SECRETS.cookie);
        }
      });
    } finally {
      await cdn.close();
    }
  });

  it('never sends them to a mirror on another origin, and never the link’s user:password', async () => {
    const mirror = await FaultServer.start();
    try {
      await withHarness(async ({ engine, server, dir }) => {
        const body = makeContent(2 * MiB);
        server.addFile('/a.bin', { body, faults: { connectionRate: 512 * 1024 } });
        mirror.addFile('/a.bin', { body, faults: { connectionRate: 512 * 1024 } });
        const link = new URL(server.url('/a.bin'));
        link.username = 'bob';
        link.password = 'pw';
        const [task] = await engine.add([
          {
            url: link.href,
            headers: { cookie: SECRETS.cookie },
            mirrors: [mirror.url('/a.bin')],
            connections: 6,
          },
        ]);
        const done = await waitForEnd(engine, task!.id);
        assert.equal(done.state, 'completed', JSON.stringify(done.error));
        assert.equal(await sha256File(join(dir, 'a.bin')), sha256(body));
        assert.ok(mirror.stats.requests.length > 0, 'the mirror served ranges');
        assert.deepEqual(withCredentials(mirror.stats.requests), []);
      });
    } finally {
      await mirror.close();
    }
  });
});
