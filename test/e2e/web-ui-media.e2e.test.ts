import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { ARTIFACTS } from '../support/chromium.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, MiB } from '../support/fixtures.ts';
import { openUiSession, taskRow, type UiSession } from '../support/ui-session.ts';

/** What the list shows under the system's display preferences: less motion, forced colours. */
describe('web UI under display preferences, in Chromium', () => {
  let server: FaultServer;
  let session: UiSession;
  let page: Page;

  before(async () => {
    server = await FaultServer.start();
    // Slow enough to stay unfinished while the test runs.
    const slow = { connectionRate: 8 * 1024 };
    // No length and no ranges: its size stays unknown.
    server.addFile('/no-length.bin', {
      body: makeContent(8 * MiB),
      faults: { ...slow, chunked: true, range: 'ignore' },
    });
    server.addFile('/with-length.bin', { body: makeContent(8 * MiB), faults: slow });
    session = await openUiSession('media', { width: 1280, height: 800 });
    page = session.page;
    await page.getByRole('button', { name: 'New download' }).click();
    await page
      .getByLabel('URL')
      .fill(`${server.url('/no-length.bin')}\n${server.url('/with-length.bin')}`);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    for (const name of ['no-length.bin', 'with-length.bin']) {
      await taskRow(page, name).getByText('Downloading', { exact: true }).waitFor();
    }
  });

  after(async () => {
    await session?.close();
    await server?.close();
  });

  const fillOf = (name: string) => taskRow(page, name).locator('.progress-fill');
  const style = (locator: Locator, ...properties: string[]) =>
    locator.evaluate((el, properties) => {
      const computed = el.ownerDocument.defaultView!.getComputedStyle(el);
      return properties.map((p) => computed.getPropertyValue(p));
    }, properties);

  it('fills the whole bar of a download of unknown size, striped and still, when motion is reduced', async () => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const fill = fillOf('no-length.bin');
    await fill.and(page.locator('.indeterminate')).waitFor();
    const [animation, image] = await style(fill, 'animation-name', 'background-image');
    assert.equal(animation, 'none');
    assert.match(image, /repeating-linear-gradient/);
    const [bar, track] = [await fill.boundingBox(), await fill.locator('..').boundingBox()];
    assert.ok(bar && track, 'laid out');
    // 30 % of the track would read as 30 % done.
    assert.equal(bar.width, track.width);
    await page.screenshot({ path: `${ARTIFACTS}reduced-motion.png` });
    await page.emulateMedia({ reducedMotion: 'no-preference' });
  });

  it('keeps progress and the selected row visible in forced colours', async () => {
    await taskRow(page, 'with-length.bin').locator('.task-name').click();
    await page.emulateMedia({ forcedColors: 'active' });
    try {
      const fill = fillOf('with-length.bin');
      const [filled] = await style(fill, 'background-color');
      const [empty, edge] = await style(fill.locator('..'), 'background-color', 'border-top-style');
      assert.notEqual(filled, empty, 'the fill stands out from its track');
      assert.notEqual(edge, 'none', 'the track has an edge');
      const ring = (name: string) =>
        style(taskRow(page, name), 'border-top-color', 'border-top-width');
      assert.notDeepEqual(
        await ring('with-length.bin'),
        await ring('no-length.bin'),
        'selected or not',
      );
      const graph = page.locator('.speed-graph').first();
      const systemColour = (name: string) =>
        graph.evaluate((el, name) => {
          const doc = el.ownerDocument;
          const probe = doc.body.appendChild(doc.createElement('span'));
          probe.style.setProperty('forced-color-adjust', 'none');
          probe.style.color = name;
          const value = doc.defaultView!.getComputedStyle(probe).color;
          probe.remove();
          return value;
        }, name);
      assert.deepEqual(
        [
          ...(await style(graph.locator('.line-now'), 'stroke')),
          ...(await style(graph.locator('.line-average'), 'stroke')),
        ],
        [await systemColour('Highlight'), await systemColour('CanvasText')],
        "the speed graph's lines are drawn in the theme's colours",
      );
      await page.screenshot({ path: `${ARTIFACTS}forced-colors.png` });
    } finally {
      await page.emulateMedia({ forcedColors: 'none' });
    }
  });
});
