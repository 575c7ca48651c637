import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/chromium.ts';
import type { ApiEvent } from '../../shared/api/api-events.ts';
import { nextFrame, openSocket } from '../support/api-socket.ts';
import { FaultServer } from '../support/fault-server.ts';
import { makeContent, tempDir, MiB } from '../support/fixtures.ts';
import { startServeProcess, type ServeProcess } from '../support/serve-process.ts';

/** The page outlives the `braid serve` it talks to: the WebSocket drops and comes back. */
describe('web UI reconnecting to a restarted braid serve, in Chromium', () => {
  let server: FaultServer;
  let serve: ServeProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dirs: { path: string; cleanup(): Promise<void> };
  const pageErrors: string[] = [];

  before(async () => {
    server = await FaultServer.start();
    // A second or two of downloading each: speed samples for the graphs.
    const paced = {
      body: makeContent(2 * MiB, 'reconnect'),
      faults: { connectionRate: 128 * 1024 },
    };
    server.addFile('/before.bin', paced);
    server.addFile('/while-away.bin', paced);
    dirs = await tempDir('braid-reconnect-');
    serve = await startServeProcess(['--dir', join(dirs.path, 'downloads')], {
      BRAID_HOME: join(dirs.path, 'home'),
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(serve.url);
  });

  after(async () => {
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
    await browser?.close();
    await serve?.stop();
    await server?.close();
    await dirs?.cleanup();
  });

  const row = (on: Page, name: string) =>
    on.getByRole('grid', { name: 'Downloads' }).getByRole('row').filter({ hasText: name });

  /** What the page shows of the host's history: the graphs and the monitor's recent errors. */
  async function shown(on: Page) {
    await row(on, 'while-away.bin').locator('.task-name').click();
    const lines = await on
      .locator('.speed-graph .line-now')
      .evaluateAll((polylines) => polylines.map((line) => line.getAttribute('points') ?? ''));
    await on.getByRole('button', { name: 'Monitor' }).click();
    const errors = await on
      .getByRole('region', { name: 'Monitor' })
      .locator('.recent-errors li, .hint')
      .allTextContents();
    await on.getByRole('button', { name: 'Monitor' }).click();
    return { appGraph: lines[0], taskGraph: lines[1], errors };
  }

  async function add(path: string, state: string) {
    await page.getByRole('button', { name: 'New download' }).click();
    await page.getByLabel('URL').fill(server.url(path));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await row(page, path.slice(1)).getByText(state, { exact: true }).waitFor({ timeout: 30_000 });
  }

  it('shows after the reconnect what a reload shows: tasks, speed graphs and recent errors, also of what happened while away', async () => {
    await add('/before.bin', 'Completed');
    await add('/before.iso', 'Failed');

    // Restarted on the same address with the same token (the page keeps its cookie); offline
    // meanwhile, so the page comes back only once the new host has a history of its own.
    const { port } = new URL(serve.url);
    const token = new URL(serve.url).searchParams.get('token') as string;
    await context.setOffline(true);
    assert.equal(await serve.stop(), 0);
    const lost = page.getByRole('alert').filter({ hasText: 'Lost the connection to Braid' });
    await lost.waitFor();
    serve = await startServeProcess(
      ['--dir', join(dirs.path, 'downloads'), '--port', port, '--token', token],
      { BRAID_HOME: join(dirs.path, 'home') },
    );
    const client = await openSocket(Number(port), { authorization: `Bearer ${token}` });
    const settled = (path: string, state: string) =>
      nextFrame(
        client,
        (frame) =>
          frame.kind === 'events' &&
          frame.events.some(
            (e: ApiEvent) =>
              (e.type === 'task-added' || e.type === 'task-changed') &&
              e.task.state === state &&
              e.task.url.endsWith(path),
          ),
      );
    for (const [path, state] of [
      ['/while-away.bin', 'completed'],
      ['/while-away.iso', 'failed'],
    ] as const) {
      const done = settled(path, state);
      client.send(
        JSON.stringify({
          kind: 'call',
          id: 1,
          command: 'tasks.add',
          input: { tasks: [{ url: server.url(path) }] },
        }),
      );
      await done;
    }
    client.close();
    // The last speed sample of the finished download is in the host's history.
    await page.waitForTimeout(1500);
    await context.setOffline(false);

    await row(page, 'while-away.iso')
      .getByText('Failed', { exact: true })
      .waitFor({ timeout: 20_000 });
    await lost.waitFor({ state: 'detached' });
    const reconnected = await shown(page);
    const fresh = await context.newPage();
    await fresh.goto(new URL('/', serve.url).href);
    await row(fresh, 'while-away.iso').waitFor();
    const reloaded = await shown(fresh);
    await fresh.close();

    assert.match(reloaded.errors.join('\n'), /while-away\.iso/);
    assert.match(reloaded.taskGraph ?? '', /\d/, 'the host kept speed samples of while-away.bin');
    assert.deepEqual(reconnected, reloaded);
  });

  it('says when a restarted braid serve no longer accepts the page, and the printed address brings it back', async () => {
    const { port } = new URL(serve.url);
    assert.equal(await serve.stop(), 0);
    serve = await startServeProcess(
      [
        '--dir',
        join(dirs.path, 'downloads'),
        '--port',
        port,
        '--token',
        'a-brand-new-token-0123456789',
      ],
      { BRAID_HOME: join(dirs.path, 'home') },
    );
    const refused = page.getByRole('alert').filter({ hasText: 'no longer accepts this page' });
    await refused.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${ARTIFACTS}connection-refused.png` });
    await page.goto(serve.url);
    await row(page, 'while-away.bin').waitFor();
    assert.equal(await refused.count(), 0);
  });
});
