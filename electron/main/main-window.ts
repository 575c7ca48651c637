import { BrowserWindow, shell, type WebContents } from 'electron';
import { APP_URL, externalUrl, isAppUrl } from './app-origin.ts';

/** The one window; its renderer has no Node, is sandboxed and isolated from the preload. */
export function createMainWindow(preload: string, icon: string | undefined): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 640,
    minHeight: 420,
    show: false,
    title: 'Braid',
    icon,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      // Middle-click would open links in a new window; there are no such links to follow.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  lockDown(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
  return win;
}

function lockDown(contents: WebContents): void {
  // A dropped link or a script must never take the window away from our app.
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrl(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
