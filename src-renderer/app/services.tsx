import { createContext, useContext, useEffect } from 'react';
import type { FlowCatalogEntry } from '../../src-shared/ipc';
import { useStore, type StoreApi } from 'zustand';
import type { AppStores } from '../stores';

export const StoresContext = createContext<AppStores | null>(null);

export function useStores(): AppStores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores must be used inside <StoresContext.Provider>.');
  return stores;
}

/** Reads a slice of one store; re-renders only when that slice changes. */
export function useSlice<S, T>(store: StoreApi<S>, selector: (state: S) => T): T {
  return useStore(store, selector);
}

/** The flows of the registry (titles, mapping tables, document kinds), loaded on first use. */
export function useCatalog(): FlowCatalogEntry[] {
  const { catalog } = useStores();
  useEffect(() => {
    void catalog.getState().load();
  }, [catalog]);
  return useStore(catalog, (s) => s.flows);
}
