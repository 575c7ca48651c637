import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import {
  chooseFileName,
  fileNameFromUrl,
  sanitizeFileName,
  uniqueFileName,
} from '../../electron/engine/file-name.ts';
import { tempDir } from '../support/fixtures.ts';

function assertSafe(name: string): void {
  assert.ok(!/[/\\\0]/.test(name), `no separators or NUL in ${JSON.stringify(name)}`);
  assert.ok(Buffer.byteLength(name) <= 255, `at most 255 bytes: ${Buffer.byteLength(name)}`);
  assert.equal(dirname(join('/downloads', name)), '/downloads', `stays in the folder: ${name}`);
  assert.ok(!name.startsWith('.') && name !== '', `not hidden or empty: ${name}`);
}

const HOSTILE: [input: string, expected: string][] = [
  ['../../etc/passwd', 'passwd'],
  ['/etc/shadow', 'shadow'],
  ['C:\\Windows\\System32\\evil.dll', 'evil.dll'],
  ['..\\..\\boot.ini', 'boot.ini'],
  ['..', 'download'],
  ['.', 'download'],
  ['...', 'download'],
  ['', 'download'],
  ['.bashrc', 'bashrc'],
  ['report.pdf...   ', 'report.pdf'],
  ['a\0b.txt', 'ab.txt'],
  ['tab\tand\nnewline\r.txt', 'tabandnewline.txt'],
  ['\u202egnp.exe', 'gnp.exe'],
  ['what?<is>:this|*".txt', 'what__is__this___.txt'],
  ['CON', '_CON'],
  ['nul.txt', '_nul.txt'],
  ['Com1.tar.gz', '_Com1.tar.gz'],
  ['lpt9', '_lpt9'],
  ['console.log', 'console.log'],
  ['cafe\u0301.txt', 'café.txt'],
];

describe('sanitizing file names', () => {
  for (const [input, expected] of HOSTILE) {
    it(`turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
      const out = sanitizeFileName(input);
      assert.equal(out, expected);
      assertSafe(out);
    });
  }

  it('cuts overlong names to 255 bytes on a character boundary and keeps the extension', () => {
    for (const char of ['a', '文', '😀']) {
      const out = sanitizeFileName(char.repeat(300) + '.tar.gz');
      assertSafe(out);
      assert.ok(out.endsWith('.tar.gz'), out.slice(-20));
      assert.ok(Buffer.byteLength(out) > 240, 'uses the room it has');
      assert.ok(!out.includes('\ufffd'));
    }
  });

  it('never produces an unsafe name from random input', () => {
    const chars = ['a', '.', '/', '\\', '\0', ' ', '文', '😀', ':', 'C', 'O', 'N', '%', '\n'];
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const length = (seed = (seed * 16807) % 2147483647) % 300;
      for (let j = 0; j < length; j++)
        s += chars[(seed = (seed * 16807) % 2147483647) % chars.length];
      assertSafe(sanitizeFileName(s));
    }
  });
});

describe('names from URLs', () => {
  it('decodes the last path segment and ignores the query', () => {
    assert.equal(fileNameFromUrl(new URL('http://h/dir/file%20name.zip?x=1#y')), 'file name.zip');
    assert.equal(fileNameFromUrl(new URL('http://h/dir/')), 'dir');
    assert.equal(fileNameFromUrl(new URL('http://h/')), null);
    assert.equal(
      fileNameFromUrl(new URL('http://h/100%25%zz')),
      '100%25%zz',
      'bad escapes stay raw',
    );
  });

  it('cannot escape the folder through encoded separators', () => {
    for (const path of [
      '/x/..%2f..%2fetc%2fpasswd',
      '/%2e%2e%2f%2e%2e%2fsecret',
      '/a%5c..%5c..%5cwin.ini',
      '/%00evil',
    ]) {
      const name = chooseFileName({ url: new URL(`http://h${path}`) });
      assertSafe(name);
    }
  });

  it('prefers the user’s name, then Content-Disposition, then the URL, then the host', () => {
    const url = new URL('http://files.example/get/archive.zip');
    const cd = 'attachment; filename="server.zip"';
    assert.equal(chooseFileName({ url, contentDisposition: cd, override: 'mine.zip' }), 'mine.zip');
    assert.equal(chooseFileName({ url, contentDisposition: cd }), 'server.zip');
    // A dot file only when the user names it; never from the server, never "." or "..".
    assert.equal(chooseFileName({ url, override: '.env' }), '.env');
    assert.equal(chooseFileName({ url, override: '..' }), 'download');
    assert.equal(chooseFileName({ url, override: '../.ssh/.env' }), '.env');
    assert.equal(chooseFileName({ url, contentDisposition: 'attachment; filename=".env"' }), 'env');
    assert.equal(chooseFileName({ url }), 'archive.zip');
    assert.equal(chooseFileName({ url: new URL('http://files.example/') }), 'files.example');
    assert.equal(
      chooseFileName({
        url,
        contentDisposition: 'attachment; filename="../../.ssh/authorized_keys"',
      }),
      'authorized_keys',
    );
  });

  it('names a file after an IPv6 host without its brackets', () => {
    assert.equal(chooseFileName({ url: new URL('http://[::1]:8080/') }), '__1');
    assert.equal(chooseFileName({ url: new URL('http://[2001:db8::7]/') }), '2001_db8__7');
  });
});

