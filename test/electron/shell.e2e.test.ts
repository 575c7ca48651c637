import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it, type TestContext } from 'node:test';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { electronBinary } from '../../scripts/electron-binary.ts';
import { sandboxFlags } from '../../scripts/electron-flags.ts';
import { tempDir } from '../support/fixtures.ts';
import { launchProblem } from './electron-launch.ts';

// Runs wherever an Electron binary is installed and can open windows (headless Linux: under
// `xvfb-run -a`); elsewhere every test says why and skips. The desktop bundles are built by
// `npm run build`.
const BINARY = electronBinary();
const PROBLEM = launchProblem(BINARY, process.platform, process.env);
const FLAGS = sandboxFlags(process.platform, process.getuid?.());
const MAIN = new URL('../../dist/electron/main.mjs', import.meta.url).pathname;
const PRELOAD = new URL('../../dist/electron/preload.cjs', import.meta.url).pathname;

function skipWithoutElectron(t: TestContext): boolean {
  if (!PROBLEM) return false;
  console.log(`SKIPPED: ${PROBLEM}`);
  t.skip(`SKIPPED: ${PROBLEM}`);
  return true;
}

async function launch(home: string, extraArgs: string[] = []): Promise<ElectronApplication> {
  return electron.launch({
    executablePath: BINARY as string,
    args: [...FLAGS, MAIN, `--user-data-dir=${home}/user-data`, ...extraArgs],
    env: { ...process.env, BRAID_HOME: `${home}/braid` },
  });
}

async function withApp(
  fn: (app: ElectronApplication, home: string) => Promise<void>,
): Promise<void> {
  const dirs = await tempDir('braid-electron-');
  const app = await launch(dirs.path);
  try {
    await fn(app, dirs.path);
  } finally {
    await app.close().catch(() => {});
    await dirs.cleanup();
  }
}

describe('desktop shell (Electron)', () => {
  it('loads the UI sandboxed: window.braid exists, Node does not', async (t) => {
    if (skipWithoutElectron(t)) return;
    await withApp(async (app) => {
      const page = await app.firstWindow();
      await page.getByRole('list', { name: 'Downloads' }).waitFor({ state: 'attached' });
      const globals = await page.evaluate(
        '({ braid: typeof window.braid, require: typeof require, process: typeof process, url: location.href })',
      );
      assert.deepEqual(globals, {
        braid: 'object',
        require: 'undefined',
        process: 'undefined',
        url: 'app://braid/index.html',
      });
    });
  });

  it('answers commands over IPC, and a failed command rejects with its code', async (t) => {
    if (skipWithoutElectron(t)) return;
    await withApp(async (app) => {
      const page = await app.firstWindow();
      const state = (await page.evaluate("window.braid.call('app.state', {})")) as {
        info: { shell: string };
      };
      assert.equal(state.info.shell, 'electron');
      const failure = await page.evaluate(
        "window.braid.call('no.such.command', {}).then(() => null, (e) => [e instanceof Error, e.code])",
      );
      assert.deepEqual(failure, [true, 'INVALID_INPUT']);
    });
  });

  it('refuses IPC from frames and pages that are not our app, even with the preload', async (t) => {
    if (skipWithoutElectron(t)) return;
    await withApp(async (app) => {
      const page = await app.firstWindow();
      const inFrame = await page.evaluate(`(async () => {
        const frame = document.createElement('iframe');
        frame.srcdoc = '<p>x</p>';
        document.body.append(frame);
        await new Promise((r) => frame.onload = r);
        return typeof frame.contentWindow.braid;
      })()`);
      assert.equal(inFrame, 'undefined', 'subframes get no API');
      // A window of our own process running our preload, but on a page that is not app://.
      const opened = app.waitForEvent('window');
      await app.evaluate(({ BrowserWindow }, preload) => {
        const forged = new BrowserWindow({
          show: false,
          webPreferences: {
            preload,
            contextIsolation: true,
            sandbox: true,
            nodeIntegration: false,
          },
        });
        void forged.loadURL('data:text/html,<p>forged</p>');
      }, PRELOAD);
      const forged = await opened;
      await forged.waitForURL(/^data:/);
      const answer = await forged.evaluate(
        "window.braid.call('app.state', {}).then(() => 'answered', (e) => e.code)",
      );
      assert.equal(answer, 'UNSUPPORTED');
    });
  });

  it('blocks navigation away from the app, and opens new windows in the system browser', async (t) => {
    if (skipWithoutElectron(t)) return;
    await withApp(async (app) => {
      const page = await app.firstWindow();
      // The developer's browser stays shut: the shell's call is recorded instead.
      await app.evaluate(({ shell }) => {
        const opened: string[] = [];
        Object.assign(globalThis, { openedExternally: opened });
        shell.openExternal = async (url: string) => {
          opened.push(url);
        };
      });
      await page.evaluate("location.href = 'https://example.test/'").catch(() => {});
      await page.evaluate("window.open('https://example.test/')");
      await page.waitForTimeout(500);
      assert.equal(page.url(), 'app://braid/index.html');
      assert.equal(app.windows().length, 1);
      const opened = await app.evaluate(
        () => (globalThis as { openedExternally?: string[] }).openedExternally,
      );
      assert.deepEqual(opened, ['https://example.test/']);
    });
  });

  it('keeps running in the tray when the window is closed', async (t) => {
    if (skipWithoutElectron(t)) return;
    await withApp(async (app) => {
      const page = await app.firstWindow();
      await page.evaluate('window.close()');
      await page.waitForTimeout(500);
      const visible = await app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows().map((w) => w.isVisible()),
      );
      assert.deepEqual(visible, [false]);
    });
  });

  it('hands links of a second launch to the running app, which shows itself with the add dialog', async (t) => {
    if (skipWithoutElectron(t)) return;
    await withApp(async (app, home) => {
      const page = await app.firstWindow();
      await page.getByRole('list', { name: 'Downloads' }).waitFor({ state: 'attached' });
      await page.evaluate('window.close()');
      const second = spawn(
        BINARY as string,
        [
          ...FLAGS,
          MAIN,
          `--user-data-dir=${home}/user-data`,
          'braid://add?url=http%3A%2F%2F127.0.0.1%3A9%2Fx.iso',
        ],
        { env: { ...process.env, BRAID_HOME: `${home}/braid` } },
      );
      const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
      assert.equal(code, 0, 'the second instance quits at once');
      const dialog = page.getByRole('dialog', { name: 'New download' });
      await dialog.waitFor();
      assert.equal(await dialog.getByLabel('URL').inputValue(), 'http://127.0.0.1:9/x.iso');
      const visible = await app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows().map((w) => w.isVisible()),
      );
      assert.deepEqual(visible, [true], 'the hidden window is shown again');
    });
  });
});
