import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { ARTIFACTS } from '../support/chromium.ts';
import { TASK_STATES } from '../../shared/api/task.ts';
import { composite, contrastRatio, parseCssColor } from '../support/css-color.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, MiB } from '../support/fixtures.ts';
import { openUiSession, taskRow, type UiSession } from '../support/ui-session.ts';

/** What the eye and the keyboard need, checked on the built UI in Debian's Chromium. */
describe('web UI legibility, in Chromium', () => {
  let server: FaultServer;
  let session: UiSession;
  let page: Page;

  before(async () => {
    server = await FaultServer.start();
    // Refused once: its log has a warning (the retry) above the line that says it completed.
    server.addFile('/done.txt', {
      body: makeContent(1000),
      faults: { statusSequence: [{ status: 503, retryAfter: '0' }] },
    });
    // Slow enough to stay unfinished while the test runs.
    const slow = { body: makeContent(8 * MiB), faults: { connectionRate: 8 * 1024 } };
    for (const name of ['running', 'waiting', 'held', 'dropped']) {
      server.addFile(`/${name}.bin`, slow);
    }
    session = await openUiSession('legibility', { width: 1280, height: 1000 });
    page = session.page;
  });

  after(async () => {
    await session?.close();
    await server?.close();
  });

  const row = (name: string) => taskRow(page, name);

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

  it("keeps a failure's notice clear of an open dialog's buttons", async () => {
    assert.ok((await page.getByRole('alert').count()) > 0, 'the failed download left a notice');
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    for (const name of ['Save', 'Close']) {
      const button = settings.getByRole('button', { name, exact: true });
      const hit = await button.evaluate((button) => {
        const box = button.getBoundingClientRect();
        const top = button.ownerDocument.elementFromPoint(
          box.x + box.width / 2,
          box.y + box.height / 2,
        );
        return top === button || button.contains(top) ? 'the button' : (top?.outerHTML ?? 'none');
      });
      assert.equal(hit, 'the button', `${name} is under another element`);
    }
    await page.screenshot({ path: `${ARTIFACTS}dialog-with-notice.png` });
    await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'detached' });
  });

  it('shows the schedule', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Download only between these times', { exact: true }).check();
    await settings.getByLabel('From').first().fill('00:00');
    await settings.getByLabel('Until').first().fill('00:00');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    await page.locator('.schedule-badge').waitFor();
  });

  /** Selects a download and opens its log, once it shows a line of `level`. */
  async function showLog(name: string, level: 'warn' | 'error') {
    await row(name).locator('.task-name').click();
    const log = page.locator('details.task-log');
    if ((await log.getAttribute('open')) === null) await log.locator('summary').click();
    await log.locator(`li.log-${level}`).first().waitFor();
  }

  async function openAddDialogWithErrors(): Promise<Locator> {
    await page.getByRole('button', { name: 'New download' }).click();
    const dialog = page.getByRole('dialog', { name: 'New download' });
    await dialog.getByLabel('URL').fill('file:///etc/passwd');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.locator('.errors li').first().waitFor();
    return dialog;
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`gives the schedule badge, the log's warning and error lines and the add dialog's errors 4.5:1 or more, ${theme} theme`, async () => {
      await emulateTheme(page, theme);
      const ratios: Record<string, number> = {};
      ratios['schedule badge'] = await lowestContrast(page.locator('.schedule-badge'));
      await showLog('done.txt', 'warn');
      ratios['log warning'] = await lowestContrast(page.locator('.task-log li.log-warn'));
      await showLog('gone.iso', 'error');
      ratios['log error'] = await lowestContrast(page.locator('.task-log li.log-error'));
      await page.screenshot({ path: `${ARTIFACTS}log-${theme}.png` });
      const dialog = await openAddDialogWithErrors();
      ratios['add dialog errors'] = await lowestContrast(dialog.locator('.errors'));
      await page.screenshot({ path: `${ARTIFACTS}add-errors-${theme}.png` });
      await page.keyboard.press('Escape');
      const said = Object.entries(ratios).map(([what, ratio]) => `${what} ${ratio.toFixed(2)}`);
      assert.ok(
        Object.values(ratios).every((ratio) => ratio >= 4.5),
        `contrast: ${said.join(', ')}`,
      );
    });

    it(`gives every other text 4.5:1 or more (hints, times, muted text), page, monitor and dialogs, ${theme} theme`, async () => {
      await emulateTheme(page, theme);
      const low: string[] = [];
      await showLog('done.txt', 'warn');
      await page.getByRole('button', { name: 'Monitor' }).click();
      await page
        .getByRole('region', { name: 'Monitor' })
        .getByText(/gone\.iso/)
        .waitFor();
      low.push(...(await lowContrastText(page.locator('body'))));
      await page.getByRole('button', { name: 'Monitor' }).click();
      await showLog('gone.iso', 'error');
      low.push(...(await lowContrastText(page.locator('.selected-task'))));
      const add = await openAddDialogWithErrors();
      await add.getByText('More options').click();
      low.push(...(await lowContrastText(add)));
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Settings' }).click();
      low.push(...(await lowContrastText(page.getByRole('dialog', { name: 'Settings' }))));
      await page.keyboard.press('Escape');
      await row('done.txt').getByRole('button', { name: 'Remove' }).click();
      const remove = page.getByRole('dialog', { name: 'Remove download' });
      low.push(...(await lowContrastText(remove)));
      await remove.getByRole('button', { name: 'Remove' }).hover();
      low.push(...(await lowContrastText(remove)).map((text) => `${text}, hovered`));
      await page.keyboard.press('Escape');
      assert.deepEqual([...new Set(low)], [], 'text below 4.5:1 (3:1 when large)');
    });

    it(`has nothing axe-core finds wrong in the list, a download's details, the monitor and the dialogs, ${theme} theme`, async () => {
      await emulateTheme(page, theme);
      const found: string[] = [];
      await showLog('gone.iso', 'error');
      found.push(...(await axeViolations(page, 'list and details')));
      await page.getByRole('button', { name: 'Monitor' }).click();
      await page.getByRole('region', { name: 'Monitor' }).waitFor();
      found.push(...(await axeViolations(page, 'monitor')));
      await page.getByRole('button', { name: 'Monitor' }).click();
      await openAddDialogWithErrors();
      found.push(...(await axeViolations(page, 'add dialog with errors')));
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('dialog', { name: 'Settings' }).waitFor();
      found.push(...(await axeViolations(page, 'settings')));
      await page.keyboard.press('Escape');
      assert.deepEqual(found, []);
    });
  }
});

