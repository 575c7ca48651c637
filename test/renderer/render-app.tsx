import { render } from '@testing-library/react';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { App } from '../../renderer/app/App.tsx';
import { createAppStore } from '../../renderer/store/app-store.ts';
import { appState, FakeApi } from './fake-api.ts';

/** The whole app on a fake API, wired the way renderer/main.tsx wires it. */
export function renderApp(tasks: TaskSnapshot[] = [], api = new FakeApi()) {
  const store = createAppStore();
  api.onEvents((events) => store.getState().applyEvents(events));
  api.onConnection((state) => store.getState().setConnection(state));
  store.getState().load(appState(tasks));
  const view = render(<App api={api} store={store} />);
  return { api, store, view };
}
