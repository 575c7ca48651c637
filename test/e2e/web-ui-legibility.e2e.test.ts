import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { TASK_STATES } from '../../shared/api/task.ts';
import { composite, contrastRatio, parseCssColor } from '../support/css-color.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, tempDir, MiB } from '../support/fixtures.ts';
import { startServeProcess, type ServeProcess } from '../support/serve-process.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const RENDERER = new URL('../../dist/renderer/index.html', import.meta.url).pathname;
const ARTIFACTS = new URL('../../test-results/e2e/', import.meta.url).pathname;

/** What the eye and the keyboard need, checked on the built UI in Debian's Chromium. */
describe('web UI legibility, in Chromium', () => {
  let server: FaultServer;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let dirs: { path: string; cleanup(): Promise<void> };

  before(async () => {
    assert.ok(existsSync(RENDERER), 'the web UI is not built: run npm run build:renderer first');
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    await mkdir(ARTIFACTS, { recursive: true });
    server = await FaultServer.start();
    server.addFile('/done.txt', { body: makeContent(1000) });
    // Slow enough to stay unfinished while the test runs.
    const slow = { body: makeContent(8 * MiB), faults: { connectionRate: 8 * 1024 } };
    for (const name of ['running', 'waiting', 'held', 'dropped']) {
      server.addFile(`/${name}.bin`, slow);
    }
    dirs = await tempDir('braid-legibility-');
    serve = await startServeProcess(['--dir', join(dirs.path, 'downloads')], {
      BRAID_HOME: join(dirs.path, 'home'),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(serve.url);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await server?.close();
    await dirs?.cleanup();
  });

  const row = (name: string) =>
    page.getByRole('list', { name: 'Downloads' }).getByRole('listitem').filter({ hasText: name });

  async function add(path: string, state: string): Promise<Locator> {
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(server.url(path));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const added = row(path.slice(1));
    await added.getByText(state, { exact: true }).waitFor({ timeout: 30_000 });
    return added;
  }

  it('rings the Import link when the keyboard reaches it, as it rings the other fields', async (t) => {
    await page.getByRole('button', { name: 'New download' }).click();
    t.after(() => page.keyboard.press('Escape'));
    const urlBox = page.getByLabel('URL');
    await urlBox.focus();
    const fieldRing = await outlineOf(urlBox);
    await page.keyboard.press('Tab');
    const picker = page.getByLabel('Import list from file…');
    assert.equal(
      await picker.evaluate((input) => input === input.ownerDocument.activeElement),
      true,
    );
    // The file input itself is invisible; its label is what the user sees, so it wears the ring.
    const importRing = await outlineOf(page.locator('label', { has: picker }));
    assert.notEqual(importRing.style, 'none', 'an outline');
    assert.ok(parseFloat(importRing.width) > 0, `outline ${importRing.width} wide`);
    assert.deepEqual(importRing, fieldRing, 'the same ring as the URL field');
    await page.screenshot({ path: `${ARTIFACTS}import-focus.png` });
  });

  it('shows a download in every state', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Downloads at once').fill('1');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    await add('/done.txt', 'Completed');
    await add('/gone.iso', 'Failed');
    await add('/running.bin', 'Downloading');
    await add('/waiting.bin', 'Queued');
    const held = await add('/held.bin', 'Queued');
    await held.getByRole('button', { name: 'Pause' }).click();
    await held.getByText('Paused', { exact: true }).waitFor();
    const dropped = await add('/dropped.bin', 'Queued');
    await dropped.getByRole('button', { name: 'Cancel' }).click();
    await dropped.getByText('Canceled', { exact: true }).waitFor();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`gives every state badge text at least 4.5:1 against its background, ${theme} theme`, async () => {
      // The default theme follows the system's.
      await page.emulateMedia({ colorScheme: theme });
      await page.locator(`html[data-theme="${theme}"]`).waitFor({ state: 'attached' });
      const ratios: Record<string, number> = {};
      for (const state of TASK_STATES) {
        const badge = page.locator(`.task-state.badge-${state}`);
        assert.equal(await badge.count(), 1, `one ${state} badge`);
        const { color, backgrounds } = await badge.evaluate((badge) => {
          const style = (el: typeof badge) => badge.ownerDocument.defaultView!.getComputedStyle(el);
          const backgrounds: string[] = [];
          for (let el: typeof badge | null = badge; el; el = el.parentElement) {
            backgrounds.push(style(el).backgroundColor);
          }
          return { color: style(badge).color, backgrounds };
        });
        const background = composite(backgrounds.map(parseCssColor));
        const text = composite([parseCssColor(color), background]);
        ratios[state] = contrastRatio(text, background);
      }
      await page.screenshot({ path: `${ARTIFACTS}badges-${theme}.png` });
      const low = Object.keys(ratios).filter((state) => ratios[state]! < 4.5);
      const said = Object.entries(ratios).map(([state, ratio]) => `${state} ${ratio.toFixed(2)}`);
      assert.deepEqual(low, [], `contrast per state: ${said.join(', ')}`);
    });
  }
});

async function outlineOf(element: Locator) {
  return element.evaluate((el) => {
    const s = el.ownerDocument.defaultView!.getComputedStyle(el);
    return {
      style: s.outlineStyle,
      width: s.outlineWidth,
      color: s.outlineColor,
      offset: s.outlineOffset,
    };
  });
}
