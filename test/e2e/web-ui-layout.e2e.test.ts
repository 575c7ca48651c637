import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { ARTIFACTS } from '../support/chromium.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent } from '../support/fixtures.ts';
import { openUiSession, taskRow, type UiSession } from '../support/ui-session.ts';

/** Long names and narrow windows: what the layout does with them, in Chromium. */
describe('web UI layout, in Chromium', () => {
  let server: FaultServer;
  let session: UiSession;
  let page: Page;
  // About 250 characters with nowhere to break a line.
  const longName = `${'x'.repeat(20)}${'verylongnamewithoutanybreaks'.repeat(8)}.bin`;

  before(async () => {
    server = await FaultServer.start();
    server.addFile(`/${longName}`, { body: makeContent(100 * 1024) });
    server.addFile('/small.bin', { body: makeContent(10 * 1024) });
    session = await openUiSession('layout', { width: 1280, height: 800 });
    page = session.page;
  });

  after(async () => {
    await session?.close();
    await server?.close();
  });

  const row = (name: string) => taskRow(page, name);

  /** The dialog scrolls nothing sideways, and `control` lies inside it and inside the window. */
  async function assertWithinDialog(dialog: Locator, control: Locator, what: string) {
    const [scrollWidth, clientWidth] = await dialog.evaluate((d) => [d.scrollWidth, d.clientWidth]);
    assert.ok(scrollWidth <= clientWidth, `${what}: ${scrollWidth}px of dialog in ${clientWidth}`);
    const outer = await dialog.boundingBox();
    const inner = await control.boundingBox();
    assert.ok(outer && inner, 'laid out');
    const viewport = page.viewportSize()!;
    assert.ok(
      inner.x >= outer.x &&
        inner.x + inner.width <= Math.min(outer.x + outer.width, viewport.width),
      `${what}: at x=${inner.x}, the dialog spans ${outer.x}–${outer.x + outer.width}`,
    );
  }

  it('wraps a long file name in the add and remove dialogs, keeping their buttons in sight', async () => {
    await page.getByRole('button', { name: 'New download' }).click();
    const add = page.getByRole('dialog', { name: 'New download' });
    await add.getByLabel('URL').fill(server.url(`/${longName}`));
    await add.locator('.probe').filter({ hasText: 'KiB' }).waitFor();
    await assertWithinDialog(add, add.getByRole('button', { name: 'Add', exact: true }), 'add');
    await page.screenshot({ path: `${ARTIFACTS}long-name-add.png` });
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    await row(longName).getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
    await row(longName).getByRole('button', { name: 'Remove' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove download' });
    const deleteFile = remove.getByLabel('Also delete the file from disk');
    await assertWithinDialog(remove, deleteFile, 'remove');
    await page.screenshot({ path: `${ARTIFACTS}long-name-remove.png` });
    await remove.getByRole('button', { name: 'Remove' }).click();
    await row(longName).waitFor({ state: 'detached' });
  });

  it('wraps a long link in the add dialog’s error, keeping its buttons in sight', async () => {
    await page.getByRole('button', { name: 'New download' }).click();
    const add = page.getByRole('dialog', { name: 'New download' });
    const link = `ftp://cdn.example.com/releases/${'a1b2c3d4e5'.repeat(12)}/file.zip`;
    await add.getByLabel('URL').fill(link);
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    await add.locator('.errors li').waitFor();
    await assertWithinDialog(add, add.getByRole('button', { name: 'Add', exact: true }), 'error');
    await page.keyboard.press('Escape');
  });

  it('keeps room for the list on a phone-sized window, a download selected and the monitor open', async (t) => {
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(server.url('/small.bin'));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row('small.bin').getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
    await page.setViewportSize({ width: 360, height: 740 });
    t.after(() => page.setViewportSize({ width: 1280, height: 800 }));
    await row('small.bin').locator('.task-name').click();
    await page.locator('.task-details-panel').waitFor();
    const listHeight = async () => (await page.locator('main').boundingBox())!.height;
    // Most of two rows of a narrow list (128 px each): the panels above scroll instead.
    assert.ok((await listHeight()) >= 220, `list ${await listHeight()}px tall`);
    await page.getByRole('button', { name: 'Monitor' }).click();
    await page.getByRole('region', { name: 'Monitor' }).waitFor();
    assert.ok((await listHeight()) >= 220, `list ${await listHeight()}px tall, monitor open`);
    await page.screenshot({ path: `${ARTIFACTS}phone-monitor.png` });
    await page.getByRole('button', { name: 'Monitor' }).click();
  });

  it('scrolls nothing sideways in a window 320 px wide, as WCAG reflow asks', async (t) => {
    await page.setViewportSize({ width: 320, height: 640 });
    t.after(() => page.setViewportSize({ width: 1280, height: 800 }));
    const overflow = () =>
      page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
    assert.equal(await overflow(), 0, 'the page is wider than the window');
    await page.screenshot({ path: `${ARTIFACTS}reflow-320.png` });
    await page.getByRole('button', { name: 'New download' }).click();
    const add = page.getByRole('dialog', { name: 'New download' });
    await assertWithinDialog(add, add.getByRole('button', { name: 'Add', exact: true }), 'add');
    assert.equal(await overflow(), 0, 'the page is wider than the window, add dialog open');
    await page.keyboard.press('Escape');
  });
});
