import type { BraidApi } from '../../shared/ipc/braid-api.ts';
import type { AppStore } from '../store/app-store.ts';

/**
 * Keeps the store in step with the host: every event batch, and the whole state on the first load
 * and again after each reconnect, when events were missed (tasks, settings, the graphs' samples,
 * the monitor's errors): nothing shown stays stale.
 */
export async function syncWithHost(api: BraidApi, store: AppStore): Promise<void> {
  // Subscribe before asking for the state: nothing that happens in between is lost.
  api.onEvents((events) => store.getState().applyEvents(events));
  const load = async () => store.getState().load(await api.call('app.state', {}));
  // A reload that fails lost the connection again; the next reconnect loads again.
  api.onReconnect?.(() => void load().catch(() => {}));
  api.onConnection?.((state) => store.getState().setConnection(state));
  await load();
}
