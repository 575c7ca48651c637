import type { BraidApi } from '../../shared/ipc/braid-api.ts';
import { connectWebSocketApi } from './websocket-api.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser talking to `braid serve`. */
    braid?: BraidApi;
  }
}

/** The desktop app's preload API when there is one, else a WebSocket to the serving host. */
export function connectBraidApi(): Promise<BraidApi> {
  if (window.braid) return Promise.resolve(window.braid);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return connectWebSocketApi(`${scheme}//${location.host}/api`);
}
