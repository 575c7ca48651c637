import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressLine, renderFrame, taskLabel } from '../../electron/cli/progress-display.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';

function task(overrides: Partial<TaskSnapshot>): TaskSnapshot {
  return {
    id: 'task-000001',
    url: 'http://example/ubuntu.iso',
    dir: '/tmp',
    fileName: 'ubuntu.iso',
    requestedName: null,
    state: 'downloading',
    priority: 'normal',
    order: 1,
    options: { connections: 8, limit: 0, headers: {}, checksum: null, maxSize: null, mirrors: [] },
    resumable: true,
    error: null,
    createdAt: 0,
    completedAt: null,
    downloaded: 421,
    size: 1000,
    speed: 118.2 * 1024 * 1024,
    averageSpeed: 0,
    eta: 7,
    connections: 8,
    segments: [],
    retry: null,
    verifying: null,
    ...overrides,
  };
}

describe('the progress display', () => {
  it('says which retry a retrying download is on, and why, briefly', () => {
    const url = 'http://example/ubuntu.iso';
    const retry = {
      attempt: 3,
      maxAttempts: 11,
      at: 0,
      message: `server answered 503 Service Unavailable for ${url}`,
    };
    const [line] = renderFrame([task({ speed: 0, eta: null, connections: 0, retry })], 100);
    assert.match(line!, /0 conn {2}retry 3\/10: 503 Service Unavailable$/);
    const reset = { ...retry, message: 'the server reset the connection (read ECONNRESET)' };
    const [other] = renderFrame([task({ speed: 0, eta: null, retry: reset })], 80);
    assert.match(other!, /ETA --:-- {2}retry 3\/10: the server reset the connection$/);
  });

  it('says a download is being verified, and how far, instead of 100% at 0 B/s', () => {
    const verifying = { algorithm: 'sha256' as const, hashed: 430, total: 1000 };
    const checking = task({ downloaded: 1000, speed: 0, eta: null, connections: 0, verifying });
    const [line] = renderFrame([checking], 80);
    assert.match(line!, /^ubuntu\.iso\s+verifying sha256 43%$/);
    assert.equal(line!.length, 80);
    assert.equal(progressLine(checking, 20), 'verifying sha256 43%');
    assert.equal(progressLine(checking, 15), 'verifying 43%');
    assert.equal(progressLine(checking, 5), '43%');
  });

  it('names a download not yet named by its link, without its password or token', () => {
    const url = 'http://user:s3cret@example/get?token=abc&id=7';
    const label = taskLabel(task({ url, fileName: null }));
    assert.equal(label, 'http://example/get?token=redacted&id=7');
  });

  it('shows name, percent, speed, ETA and connections on one line', () => {
    const [line] = renderFrame([task({})], 80);
    assert.match(line!, /^ubuntu\.iso\s+42\.1%\s+118 MiB\/s\s+ETA\s+0:07\s+8 conn$/);
    assert.ok(line!.length <= 80);
  });

  it('shows bytes instead of a percentage when the size is unknown', () => {
    const [line] = renderFrame([task({ size: null, downloaded: 3 * 1024 * 1024, eta: null })], 80);
    assert.match(line!, /3\.00 MiB/);
    assert.match(line!, /--:--/);
  });

  describe('as the terminal narrows', () => {
    const iso = task({ fileName: 'ubuntu-24.04.1-desktop-amd64.iso' });

    it('keeps percent, speed and ETA at 120, 80 and 40 columns, never going wider', () => {
      for (const width of [120, 80, 40]) {
        const line = progressLine(iso, width);
        assert.equal(line.length, width, `${width}: ${line}`);
        assert.match(line, /^ubuntu-24\.0.*\b42\.1%\s+118 MiB\/s\s+ETA\s+0:07\b/, `${width}`);
      }
    });

    it('drops the connection count first, then shortens the name with an ellipsis', () => {
      assert.match(
        progressLine(iso, 120),
        /^ubuntu-24\.04\.1-desktop-amd64\.iso {10,}.*0:07 {2}8 conn$/,
      );
      assert.equal(
        progressLine(iso, 80),
        'ubuntu-24.04.1-desktop-amd64.iso         42.1%    118 MiB/s  ETA    0:07  8 conn',
      );
      assert.equal(
        progressLine(iso, 60),
        'ubuntu-24.04.1-desktop-am…   42.1%    118 MiB/s  ETA    0:07',
      );
      assert.equal(progressLine(iso, 40), 'ubuntu-24.0…  42.1%  118 MiB/s  ETA 0:07');
    });

    it('keeps a retry’s status to the last: its reason goes, then speed and ETA, then the name', () => {
      const message = 'server answered 500 Internal Server Error for http://example/x';
      const retry = { attempt: 3, maxAttempts: 11, at: 0, message };
      const retrying = task({ ...iso, speed: 0, eta: null, retry });
      assert.equal(
        progressLine(retrying, 80),
        'ubuntu-24.04.1-…  42.1%  0 B/s  ETA --:--  retry 3/10: 500 Internal Server Error',
      );
      assert.equal(
        progressLine(retrying, 60),
        'ubuntu-24.04.1-desktop…  42.1%  0 B/s  ETA --:--  retry 3/10',
      );
      assert.equal(progressLine(retrying, 40), 'ubuntu-24.04.1-deskt…  42.1%  retry 3/10');
      assert.equal(progressLine(retrying, 30), 'ubuntu-24.…  42.1%  retry 3/10');
      assert.equal(progressLine(retrying, 20), '42.1%  retry 3/10');
      assert.equal(progressLine(retrying, 12), 'retry 3/10');
      for (let width = 0; width <= 80; width++) {
        const line = progressLine(retrying, width);
        assert.ok(line.length <= width, `${width}: ${line}`);
        if (width >= 10) assert.match(line, /retry 3\/10/, `${width}: ${line}`);
      }
      assert.equal(progressLine(iso, 30), '42.1%  118 MiB/s  ETA 0:07');
    });

    it('fits tiny widths such as 20 without throwing, dropping the ETA, then the speed', () => {
      assert.equal(progressLine(iso, 20), '42.1%  118 MiB/s');
      assert.equal(progressLine(iso, 10), '42.1%');
      const unknown = task({ ...iso, size: null, eta: null, downloaded: 3 * 1024 * 1024 });
      for (const t of [iso, unknown]) {
        for (let width = 0; width <= 40; width++) {
          assert.ok(progressLine(t, width).length <= width, `${width}: ${progressLine(t, width)}`);
        }
      }
    });

    it('counts Chinese, Japanese and Korean characters as two columns', () => {
      const wide = task({ fileName: '发行说明和安装指南完整版本.pdf' });
      const columns = (text: string) =>
        [...text].reduce((sum, c) => sum + (c.codePointAt(0)! >= 0x2e80 && c !== '…' ? 2 : 1), 0);
      for (const width of [80, 40]) {
        const line = progressLine(wide, width);
        assert.ok(columns(line) <= width, `${width}: ${line} takes ${columns(line)} columns`);
        assert.match(line, /^发行.*42\.1%\s+118 MiB\/s\s+ETA\s+0:07/);
      }
    });
  });

  it('shows at most rows - 1 lines, the last counting the downloads left out with the speed of all', () => {
    const many = Array.from({ length: 6 }, (_, i) =>
      task({ id: `task-${i}`, fileName: `file-${i}.iso`, speed: 1024 * 1024 }),
    );
    assert.equal(renderFrame(many, 80, 7).length, 6, 'six fit in seven rows');
    const lines = renderFrame(many, 80, 5);
    assert.equal(lines.length, 4);
    assert.match(lines[2]!, /^file-2\.iso/);
    assert.equal(lines[3], '+3 more (6.00 MiB/s total)');
    assert.deepEqual(renderFrame(many, 80, 1), ['+6 more (6.00 MiB/s total)']);
    assert.deepEqual(renderFrame(many, 8, 2), ['+6 more ']);
  });

  it('shortens long names to fit the terminal', () => {
    const [line] = renderFrame([task({ fileName: 'x'.repeat(200) })], 60);
    assert.equal(line!.length, 60);
    assert.match(line!, /x…/);
  });
});
