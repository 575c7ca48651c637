import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindow } from 'electron';
import {
  app,
  clipboard,
  dialog,
  nativeTheme,
  Notification,
  safeStorage,
  session,
  shell,
} from 'electron';
import { ApiError } from '../../shared/api/errors.ts';
import { translator } from '../../shared/i18n/translate.ts';
import { ApiHub } from '../api/api-hub.ts';
import { ClipboardWatch } from '../api/clipboard-watch.ts';
import { braidHome } from '../engine/braid-home.ts';
import { releaseLockNow } from '../engine/download-engine.ts';
import { openObservability } from '../observability/observability.ts';
import { permissionAllowed } from './app-origin.ts';
import { registerAppScheme, serveRenderer } from './app-protocol.ts';
import { DesktopStatus } from './desktop-status.ts';
import { attachWindow, serveIpc } from './ipc-transport.ts';
import { linksFromArgv, PROTOCOL } from './launch-args.ts';
import { createMainWindow } from './main-window.ts';
import { sleepCommand } from './sleep-command.ts';
import { TRAY_HINT_MARK, trayHint } from './tray-hint.ts';
import { trayIconFile } from './tray-icon.ts';
import { cachedProxyResolver } from './system-proxy.ts';

// Bundled to dist/electron/main.mjs; the preload and the renderer are built beside it.
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const RENDERER = fileURLToPath(new URL('../renderer/', import.meta.url));
// Packaged: electron-builder copies build/tray*.png to resources/icons; in development, build/.
const ICONS = app.isPackaged
  ? join(process.resourcesPath, 'icons')
  : fileURLToPath(new URL('../../build/', import.meta.url));
const trayIcon = () => join(ICONS, trayIconFile(process.platform, nativeTheme, process.env));

let hub: ApiHub | null = null;
let win: BrowserWindow | null = null;
let status: DesktopStatus | null = null;
let quitting = false;
let pendingLinks: string[] = linksFromArgv(process.argv);

registerAppScheme();
app.setAppUserModelId('app.braid.desktop');

if (!app.requestSingleInstanceLock({ links: pendingLinks })) {
  // Another Braid runs: it received our links through `second-instance`.
  app.quit();
} else {
  if (process.defaultApp) {
    app.setAsDefaultProtocolClient(PROTOCOL, process.execPath, [process.argv[1] ?? '.']);
  } else {
    app.setAsDefaultProtocolClient(PROTOCOL);
  }
  // macOS delivers braid:// links this way, possibly before `ready` (start() shows the window).
  app.on('open-url', (event, url) => {
    event.preventDefault();
    showWindow();
    handOver(linksFromArgv([url]));
  });
  app.on('second-instance', (_event, argv, _cwd, data) => {
    const sent = (data as { links?: unknown } | null)?.links;
    const links = linksFromArgv([...argv, ...(Array.isArray(sent) ? sent.map(String) : [])]);
    showWindow();
    handOver(links);
  });
  app.on('window-all-closed', () => {
    // Downloads keep running in the tray until Quit.
  });
  app.on('activate', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    if (!hub) return;
    event.preventDefault();
    void closeEngine().finally(() => app.quit());
  });
  app.whenReady().then(start).catch(fail);
}

async function start(): Promise<void> {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, origin) =>
    permissionAllowed(permission, origin),
  );
  serveRenderer(RENDERER);
  const downloads = app.getPath('downloads');
  const home = braidHome(process.env);
  try {
    hub = await ApiHub.open({
      home,
      observability: await openObservability(home),
      secrets: safeStorage.isEncryptionAvailable()
        ? {
            seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
            open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
          }
        : undefined,
      defaultDownloadDir: downloads,
      // Chromium's answer per URL honours PAC scripts and the OS's bypass list.
      systemProxy: cachedProxyResolver((url) => session.defaultSession.resolveProxy(url)),
      info: {
        version: app.getVersion(),
        shell: 'electron',
        defaultDownloadDir: downloads,
        canOpenFiles: true,
        afterQueueActions: ['quit', 'sleep'],
      },
      host: {
        openFile: async (path) => {
          const problem = await shell.openPath(path);
          if (problem) throw new ApiError('INTERNAL', problem);
        },
        showInFolder: async (path) => shell.showItemInFolder(path),
        afterQueue: async (action) => {
          if (action === 'quit') app.quit();
          else sleepComputer();
        },
      },
    });
  } catch (error) {
    const locked = error instanceof ApiError && error.code === 'ENGINE_LOCKED';
    const t = translator(app.getLocale().startsWith('zh') ? 'zh-CN' : 'en');
    dialog.showErrorBox(
      t('desktop.cannotStart'),
      locked ? t('desktop.locked') : (error as Error).message,
    );
    app.exit(1);
    return;
  }
  serveIpc((ready) => {
    if (ready === win && pendingLinks.length) handOver([]);
  });
  showWindow();
  watchClipboard(hub);
  status = new DesktopStatus(hub, trayIcon, { show: showWindow, quit: () => app.quit() });
}

