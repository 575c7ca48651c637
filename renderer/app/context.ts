import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { BraidApi } from '../../shared/ipc/braid-api.ts';
import type { AppStore, StoreActions, StoreState } from '../store/app-store.ts';

export const StoreContext = createContext<AppStore | null>(null);
export const ApiContext = createContext<BraidApi | null>(null);

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('no store provided');
  return store;
}

export function useApp<T>(selector: (s: StoreState & StoreActions) => T): T {
  return useStore(useAppStore(), selector);
}

export function useApi(): BraidApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('no API provided');
  return api;
}
