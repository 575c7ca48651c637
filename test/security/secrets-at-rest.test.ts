import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DownloadEngine } from '../../electron/engine/download-engine.ts';
import type { SecretBox } from '../../electron/engine/secret-box.ts';
import { tempDir } from '../support/fixtures.ts';

/** AES-256-GCM with a key held in memory: what safeStorage does with the OS keychain's key. */
function aesBox(key: Buffer): SecretBox {
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const data = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

const HEADERS = {
  Authorization: 'Bearer PLANTED-AUTH',
  Cookie: 'sid=PLANTED-COOKIE',
  'X-Trace': 'plain',
};

async function recordText(home: string): Promise<string> {
  const dir = join(home, 'tasks');
  const names = await readdir(dir);
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).join('\n');
}

describe('secrets at rest', () => {
  it('encrypts auth and cookie headers in task records, and restores them on the next start', async () => {
    const dirs = await tempDir();
    const home = join(dirs.path, 'home');
    const box = aesBox(randomBytes(32));
    try {
      let engine = await DownloadEngine.open({ home, secrets: box });
      const [task] = await engine.add([
        { url: 'http://127.0.0.1:9/a.iso', paused: true, headers: HEADERS },
      ]);
      await engine.close();
      const text = await recordText(home);
      assert.ok(!text.includes('PLANTED'), 'no credential in clear on disk');
      assert.match(text, /"X-Trace":"plain"/);
      engine = await DownloadEngine.open({ home, secrets: box });
      assert.deepEqual(engine.get(task!.id)?.options.headers, HEADERS);
      await engine.close();
    } finally {
      await dirs.cleanup();
    }
  });

  it('drops what another key sealed instead of failing to start', async () => {
    const dirs = await tempDir();
    const home = join(dirs.path, 'home');
    try {
      let engine = await DownloadEngine.open({ home, secrets: aesBox(randomBytes(32)) });
      const [task] = await engine.add([
        { url: 'http://127.0.0.1:9/a.iso', paused: true, headers: HEADERS },
      ]);
      await engine.close();
      engine = await DownloadEngine.open({ home, secrets: aesBox(randomBytes(32)) });
      assert.deepEqual(engine.get(task!.id)?.options.headers, { 'X-Trace': 'plain' });
      await engine.close();
    } finally {
      await dirs.cleanup();
    }
  });

  it('keeps task records readable by the user only when there is no secret store', async () => {
    const dirs = await tempDir();
    const home = join(dirs.path, 'home');
    try {
      const engine = await DownloadEngine.open({ home });
      await engine.add([{ url: 'http://127.0.0.1:9/a.iso', paused: true, headers: HEADERS }]);
      await engine.close();
      assert.equal((await stat(join(home, 'tasks'))).mode & 0o777, 0o700);
    } finally {
      await dirs.cleanup();
    }
  });
});

describe('proxy credentials at rest', () => {
  it('seals the proxy URL (with its password) in settings.json and opens it on the next start', async () => {
    const dirs = await tempDir();
    const home = join(dirs.path, 'home');
    const box = aesBox(randomBytes(32));
    const proxyUrl = 'http://me:PLANTED-PROXY@proxy.example:3128';
    try {
      let engine = await DownloadEngine.open({ home, secrets: box });
      await engine.updateSettings({ proxyMode: 'custom', proxyUrl });
      await engine.close();
      assert.ok(!(await readFile(join(home, 'settings.json'), 'utf8')).includes('PLANTED'));
      engine = await DownloadEngine.open({ home, secrets: box });
      assert.deepEqual([engine.settings.proxyMode, engine.settings.proxyUrl], ['custom', proxyUrl]);
      await engine.close();
    } finally {
      await dirs.cleanup();
    }
  });
});