function showWindow(): void {
  // Before the engine is open (before `ready`, too) there is nothing to show: start() shows it.
  if (!hub) return;
  if (!win || win.isDestroyed()) {
    win = createMainWindow(PRELOAD, undefined);
    attachWindow(hub, win);
    win.on('close', (event) => {
      // Closing hides the window; the tray keeps downloads going.
      if (!quitting) {
        event.preventDefault();
        win?.hide();
        explainTray();
      }
    });
    win.on('session-end', endSession);
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

async function closeEngine(): Promise<void> {
  const closing = hub;
  hub = null;
  status?.dispose();
  await closing?.close();
}

/**
 * Windows logs off or shuts down: it ends the process right after this event, and before-quit
 * and will-quit never come. The engine's close gets as far as it can (saves there are fsynced as
 * they go: what it does not finish costs progress, not data), and the lock goes at once.
 */
function endSession(): void {
  if (!hub) return;
  const home = hub.engine.home;
  void closeEngine().catch(() => {});
  releaseLockNow(home);
}

/** Says, once, that closing the window left Braid downloading (where there may be no tray). */
function explainTray(): void {
  const mark = join(app.getPath('userData'), TRAY_HINT_MARK);
  const hint =
    hub && trayHint(process.platform, translator(hub.engine.settings.language), existsSync(mark));
  if (!hint || !Notification.isSupported()) return;
  const note = new Notification(hint);
  heldNotes.add(note);
  note.on('close', () => heldNotes.delete(note));
  note.show();
  writeFile(mark, '').catch(() => {});
}

/** Links from outside open the add dialog, prefilled, once the renderer listens. */
function handOver(links: string[]): void {
  pendingLinks = [...pendingLinks, ...links];
  if (!hub || !win || win.webContents.isLoading() || pendingLinks.length === 0) return;
  hub.announce({ type: 'add-request', urls: pendingLinks });
  pendingLinks = [];
}

const CLIPBOARD_POLL_MS = 1000;

/** Offers copied links to files while the setting is on: a notice in the app and a notification. */
function watchClipboard(hub: ApiHub): void {
  const watch = new ClipboardWatch({
    read: () => clipboard.readText(),
    probe: (url) => hub.engine.probe(url, {}).catch(() => null),
    categories: () => hub.engine.settings.categories,
    offer: (urls) => {
      hub.announce({ type: 'link-offer', urls });
      if (!Notification.isSupported()) return;
      const note = new Notification({
        title: translator(hub.engine.settings.language)('desktop.offerTitle'),
        body: urls.join('\n'),
        silent: true,
      });
      heldNotes.add(note);
      note.on('click', () => {
        showWindow();
        handOver(urls);
      });
      note.on('close', () => heldNotes.delete(note));
      note.show();
    },
  });
  setInterval(() => {
    if (hub.engine.settings.clipboardWatch) void watch.check();
  }, CLIPBOARD_POLL_MS).unref();
}
/** Held until closed: a notification that is garbage-collected loses its click handler. */
const heldNotes = new Set<Notification>();

function sleepComputer(): void {
  const [command, args] = sleepCommand(process.platform);
  spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true })
    .on('error', () => {})
    .unref();
}

function fail(error: unknown): void {
  dialog.showErrorBox(translator('en')('desktop.cannotStart'), (error as Error).message);
  app.exit(1);
}
