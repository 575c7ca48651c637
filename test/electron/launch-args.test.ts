import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linksFromArgv } from '../../electron/main/launch-args.ts';

describe('links handed to the desktop app on its command line', () => {
  it('takes http(s) URLs and braid://add links, ignoring Chromium flags and paths', () => {
    const argv = [
      '/opt/Braid/braid',
      '--allow-file-access-from-files',
      'https://example.test/a.iso',
      '--original-process-start-time=13370000',
      'braid://add?url=http%3A%2F%2Fexample.test%2Fb.zip&url=https%3A%2F%2Fexample.test%2Fc.zip',
      '/home/me/notes.txt',
      '.',
    ];
    assert.deepEqual(linksFromArgv(argv), [
      'https://example.test/a.iso',
      'http://example.test/b.zip',
      'https://example.test/c.zip',
    ]);
  });

  it('refuses other schemes, inside braid:// links too', () => {
    assert.deepEqual(
      linksFromArgv([
        'file:///etc/passwd',
        'javascript:alert(1)',
        'braid://add?url=file%3A%2F%2F%2Fetc%2Fpasswd',
        'braid://delete?url=http%3A%2F%2Fexample.test%2Fx',
        'braid://add?url=not%20a%20url',
      ]),
      [],
    );
  });

  it('drops duplicates and overlong arguments', () => {
    const long = `https://example.test/${'a'.repeat(9000)}`;
    assert.deepEqual(linksFromArgv(['http://x.test/1', 'http://x.test/1', long]), [
      'http://x.test/1',
    ]);
  });
});
