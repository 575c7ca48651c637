import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent } from '../../shared/api/api-events.ts';
import { IPC_CALL_CHANNEL, IPC_EVENTS_CHANNEL } from '../../shared/ipc/braid-api.ts';
import type { Result } from '../../shared/ipc/wire.ts';
import { installBraidApi, type Invoke, type Subscribe } from './main-world-api.ts';

/**
 * `window.braid`: two functions, nothing more. The page never sees ipcRenderer or an
 * IpcRendererEvent: calls carry a command and its input, events arrive as their payload only.
 */
const invoke: Invoke = (command, input) =>
  ipcRenderer.invoke(IPC_CALL_CHANNEL, command, input) as Promise<Result>;

const subscribe: Subscribe = (listener) => {
  const forward = (_event: IpcRendererEvent, events: ApiEvent[]) => listener(events);
  ipcRenderer.on(IPC_EVENTS_CHANNEL, forward);
  return () => {
    ipcRenderer.removeListener(IPC_EVENTS_CHANNEL, forward);
  };
};

contextBridge.executeInMainWorld({ func: installBraidApi, args: [invoke, subscribe] });
