import { contextBridge, ipcRenderer } from 'electron';
import type { ApiEvent } from '../../shared/api/api-events.ts';
import type { BraidApi } from '../../shared/ipc/braid-api.ts';
import { IPC_CALL_CHANNEL, IPC_EVENTS_CHANNEL } from '../../shared/ipc/braid-api.ts';
import type { Result } from '../../shared/ipc/wire.ts';

/**
 * `window.braid`: two functions, nothing more. The page never sees ipcRenderer or an
 * IpcRendererEvent; errors cross the bridge as plain Errors carrying the API's message.
 */
const braid: BraidApi = {
  async call(command, input) {
    const result = (await ipcRenderer.invoke(IPC_CALL_CHANNEL, command, input)) as Result;
    if (result.ok) return result.value as never;
    throw new Error(result.error.message);
  },
  onEvents(listener) {
    const forward = (_event: unknown, events: ApiEvent[]) => listener(events);
    ipcRenderer.on(IPC_EVENTS_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENTS_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('braid', braid);
