import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { syncWithHost } from './app/sync-with-host.ts';
import { translator } from './i18n/i18n.ts';
import { createAppStore } from './store/app-store.ts';
import { connectBraidApi } from './transport/connect.ts';
import './styles.css';

const root = document.getElementById('root') as HTMLElement;
const t = translator('en');

async function start() {
  root.textContent = t('app.connecting');
  const api = await connectBraidApi();
  const store = createAppStore();
  await syncWithHost(api, store);
  root.textContent = '';
  createRoot(root).render(
    <StrictMode>
      <App api={api} store={store} />
    </StrictMode>,
  );
}

start().catch((error: Error) => {
  root.textContent = t('app.connectFailed', { message: error.message });
});
