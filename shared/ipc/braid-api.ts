import type { ApiEvent } from '../api/api-events.ts';
import type { CommandInput, CommandName, CommandOutput } from '../api/commands.ts';

/**
 * The one interface the renderer sees as `window.braid`, whichever carrier is underneath
 * (Electron IPC through the preload, or a WebSocket to `braid serve`). Failed commands reject
 * with an `ApiError`.
 */
export interface BraidApi {
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>>;
  /** Receives event batches in order; returns the unsubscribe function. */
  onEvents(listener: (events: ApiEvent[]) => void): () => void;
  /**
   * Called when a carrier that can drop (the WebSocket) is connected again: the events meanwhile
   * were missed. Returns the unsubscribe function. Electron's IPC never drops and has none.
   */
  onReconnect?(listener: () => void): () => void;
  /** Follows a carrier that can drop (see Connection); returns the unsubscribe function. */
  onConnection?(listener: (state: Connection) => void): () => void;
}

/**
 * Where a carrier that can drop stands: connected; trying again (the host is gone or
 * unreachable); or refused: the host is there but no longer takes this page's credentials
 * (`braid serve` restarted with another token), so only the address it printed helps.
 */
export type Connection = 'connected' | 'reconnecting' | 'refused';

/** IPC channel names shared by main and preload. */
export const IPC_CALL_CHANNEL = 'braid:call';
export const IPC_EVENTS_CHANNEL = 'braid:events';
