import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent } from '../support/fixtures.ts';
import { openUiSession, taskRow, type UiSession } from '../support/ui-session.ts';

/** A dialog keeps the keyboard wherever Chromium leaves the focus. */
describe('web UI dialogs, in Chromium', () => {
  let server: FaultServer;
  let session: UiSession;
  let page: Page;

  before(async () => {
    server = await FaultServer.start();
    server.addFile('/a.bin', { body: makeContent(1000) });
    session = await openUiSession('dialogs', { width: 1280, height: 800 });
    page = session.page;
  });

  after(async () => {
    await session?.close();
    await server?.close();
  });

  /** Where the focus is: in the dialog (and on what), or outside it. */
  const focus = () =>
    page.locator('body').evaluate((body) => {
      const active = body.ownerDocument.activeElement;
      const inside = active?.closest('[role="dialog"]');
      if (!active || !inside) return `outside: ${active?.tagName ?? 'nothing'}`;
      return active === inside ? 'the dialog' : `${active.tagName} in the dialog`;
    });

  it('keeps Tab and Escape after a click on the dialog’s text', async () => {
    await page.getByRole('button', { name: 'New download' }).click();
    const dialog = page.getByRole('dialog', { name: 'New download' });
    for (const key of ['Tab', 'Shift+Tab']) {
      await dialog.getByRole('heading').click();
      await page.keyboard.press(key);
      assert.match(await focus(), / in the dialog$/, key);
    }
    await dialog.getByRole('heading').click();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('takes the focus when Add disables under it while braid serve does not answer', async () => {
    await page.getByRole('button', { name: 'New download' }).click();
    const dialog = page.getByRole('dialog', { name: 'New download' });
    await dialog.getByLabel('URL').fill(server.url('/a.bin'));
    const add = dialog.getByRole('button', { name: 'Add', exact: true });
    await add.focus();
    session.serve.child.kill('SIGSTOP');
    try {
      await page.keyboard.press('Enter');
      await dialog.locator('button[type="submit"]:disabled').waitFor();
      assert.equal(await focus(), 'the dialog');
      await page.keyboard.press('Tab');
      assert.equal(await focus(), 'TEXTAREA in the dialog');
    } finally {
      session.serve.child.kill('SIGCONT');
    }
    await dialog.waitFor({ state: 'detached' });
    await taskRow(page, 'a.bin').getByText('Completed', { exact: true }).waitFor();
  });

  it('adds links dropped on the open add dialog, a text file’s too, to what was typed', async () => {
    await page.getByRole('button', { name: 'New download' }).click();
    const dialog = page.getByRole('dialog', { name: 'New download' });
    await dialog.getByLabel('URL').fill('http://typed.test/a.zip');
    await dialog.getByLabel('Folder').fill('/mine');
    // Built in the page (DataTransfer and File are browser types).
    const data = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['http://file.test/b.zip\\n'], 'links.txt', { type: 'text/plain' }));
      return transfer;
    })()`);
    await dialog.getByLabel('URL').dispatchEvent('drop', { dataTransfer: data });
    // The file is read after the drop.
    await page.waitForFunction(
      (box) => 'value' in box && String(box.value).includes('b.zip'),
      await dialog.getByLabel('URL').elementHandle(),
    );
    assert.equal(
      await dialog.getByLabel('URL').inputValue(),
      'http://typed.test/a.zip\nhttp://file.test/b.zip',
    );
    assert.equal(await dialog.getByLabel('Folder').inputValue(), '/mine');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('saves only what its user changed when another tab saved settings while it was open', async () => {
    const other = await session.browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await other.goto(session.serve.url);
      await page.getByRole('button', { name: 'Settings' }).click();
      const open = page.getByRole('dialog', { name: 'Settings' });
      await other.getByRole('button', { name: 'Settings' }).click();
      const elsewhere = other.getByRole('dialog', { name: 'Settings' });
      await elsewhere.getByLabel('Downloads at once').fill('1');
      await elsewhere.getByRole('button', { name: 'Save' }).click();
      await elsewhere.waitFor({ state: 'detached' });
      // The open dialog shows the other tab's change in the field its user left alone.
      const atOnce = open.getByLabel('Downloads at once');
      for (let tries = 0; (await atOnce.inputValue()) !== '1'; tries++) {
        assert.ok(tries < 50, 'the open dialog kept the old value');
        await page.waitForTimeout(100);
      }
      await open.getByLabel('Theme').selectOption('dark');
      await open.getByRole('button', { name: 'Save' }).click();
      await open.waitFor({ state: 'detached' });
      const home = join(dirname(session.downloads), 'home');
      const saved = JSON.parse(await readFile(join(home, 'settings.json'), 'utf8'));
      assert.deepEqual(
        [saved.maxConcurrent, saved.theme, saved.downloadDir],
        [1, 'dark', ''],
        'the other tab’s change kept, and serve --dir’s folder not made permanent',
      );
    } finally {
      await other.close();
    }
  });
});
