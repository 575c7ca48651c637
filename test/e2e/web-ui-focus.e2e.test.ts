import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, MiB } from '../support/fixtures.ts';
import { openUiSession, taskRow, type UiSession } from '../support/ui-session.ts';

/** The keyboard's place survives what the downloads do: it never falls to the page body. */
describe('web UI keyboard focus, in Chromium', () => {
  let server: FaultServer;
  let session: UiSession;
  let page: Page;

  before(async () => {
    server = await FaultServer.start();
    const slow = {
      body: makeContent(4 * MiB, 'focus-slow'),
      faults: { connectionRate: 64 * 1024 },
    };
    server.addFile('/slow.bin', slow);
    server.addFile('/other.bin', slow);
    for (let i = 0; i < 28; i++) server.addFile(`/waiting-${i}.bin`, slow);
    // Done in about two seconds: long enough to focus its row first.
    server.addFile('/short.bin', {
      body: makeContent(512 * 1024, 'focus-short'),
      faults: { connectionRate: 256 * 1024 },
    });
    server.addFile('/short-again.bin', {
      body: makeContent(512 * 1024, 'focus-short-again'),
      faults: { connectionRate: 256 * 1024 },
    });
    session = await openUiSession('focus', { width: 1280, height: 800 });
    page = session.page;
  });

  after(async () => {
    await session?.close();
    await server?.close();
  });

  /** The focused element, named: its role, its text or label, and the row it sits in. */
  const focused = () =>
    page.locator('body').evaluate((body) => {
      const active = body.ownerDocument.activeElement;
      if (!active || active === body) return 'the page body';
      const row = active.closest('[role="row"]')?.querySelector('.task-name')?.textContent;
      const label =
        active.getAttribute('aria-label') ??
        (active as { labels?: ArrayLike<{ textContent: string | null }> }).labels?.[0]
          ?.textContent ??
        active.textContent;
      const what =
        active.getAttribute('role') === 'row' ? 'row' : `${active.tagName.toLowerCase()} ${label}`;
      return row ? `${what} of ${row}` : what;
    });

  async function add(...paths: string[]) {
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(paths.map((p) => server.url(p)).join('\n'));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('dialog', { name: 'New download' }).waitFor({ state: 'detached' });
  }

  it('keeps the focus on the row’s button that takes the place of Pause, Resume, Retry or Cancel', async () => {
    await add('/slow.bin');
    const row = taskRow(page, 'slow.bin');
    await row.getByText('Downloading', { exact: true }).waitFor();
    await row.locator('.task-name').click();
    await row.getByRole('button', { name: 'Pause' }).focus();
    await page.keyboard.press('Enter');
    await row.getByText('Paused', { exact: true }).waitFor();
    assert.equal(await focused(), 'button Resume of slow.bin');
    await page.keyboard.press('Enter');
    await row.getByText('Downloading', { exact: true }).waitFor();
    assert.equal(await focused(), 'button Pause of slow.bin');
    await row.getByRole('button', { name: 'Cancel' }).focus();
    await page.keyboard.press('Enter');
    await row.getByText('Canceled', { exact: true }).waitFor();
    assert.equal(await focused(), 'button Retry of slow.bin');
    await page.keyboard.press('Enter');
    await row.getByText('Downloading', { exact: true }).waitFor();
    assert.equal(await focused(), 'button Pause of slow.bin');
    await page.keyboard.press('Enter');
    await row.getByText('Paused', { exact: true }).waitFor();
  });

  it('keeps the focus on “Use this link” once the new link is taken', async () => {
    await taskRow(page, 'slow.bin').locator('.task-name').click();
    const form = page.getByRole('form', { name: 'Link: slow.bin' });
    await form.getByLabel('Link').fill(server.url('/other.bin'));
    await form.getByRole('button', { name: 'Use this link' }).focus();
    await page.keyboard.press('Enter');
    // The answer, then its event: both have come once the state shown settles.
    await taskRow(page, 'slow.bin')
      .getByTitle(server.url('/other.bin'), { exact: false })
      .waitFor();
    await page.waitForTimeout(300);
    assert.equal(await focused(), 'button Use this link');
  });

  it('follows a focused download that completes to its place among the finished, out of view', async () => {
    await add(...Array.from({ length: 28 }, (_, i) => `/waiting-${i}.bin`));
    await page.getByRole('button', { name: 'Pause all' }).click();
    await taskRow(page, 'waiting-0.bin').getByText('Paused', { exact: true }).waitFor();
    await add('/short.bin');
    const row = taskRow(page, 'short.bin');
    await row.getByText('Downloading', { exact: true }).waitFor();
    await row.locator('.task-name').click();
    assert.equal(await focused(), 'row of short.bin');
    await row.getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    assert.equal(await focused(), 'row of short.bin');
    await row.evaluate((element) => {
      const box = element.getBoundingClientRect();
      const list = element.closest('.list-scroller')!.getBoundingClientRect();
      if (box.top < list.top || box.bottom > list.bottom) throw new Error('the row is out of view');
    });
  });

  it('announces the countdown without taking the keyboard from a text box, and Cancel gives the focus back', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('When all downloads finish').selectOption({ label: 'Quit Braid' });
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    // Only finished work is left once the paused downloads go.
    await page.getByRole('radio', { name: 'Active' }).check();
    const rows = page.getByRole('grid', { name: 'Downloads' }).getByRole('row');
    await rows.first().locator('.task-name').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await rows.first().waitFor({ state: 'detached' });
    await page.getByRole('radio', { name: 'All' }).check();

    await add('/short-again.bin');
    await page.getByRole('button', { name: 'New download' }).click();
    const box = page.getByLabel('URL');
    const typed = 'https://example.com/typed-while-the-last-download-finished.iso';
    await box.focus();
    await page.keyboard.type(typed.slice(0, 10));
    const countdown = page.getByRole('alert').filter({ hasText: 'Braid quits in' });
    const deadline = Date.now() + 15_000;
    while (!(await countdown.isVisible()) && Date.now() < deadline) {
      await page.keyboard.type('x', { delay: 50 });
    }
    assert.ok(await countdown.isVisible(), 'the countdown is announced');
    await page.keyboard.type(typed.slice(10));
    assert.match(await box.inputValue(), /typed-while-the-last-download-finished\.iso$/);
    assert.equal(await focused(), 'textarea URL');
    await page.keyboard.press('Escape');

    await taskRow(page, 'short.bin').locator('.task-name').click();
    await countdown.getByRole('button', { name: 'Cancel' }).focus();
    await page.keyboard.press('Enter');
    await countdown.waitFor({ state: 'detached' });
    assert.equal(await focused(), 'row of short.bin');
  });
});