describe('names of files typed only by Content-Type', () => {
  const url = new URL('http://files.example/dl1');

  it('adds the usual extension of the type to a name from an extensionless path or the host', () => {
    assert.equal(chooseFileName({ url, contentType: 'video/mp4' }), 'dl1.mp4');
    assert.equal(chooseFileName({ url, contentType: 'audio/mpeg' }), 'dl1.mp3');
    assert.equal(chooseFileName({ url, contentType: 'application/gzip' }), 'dl1.gz');
    assert.equal(
      chooseFileName({ url, contentType: 'application/vnd.debian.binary-package' }),
      'dl1.deb',
    );
    assert.equal(
      chooseFileName({ url: new URL('http://files.example/'), contentType: 'application/zip' }),
      'files.example.zip',
    );
  });

  it('leaves the name alone when the type says nothing particular or names a page', () => {
    for (const contentType of [
      null,
      'application/octet-stream',
      'text/plain',
      'text/html',
      'application/xhtml+xml',
      'application/x-unheard-of',
    ])
      assert.equal(chooseFileName({ url, contentType }), 'dl1', String(contentType));
  });

  it('never changes a name the user gave, the server gave, or a path gave with an extension', () => {
    const contentType = 'video/mp4';
    assert.equal(chooseFileName({ url, contentType, override: 'mine' }), 'mine');
    assert.equal(
      chooseFileName({ url, contentType, contentDisposition: 'attachment; filename="talk"' }),
      'talk',
    );
    const named = new URL('http://files.example/talk.webm');
    assert.equal(chooseFileName({ url: named, contentType }), 'talk.webm');
  });
});

describe('unique names', () => {
  it("fails with the file system's error where it cannot tell whether a name is free", async () => {
    const tmp = await tempDir();
    try {
      const notAFolder = join(tmp.path, 'a-file');
      await writeFile(notAFolder, '');
      await assert.rejects(uniqueFileName(notAFolder, 'a.zip'), { code: 'ENOTDIR' });
    } finally {
      await tmp.cleanup();
    }
  });

  it('never picks a name that exists, has a .part, is a dangling symlink, or is reserved', async () => {
    const tmp = await tempDir();
    const dir = tmp.path;
    try {
      assert.equal(await uniqueFileName(dir, 'a.zip'), 'a.zip');
      await writeFile(join(dir, 'a.zip'), '');
      assert.equal(await uniqueFileName(dir, 'a.zip'), 'a (1).zip');
      await writeFile(join(dir, 'a (1).zip.part'), '');
      assert.equal(await uniqueFileName(dir, 'a.zip'), 'a (2).zip');
      await symlink('/nonexistent/target', join(dir, 'a (2).zip'));
      assert.equal(await uniqueFileName(dir, 'a.zip'), 'a (3).zip');
      assert.equal(await uniqueFileName(dir, 'a.zip', (c) => c === 'a (3).zip'), 'a (4).zip');
      await writeFile(join(dir, 'src.tar.gz'), '');
      assert.equal(await uniqueFileName(dir, 'src.tar.gz'), 'src (1).tar.gz');
      await mkdir(join(dir, 'README'));
      assert.equal(await uniqueFileName(dir, 'README'), 'README (1)');
      const long = '文'.repeat(83) + '.txt';
      await writeFile(join(dir, long), '');
      const next = await uniqueFileName(dir, long);
      assert.notEqual(next, long);
      assert.ok(next.endsWith('.txt') && Buffer.byteLength(next + '.part') <= 255, next);
    } finally {
      await tmp.cleanup();
    }
  });
});
