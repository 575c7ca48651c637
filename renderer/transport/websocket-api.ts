import type { ApiEvent } from '../../shared/api/api-events.ts';
import { ApiError } from '../../shared/api/errors.ts';
import type { BraidApi, Connection } from '../../shared/ipc/braid-api.ts';
import { unwrapResult } from '../../shared/ipc/result.ts';
import type { ClientFrame, ServerFrame } from '../../shared/ipc/wire.ts';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * `window.braid` over a WebSocket to `braid serve`. The token travels in the HttpOnly cookie set
 * when the printed URL was opened. When the connection drops it reconnects with backoff and tells
 * onReconnect listeners, since events were missed meanwhile.
 */
export function connectWebSocketApi(url: string): Promise<BraidApi> {
  const listeners = new Set<(events: ApiEvent[]) => void>();
  const reconnectListeners = new Set<() => void>();
  const connectionListeners = new Set<(state: Connection) => void>();
  let connection: Connection = 'connected';
  const setConnection = (state: Connection) => {
    if (state === connection) return;
    connection = state;
    for (const listener of connectionListeners) listener(state);
  };
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocket;
  let delay = RECONNECT_MIN_MS;
  let everOpened = false;

  const emit = (events: ApiEvent[]) => {
    for (const listener of listeners) listener(events);
  };

  const api: BraidApi = {
    call(command, input) {
      if (socket.readyState !== WebSocket.OPEN) {
        return Promise.reject(new ApiError('ENGINE_CLOSED', 'not connected to Braid; retrying'));
      }
      const id = nextId++;
      const frame: ClientFrame = { kind: 'call', id, command, input };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        socket.send(JSON.stringify(frame));
      });
    },
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };

  return new Promise((resolve, reject) => {
    const open = () => {
      socket = new WebSocket(url);
      socket.onopen = () => {
        delay = RECONNECT_MIN_MS;
        if (everOpened) {
          setConnection('connected');
          for (const listener of reconnectListeners) listener();
        } else {
          everOpened = true;
          resolve(api);
        }
      };
      socket.onmessage = (message) => {
        const frame = JSON.parse(String(message.data)) as ServerFrame;
        if (frame.kind === 'events') {
          emit(frame.events);
          return;
        }
        const call = pending.get(frame.id);
        if (!call) return;
        pending.delete(frame.id);
        try {
          call.resolve(unwrapResult(frame.result));
        } catch (error) {
          call.reject(error);
        }
      };
      socket.onclose = () => {
        for (const call of pending.values()) {
          call.reject(new ApiError('ENGINE_CLOSED', 'the connection to Braid was lost'));
        }
        pending.clear();
        if (!everOpened) {
          reject(new Error('cannot reach Braid: open the URL that `braid serve` printed'));
          return;
        }
        void refusedOrGone(url).then((state) => {
          // Connected again meanwhile: that answer is out of date.
          if (socket.readyState !== WebSocket.OPEN) setConnection(state);
        });
        setTimeout(open, delay);
        delay = Math.min(delay * 2, RECONNECT_MAX_MS);
      };
    };
    open();
  });
}

/**
 * Why the socket closed, as far as a page can tell (a refused WebSocket upgrade shows it no
 * status): the page's own address answers 401 or 403 once the host no longer takes its cookie.
 */
async function refusedOrGone(socketUrl: string): Promise<Connection> {
  try {
    const page = new URL('/', socketUrl.replace(/^ws/, 'http'));
    const { status } = await fetch(page, { credentials: 'same-origin', cache: 'no-store' });
    return status === 401 || status === 403 ? 'refused' : 'reconnecting';
  } catch {
    return 'reconnecting';
  }
}
