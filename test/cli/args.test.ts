import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildGetPlan,
  parseHeader,
  parseUrlList,
  type RawGetOptions,
} from '../../electron/cli/args.ts';

describe('braid get arguments', () => {
  it('takes a link given twice as one download', () => {
    const result = buildGetPlan(
      ['https://a.example/x', 'https://a.example/x'],
      {},
      'https://a.example/x\n',
    );
    assert.ok('plan' in result, JSON.stringify(result));
    assert.deepEqual(result.plan.tasks, [{ url: 'https://a.example/x' }]);
  });

  it('names a link that is not a URL once, suggesting https:// when only the scheme is missing', () => {
    const result = buildGetPlan(['example.com/file.iso', 'not a link'], {});
    assert.ok('errors' in result);
    assert.deepEqual(result.errors, [
      'example.com/file.iso: url: not a valid URL; did you mean https://example.com/file.iso?',
      'not a link: url: not a valid URL',
    ]);
  });

  it('takes the folder part of --out as the folder, under --dir when both are given', () => {
    const plan = (options: { out: string; dir?: string }) => {
      const result = buildGetPlan(['https://a.example/x'], options);
      assert.ok('plan' in result, JSON.stringify(result));
      return { dir: result.plan.dir, name: result.plan.tasks[0]?.fileName };
    };
    assert.deepEqual(plan({ out: 'sub/x.bin' }), { dir: 'sub', name: 'x.bin' });
    assert.deepEqual(plan({ out: 'sub/x.bin', dir: '/data' }), { dir: '/data/sub', name: 'x.bin' });
    assert.deepEqual(plan({ out: '../up.bin', dir: '/data/in' }), { dir: '/data', name: 'up.bin' });
    assert.deepEqual(plan({ out: 'x.bin', dir: 'd' }), { dir: 'd', name: 'x.bin' });
    assert.ok('errors' in buildGetPlan(['https://a.example/x'], { out: '..' }));
    assert.deepEqual(plan({ out: '/abs/x.bin', dir: 'd' }), { dir: '/abs', name: 'x.bin' });
  });

  it('refuses an --out that names no file, in one sentence', () => {
    for (const out of ['', 'sub/', '.']) {
      const result = buildGetPlan(['https://a.example/x'], { out });
      assert.ok('errors' in result, out);
      assert.deepEqual(result.errors, [
        `--out needs a file name, not ${JSON.stringify(out)} (--dir says the folder)`,
      ]);
    }
  });

  it('builds one task per URL with the options applied', () => {
    const result = buildGetPlan(['https://a.example/x.iso'], {
      out: 'y.iso',
      connections: '16',
      limit: '500K',
      sha256: 'AB'.repeat(32),
      header: ['Cookie: a=b', 'X-Token:  t '],
      jobs: '4',
    });
    assert.ok('plan' in result, JSON.stringify(result));
    assert.deepEqual(result.plan.tasks, [
      {
        url: 'https://a.example/x.iso',
        fileName: 'y.iso',
        connections: 16,
        limit: 500 * 1024,
        headers: { Cookie: 'a=b', 'X-Token': 't' },
        checksum: { algorithm: 'sha256', expected: 'AB'.repeat(32) },
      },
    ]);
    assert.equal(result.plan.jobs, 4);
  });

  it('reports every problem at once, each on its own line', () => {
    const result = buildGetPlan(['file:///etc/passwd', 'javascript:alert(1)'], {
      out: 'a',
      connections: '0',
      limit: 'fast',
      header: ['NoColon', 'Range: bytes=0-'],
    });
    assert.ok('errors' in result);
    const text = result.errors.join('\n');
    assert.match(text, /--out needs exactly one URL/);
    assert.match(text, /--connections must be a whole number from 1 to 32/);
    assert.match(text, /invalid rate "fast"/);
    assert.match(text, /invalid header "NoColon"/);
    assert.match(text, /unsupported URL scheme "file:"/);
    assert.match(text, /unsupported URL scheme "javascript:"/);
    assert.match(text, /managed by Braid/);
  });

  it('needs a URL, and a checksum only with a single URL', () => {
    assert.deepEqual(buildGetPlan([], {}), {
      errors: ['no URL given: pass URLs or --input <file>'],
    });
    assert.deepEqual(buildGetPlan([], { input: 'list.txt' }, '# nothing yet\n'), {
      errors: ['no URL in list.txt (one per line; # starts a comment)'],
    });
    assert.deepEqual(buildGetPlan([], { input: '-' }, '\n'), {
      errors: ['no URL on standard input (one per line; # starts a comment)'],
    });
    const two = buildGetPlan(['http://a/1', 'http://a/2'], { md5: '0'.repeat(32) });
    assert.ok('errors' in two && two.errors.includes('--md5 needs exactly one URL'));
    const bad = buildGetPlan(['http://a/1'], { sha256: 'xyz' });
    assert.ok('errors' in bad && /hexadecimal/.test(bad.errors.join()));
  });

  it('says how many hex digits a checksum takes when one of the wrong length is given', () => {
    const errors = (options: RawGetOptions) => {
      const result = buildGetPlan(['http://a/1'], options);
      return 'errors' in result ? result.errors : [];
    };
    assert.deepEqual(errors({ md5: 'a'.repeat(31) }), ['--md5 takes 32 hex digits; got 31']);
    assert.deepEqual(errors({ sha1: 'B'.repeat(41) }), ['--sha1 takes 40 hex digits; got 41']);
    assert.deepEqual(errors({ sha256: '0'.repeat(32) }), ['--sha256 takes 64 hex digits; got 32']);
    assert.deepEqual(errors({ md5: 'z'.repeat(32) }), [
      '--md5 takes 32 hex digits; "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" is not hexadecimal',
    ]);
  });

  it('reads input files with comments and blank lines, after positional URLs', () => {
    assert.deepEqual(parseUrlList('# list\nhttp://a/1\r\n\n  http://a/2  \n#http://a/3\n'), [
      'http://a/1',
      'http://a/2',
    ]);
    const result = buildGetPlan(['http://a/0'], {}, 'http://a/1\n');
    assert.ok('plan' in result);
    assert.deepEqual(
      result.plan.tasks.map((t) => t.url),
      ['http://a/0', 'http://a/1'],
    );
  });

  it('splits headers at the first colon', () => {
    assert.deepEqual(parseHeader('Authorization: Basic a:b'), ['Authorization', 'Basic a:b']);
    assert.throws(() => parseHeader(': x'), /invalid header/);
  });
});
