import type { ApiEvent } from '../../shared/api/api-events.ts';
import type { BraidApi } from '../../shared/ipc/braid-api.ts';
import type { Result } from '../../shared/ipc/wire.ts';

/** The two doors the isolated world opens to the page: a call answered with a Result, events. */
export type Invoke = (command: string, input: unknown) => Promise<Result>;
export type Subscribe = (listener: (events: ApiEvent[]) => void) => () => void;

/**
 * Builds `window.braid` inside the page's own world. Errors copied across the context bridge keep
 * only their message, so a failed call is turned into an Error with `code` here, on the page's
 * side. `contextBridge.executeInMainWorld` serializes this function: it may use only its
 * arguments and the page's globals (hence the few lines that mirror shared/ipc/result.ts).
 */
export function installBraidApi(
  invoke: Invoke,
  subscribe: Subscribe,
  target: object = globalThis,
): void {
  const api: BraidApi = {
    async call(command, input) {
      const result = await invoke(command, input);
      if (result.ok) return result.value as never;
      const error = new Error(result.error.message) as Error & { code: string; reason?: string };
      error.name = 'ApiError';
      error.code = result.error.code;
      if (result.error.reason) error.reason = result.error.reason;
      throw error;
    },
    onEvents(listener) {
      return subscribe(listener);
    },
  };
  Object.defineProperty(target, 'braid', { value: Object.freeze(api), enumerable: true });
}
