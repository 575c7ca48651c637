import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/chromium.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, sha256, sha256File, tempDir, MiB } from '../support/fixtures.ts';
import { startServeProcess, type ServeProcess } from '../support/serve-process.ts';

/** End to end: the real CLI serving the built UI, driven in Debian's Chromium. */
describe('web UI served by braid serve, in Chromium', () => {
  let server: FaultServer;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let dirs: { path: string; cleanup(): Promise<void> };
  let downloads: string;
  const pageErrors: string[] = [];
  const big = makeContent(6 * MiB, 'e2e-big');
  const small = makeContent(300 * 1024, 'e2e-small');

  before(async () => {
    server = await FaultServer.start();
    // Slow enough to watch the bar move and to pause midway; fast enough to finish in seconds.
    server.addFile('/video.mp4', { body: big, faults: { connectionRate: 512 * 1024 } });
    server.addFile('/notes.txt', { body: small });
    dirs = await tempDir('braid-e2e-');
    downloads = join(dirs.path, 'downloads');
    const home = join(dirs.path, 'home');
    // A download on an expired link fails after a few attempts, not after 11 rounds of backoff
    // (a minute and a half): the spec of a new link waits for that failure.
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'settings.json'), JSON.stringify({ maxRetries: 2 }));
    serve = await startServeProcess(['--dir', downloads], { BRAID_HOME: home });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
    await page.goto(serve.url);
  });

  after(async () => {
    assert.deepEqual(pageErrors, [], 'no script errors and no CSP violations in the page');
    await browser?.close();
    const code = await serve?.stop();
    await server?.close();
    await dirs?.cleanup();
    assert.equal(code, 0, 'braid serve exits cleanly on SIGTERM');
  });

  const box = async (locator: ReturnType<Page['locator']>) => {
    const found = await locator.boundingBox();
    assert.ok(found, 'laid out');
    return { top: found.y, bottom: found.y + found.height, height: found.height };
  };
  const row = (name: string) =>
    page.getByRole('grid', { name: 'Downloads' }).getByRole('row').filter({ hasText: name });

  const recentErrors = () =>
    page.getByRole('region', { name: 'Monitor' }).getByRole('list', { name: 'Recent errors' });

  async function progressOf(name: string): Promise<number> {
    const value = await row(name).getByRole('progressbar', { name }).getAttribute('aria-valuenow');
    return Number(value);
  }

  it('drops the token from the address bar after logging in', async () => {
    assert.doesNotMatch(page.url(), /token=/);
    await page.getByRole('grid', { name: 'Downloads' }).waitFor({ state: 'attached' });
    await page.getByText('No downloads yet').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}empty.png` });
  });

  it('adds a download typed into the URL field and shows its progress advancing', async () => {
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(server.url('/video.mp4'));
    await page.screenshot({ path: `${ARTIFACTS}add-dialog.png` });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const item = row('video.mp4');
    await item.waitFor();
    await item.getByText('Downloading', { exact: true }).waitFor();
    const first = await waitForValue(
      () => progressOf('video.mp4'),
      (v) => v > 0,
    );
    await waitForValue(
      () => progressOf('video.mp4'),
      (v) => v > first,
    );
    // The app-wide graph names the current speed: no longer zero while bytes flow.
    await page
      .getByRole('img', { name: /^Speed: [1-9]/ })
      .first()
      .waitFor();
    await page.screenshot({ path: `${ARTIFACTS}downloading.png` });
  });

  it('pauses and resumes, then completes with the exact bytes', async () => {
    const item = row('video.mp4');
    await item.getByRole('button', { name: 'Pause', exact: true }).click();
    await item.getByText('Paused', { exact: true }).waitFor();
    const paused = await progressOf('video.mp4');
    await page.waitForTimeout(600);
    assert.equal(await progressOf('video.mp4'), paused, 'no progress while paused');
    assert.ok(paused < 100, 'paused before the end');
    await item.getByRole('button', { name: 'Resume', exact: true }).click();
    await item.getByText('Completed', { exact: true }).waitFor({ timeout: 60_000 });
    assert.equal(await progressOf('video.mp4'), 100);
    assert.equal(await sha256File(join(downloads, 'video.mp4')), sha256(big));
  });

  it('opens the add dialog prefilled when a link is dropped on the window', async () => {
    const link = server.url('/notes.txt');
    // Built in the page (DataTransfer is a browser type); text/uri-list may carry # comments.
    const uriList = JSON.stringify(`# dropped from a page\r\n${link}`);
    const data = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.setData('text/uri-list', ${uriList});
      transfer.setData('text/plain', ${JSON.stringify(link)});
      return transfer;
    })()`);
    await page.dispatchEvent('body', 'dragover', { dataTransfer: data });
    await page.dispatchEvent('body', 'drop', { dataTransfer: data });
    assert.equal(await page.getByLabel('URL').inputValue(), link);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row('notes.txt').getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(await sha256File(join(downloads, 'notes.txt')), sha256(small));
  });

  it('saves a finished download to this device, from the machine braid serve runs on', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row('notes.txt').getByRole('link', { name: 'Save to this device' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'notes.txt');
    const saved = join(dirs.path, 'saved-by-the-browser.txt');
    await download.saveAs(saved);
    assert.equal(await sha256File(saved), sha256(small));
  });

  it('lists a download that failed among the monitor’s recent errors', async () => {
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(server.url('/gone.iso'));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row('gone.iso').getByText('Failed', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Monitor' }).click();
    await recentErrors()
      .getByText(/gone\.iso/)
      .waitFor();
    await page.getByRole('button', { name: 'Monitor' }).click();
    // Removed again (the steps below count two downloads); its error stays in the monitor.
    await row('gone.iso').getByRole('button', { name: 'Remove' }).click();
    await page
      .getByRole('dialog', { name: 'Remove download' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await row('gone.iso').waitFor({ state: 'detached' });
  });

  it('shows the same state after a reload', async () => {
    await page.reload();
    await row('video.mp4').getByText('Completed', { exact: true }).waitFor();
    await row('notes.txt').getByText('Completed', { exact: true }).waitFor();
    assert.equal(await page.getByRole('grid', { name: 'Downloads' }).getByRole('row').count(), 2);
    assert.ok(
      await page
        .getByRole('img', { name: /^Speed/ })
        .first()
        .isVisible(),
    );
    // The graph still shows the downloads from before the reload (the server kept its samples).
    const line = await page.locator('.speed-graph .line-now').first().getAttribute('points');
    const heights = (line ?? '').split(' ').map((point) => Number(point.split(',')[1]));
    assert.ok(
      heights.length >= 2 && heights.some((y) => y < 50),
      `speed line after reload: ${line}`,
    );
    // So do the monitor's recent errors, of a task removed since.
    await page.getByRole('button', { name: 'Monitor' }).click();
    await recentErrors()
      .getByText(/gone\.iso/)
      .waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Monitor' }).click();
    await page.screenshot({ path: `${ARTIFACTS}completed.png`, fullPage: true });
  });

  it('opens the monitor at the height of what it shows, the list taking the height left', async () => {
    await page.getByRole('button', { name: 'Monitor' }).click();
    const monitor = page.getByRole('region', { name: 'Monitor' });
    await monitor.waitFor();
    const panel = await box(monitor);
    const lastLine = await box(monitor.locator(':scope > *').last());
    const list = await box(page.locator('main'));
    assert.ok(panel.bottom - lastLine.bottom < 30, `monitor ${panel.height}px tall`);
    assert.ok(list.top - panel.bottom < 30, 'the list right below the monitor');
    await page.getByRole('button', { name: 'Monitor' }).click();
  });

  it('shows a finished task’s log lines and the monitor totals', async () => {
    await row('video.mp4').getByText('video.mp4', { exact: true }).click();
    const log = page.locator('details.task-log');
    await log.locator('summary').click();
    await log.getByText('completed', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Monitor' }).click();
    const monitor = page.getByRole('region', { name: 'Monitor' });
    await monitor.waitFor();
    assert.equal(await monitor.locator('dt:text-is("Done today") + dd').textContent(), '2');
    // The app's graph keeps its own height beside the selected task's graph and details.
    const graph = await box(page.locator('.speed-graph').first());
    assert.ok(graph.height < 120, `graph ${graph.height}px tall`);
    await page.screenshot({ path: `${ARTIFACTS}monitor.png`, fullPage: true });
    await page.getByRole('button', { name: 'Monitor' }).click();
  });

  it('exports the task list as a JSON file', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export list' }).click(),
    ]);
    const path = await download.path();
    const exported = JSON.parse(
      await (await import('node:fs/promises')).readFile(path, 'utf8'),
    ) as {
      format: string;
      tasks: Array<{ url: string }>;
    };
    assert.equal(exported.format, 'braid-task-list');
    assert.deepEqual(exported.tasks.map((t) => new URL(t.url).pathname).sort(), [
      '/notes.txt',
      '/video.mp4',
    ]);
  });

  it('saves settings, applies the theme, shows the schedule, and keeps them after a reload', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Theme').selectOption('dark');
    await dialog.getByLabel('Download only between these times', { exact: true }).check();
    await dialog.getByLabel('From').first().fill('00:00');
    await dialog.getByLabel('Until').first().fill('00:00');
    await page.screenshot({ path: `${ARTIFACTS}settings.png` });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Downloads may run now · every day, all day').waitFor();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
    await page.reload();
    await page.getByText('Downloads may run now · every day, all day').waitFor();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
    await page.screenshot({ path: `${ARTIFACTS}dark.png`, fullPage: true });
  });

  it('selects everything with Ctrl+A and asks before removing it with Delete', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    const dialog = page.getByRole('dialog', { name: 'Remove downloads' });
    await dialog.getByText('Remove 2 downloads from the list?').waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('grid', { name: 'Downloads' }).getByRole('row').count(), 2);
  });

  it('switches the whole UI to 简体中文 and back', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page
      .getByRole('dialog', { name: 'Settings' })
      .getByLabel('Language')
      .selectOption('zh-CN');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: '新建下载' }).waitFor();
    await page.getByRole('grid', { name: '下载列表' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}zh-CN.png` });
    await page.getByRole('button', { name: '设置' }).click();
    await page.getByRole('dialog', { name: '设置' }).getByLabel('语言').selectOption('en');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('button', { name: 'New download' }).waitFor();
  });

  it('refuses a file: URL in the add dialog with a clear message and adds nothing', async () => {
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill('file:///etc/passwd');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page
      .getByText(/only http: and https:/)
      .first()
      .waitFor();
    await page.screenshot({ path: `${ARTIFACTS}add-error.png` });
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('grid', { name: 'Downloads' }).getByRole('row').count(), 2);
  });

  it('cuts a long file name short instead of widening the page, wide, narrow or phone-sized', async () => {
    const long = `${'a-very-long-release-name-'.repeat(8)}linux-x86_64.tar.gz`;
    server.addFile(`/${long}`, { body: small });
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(server.url(`/${long}`));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row(long).getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
    await row(long).locator('.task-name').click();
    await page.locator('details.task-log summary').click();
    for (const width of [1280, 700, 400]) {
      await page.setViewportSize({ width, height: 800 });
      const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(scrollWidth <= width, `${scrollWidth}px of page in a ${width}px window`);
    }
    // Phone-sized, a row's details get a line above its buttons, and the taller rows still
    // stack without overlapping.
    await page.locator('.task-list.narrow').waitFor();
    const rows = await page.locator('.task').evaluateAll((rows) =>
      rows.map((row) => {
        const box = (selector: string) => row.querySelector(selector)!.getBoundingClientRect();
        const details = row.querySelector('.task-details')!;
        return {
          top: row.getBoundingClientRect().top,
          bottom: row.getBoundingClientRect().bottom,
          detailsBottom: box('.task-details').bottom,
          actionsTop: box('.task-actions').top,
          actionsBottom: box('.task-actions').bottom,
          cut: details.scrollWidth > details.clientWidth && !details.textContent!.includes('.tar'),
        };
      }),
    );
    rows.sort((a, b) => a.top - b.top);
    for (const [i, r] of rows.entries()) {
      assert.ok(r.detailsBottom <= r.actionsTop + 1, `row ${i}: details beside the buttons`);
      assert.ok(r.actionsBottom <= r.bottom, `row ${i}: buttons overflow the row`);
      assert.ok(!r.cut, `row ${i}: details cut short`);
      if (i > 0) assert.ok(rows[i - 1]!.bottom <= r.top + 1, `rows ${i - 1} and ${i} overlap`);
    }
    await page.screenshot({ path: `${ARTIFACTS}phone.png` });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('gives a download that failed on an expired link a new link in its details, and it completes from the bytes it kept', async () => {
    const name = 'release-2026.iso';
    const body = makeContent(6 * MiB, 'e2e-link');
    // The signed link serves its first range, then expires: every later request gets a web page.
    let answered = 0;
    server.addHandler(`/${name}`, (req, res) => {
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (answered++ > 0 || !range) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>expired</html>');
        return;
      }
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : Infinity, body.length - 1);
      res.writeHead(206, {
        'content-type': 'application/octet-stream',
        // The file's validator, as the new link's server gives it: the bytes kept can be trusted.
        'last-modified': 'Tue, 01 Sep 2026 10:00:00 GMT',
        'content-range': `bytes ${start}-${end}/${body.length}`,
        'content-length': end - start + 1,
      });
      res.end(body.subarray(start, end + 1));
    });
    server.addFile(`/new/${name}`, { body });
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(server.url(`/${name}?sig=old&expires=1`));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row(name).getByText('Failed', { exact: true }).waitFor({ timeout: 30_000 });

    await row(name).locator('.task-name').click();
    const form = page.getByRole('form', { name: `Link: ${name}` });
    await form.getByLabel('Link').fill(server.url(`/new/${name}?sig=new`));
    await form.getByRole('button', { name: 'Use this link' }).click();
    await row(name).getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(await sha256File(join(downloads, name)), sha256(body));
    const served = server.stats.bodyBytesByPath.get(`/new/${name}`) ?? 0;
    assert.ok(served > 0 && served < body.length, `the new link served ${served} bytes`);
    await page.screenshot({ path: `${ARTIFACTS}new-link.png` });
  });

  it('reorders waiting downloads from the keyboard and the details panel, and the engine runs them in that order', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Downloads at once').fill('1');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    // Slow enough that one runs and the others wait through the whole step.
    const slow = { body: makeContent(8 * MiB, 'e2e-queue'), faults: { connectionRate: 8 * 1024 } };
    const names = ['q-run.bin', 'q-1.bin', 'q-2.bin', 'q-3.bin'];
    for (const name of names) server.addFile(`/${name}`, slow);
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(names.map((name) => server.url(`/${name}`)).join('\n'));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row('q-run.bin').getByText('Downloading', { exact: true }).waitFor({ timeout: 30_000 });

    // The rows in list order, as the engine's events placed them.
    const waiting = async (expected: string[]) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const shown = await page.locator('.task-list .task-name').allTextContents();
        const queued = shown.filter((name) => /^q-\d/.test(name));
        if (queued.join() === expected.join()) return;
        if (Date.now() > deadline) assert.deepEqual(queued, expected, 'waiting rows in order');
        await page.waitForTimeout(100);
      }
    };
    const focusedOn = (name: string) =>
      row(name).evaluate((el) => el === el.ownerDocument.activeElement);
    await waiting(['q-1.bin', 'q-2.bin', 'q-3.bin']);

    await row('q-3.bin').locator('.task-name').click();
    await page.keyboard.press('Alt+Home');
    await waiting(['q-3.bin', 'q-1.bin', 'q-2.bin']);
    assert.equal(await focusedOn('q-3.bin'), true, 'the moved row keeps the focus');
    await page.keyboard.press('Alt+ArrowDown');
    await waiting(['q-1.bin', 'q-3.bin', 'q-2.bin']);
    assert.equal(await focusedOn('q-3.bin'), true, 'the moved row keeps the focus');
    assert.equal(await row('q-3.bin').getAttribute('aria-current'), 'true');

    const place = page.getByRole('group', { name: 'Queue position' });
    await place.getByRole('button', { name: 'Move to bottom' }).click();
    await waiting(['q-1.bin', 'q-2.bin', 'q-3.bin']);
    assert.equal(
      await place.getByRole('button', { name: 'Move to bottom' }).getAttribute('aria-disabled'),
      'true',
    );
    await place.getByText('3 of 3 waiting').waitFor();
    await place.getByRole('button', { name: 'Move up' }).click();
    await waiting(['q-1.bin', 'q-3.bin', 'q-2.bin']);
    await place.getByRole('button', { name: 'Move to top' }).click();
    await waiting(['q-3.bin', 'q-1.bin', 'q-2.bin']);
    await page.screenshot({ path: `${ARTIFACTS}queue.png` });

    // The engine kept the order, and runs the first waiting download next.
    await page.reload();
    await waiting(['q-3.bin', 'q-1.bin', 'q-2.bin']);
    await row('q-run.bin').getByRole('button', { name: 'Pause' }).click();
    await row('q-3.bin').getByText('Downloading', { exact: true }).waitFor();
    assert.equal(await row('q-1.bin').getByText('Queued', { exact: true }).count(), 1);
  });

  it('follows a download moved to the end of a long queue: scrolled to, its row focused again', async () => {
    // Waiting behind q-3.bin, never fetched: only the rows near the top exist (the list is virtual).
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(server.url('/far-[01-24].bin'));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const far = row('far-01.bin');
    await far.locator('.task-name').click();
    await page.keyboard.press('Alt+End');
    const place = async (name: string) => Number(await row(name).getAttribute('aria-rowindex'));
    await waitForValue(
      async () => (await place('far-01.bin')) - (await place('far-24.bin')),
      (after) => after === 1,
    );
    const shown = await far.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const scroller = el.closest('.list-scroller')!.getBoundingClientRect();
      return {
        focused: el === el.ownerDocument.activeElement,
        inView: box.top >= scroller.top && box.bottom <= scroller.bottom,
      };
    });
    assert.deepEqual(shown, { focused: true, inView: true });
  });
});

async function waitForValue(
  read: () => Promise<number>,
  until: (value: number) => boolean,
  timeoutMs = 30_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`value stuck at ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