const AXE_SOURCE = readFileSync(
  new URL('../../node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
);

/** axe-core's WCAG A/AA and best-practice checks of the whole page, one line per failing node. */
async function axeViolations(page: Page, view: string): Promise<string[]> {
  // Evaluated through the debugging protocol, which the page's Content-Security-Policy allows.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as {
      axe: {
        run(): Promise<{
          violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }>;
        }>;
      };
    };
    return (await axe.run()).violations;
  });
  return violations.flatMap((v) =>
    v.nodes.map((node) => `${view}: ${v.id} (${v.help}) at ${node.target.join(' ')}`),
  );
}

/** The theme follows the system's unless chosen in the settings. */
async function emulateTheme(page: Page, theme: 'light' | 'dark') {
  await page.emulateMedia({ colorScheme: theme });
  await page.locator(`html[data-theme="${theme}"]`).waitFor({ state: 'attached' });
}

interface PaintedText {
  text: string;
  color: string;
  /** The opacity the text is painted with: its own and its ancestors'. */
  opacity: number;
  /** Background colours from the text's element up to the root. */
  backgrounds: string[];
  /** WCAG "large" text (24px, or 18.66px bold), which needs 3:1 only. */
  large: boolean;
}

/**
 * Every text a user can see under `root` (typed values and placeholders too), with the colours it
 * is painted in. Disabled controls are left out: WCAG asks no contrast of them.
 */
function paintedText(root: Locator): Promise<PaintedText[]> {
  return root.evaluate((root) => {
    const win = root.ownerDocument.defaultView!;
    const found: PaintedText[] = [];
    const sample = (el: typeof root, text: string, color: string) => {
      const backgrounds: string[] = [];
      let opacity = 1;
      for (let e: typeof root | null = el; e; e = e.parentElement) {
        const style = win.getComputedStyle(e);
        backgrounds.push(style.backgroundColor);
        opacity *= Number(style.opacity);
      }
      const style = win.getComputedStyle(el);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      found.push({ text: text.slice(0, 60), color, opacity, backgrounds, large });
    };
    for (const el of [root, ...root.querySelectorAll('*')]) {
      const box = el.getBoundingClientRect();
      // Visually hidden text (1px, clipped) is for screen readers.
      if (box.width <= 1 || box.height <= 1 || !el.checkVisibility({ visibilityProperty: true })) {
        continue;
      }
      if (el.closest(':disabled, [aria-disabled="true"]')) continue;
      const own = [...el.childNodes]
        .filter((node) => node.nodeType === node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      if (own) sample(el, own, win.getComputedStyle(el).color);
      if ('placeholder' in el && 'value' in el && el.placeholder && !el.value) {
        sample(el, String(el.placeholder), win.getComputedStyle(el, '::placeholder').color);
      } else if (
        'value' in el &&
        typeof el.value === 'string' &&
        el.value &&
        el.tagName !== 'BUTTON'
      ) {
        sample(el, el.value, win.getComputedStyle(el).color);
      }
    }
    return found;
  });
}

function contrastOf(painted: PaintedText): number {
  const background = composite(painted.backgrounds.map(parseCssColor));
  const color = parseCssColor(painted.color);
  const text = composite([{ ...color, a: color.a * painted.opacity }, background]);
  return contrastRatio(text, background);
}

/** The lowest contrast of any text under the locator's elements (which must exist). */
async function lowestContrast(locator: Locator): Promise<number> {
  assert.ok((await locator.count()) > 0, `${locator} is shown`);
  let lowest = Infinity;
  for (const element of await locator.all()) {
    for (const painted of await paintedText(element)) {
      lowest = Math.min(lowest, contrastOf(painted));
    }
  }
  return lowest;
}

/** Texts under `root` below 4.5:1 (3:1 when large), as "text (ratio)". */
async function lowContrastText(root: Locator): Promise<string[]> {
  return (await paintedText(root))
    .map((painted) => ({ painted, ratio: contrastOf(painted) }))
    .filter(({ painted, ratio }) => ratio < (painted.large ? 3 : 4.5))
    .map(({ painted, ratio }) => `${painted.text} (${ratio.toFixed(2)})`);
}

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
