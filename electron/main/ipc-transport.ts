import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { ApiError } from '../../shared/api/errors.ts';
import { IPC_CALL_CHANNEL, IPC_EVENTS_CHANNEL } from '../../shared/ipc/braid-api.ts';
import type { Result } from '../../shared/ipc/wire.ts';
import type { ApiConnection, ApiHub } from '../api/api-hub.ts';
import { isAppUrl } from './app-origin.ts';

const connections = new Map<number, ApiConnection>();

/** Carries the API over IPC: one hub connection per window, events pushed with `send`. */
export function serveIpc(onWindowReady: (win: BrowserWindow) => void): void {
  ipcMain.handle(
    IPC_CALL_CHANNEL,
    async (event, command: unknown, input: unknown): Promise<Result> => {
      const connection = trustedConnection(event);
      if (!connection) {
        const error = new ApiError(
          'UNSUPPORTED',
          'refused: the call did not come from a Braid window',
        );
        return { ok: false, error: { code: error.code, message: error.message } };
      }
      const result = await connection.dispatch(command, input);
      // A renderer asks for the state once it listens for events: from then on nothing is lost.
      const win = BrowserWindow.fromWebContents(event.sender);
      if (command === 'app.state' && win) setImmediate(() => onWindowReady(win));
      return result;
    },
  );
}

export function attachWindow(hub: ApiHub, win: BrowserWindow): void {
  const contents = win.webContents;
  const id = contents.id;
  const connection = hub.connect((events) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENTS_CHANNEL, events);
  });
  connections.set(id, connection);
  win.on('closed', () => {
    connection.close();
    connections.delete(id);
  });
}

/** The sender must be the top frame of one of our windows, still showing our own page. */
function trustedConnection(event: IpcMainInvokeEvent): ApiConnection | null {
  const frame = event.senderFrame;
  // senderFrame is null (or detached) once the frame navigated away or was destroyed.
  if (!frame || frame.detached || frame.parent !== null || !isAppUrl(frame.url)) return null;
  if (!BrowserWindow.fromWebContents(event.sender)) return null;
  // Only windows attached to the hub have a connection: any other webContents is refused.
  return connections.get(event.sender.id) ?? null;
}
