import { createStore } from 'zustand/vanilla';
import type { FlowCatalogEntry, IpcBridge, MappingSetDefinition } from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';

/**
 * The flows of the registry as main describes them (`flows.catalog`): titles, mapping tables and
 * document kinds. Loaded once per window; every screen that lists flows reads it, so a new flow
 * needs no change in the renderer.
 */
export interface CatalogState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  flows: FlowCatalogEntry[];
  load(): Promise<void>;
}

export function createCatalogStore(bridge: IpcBridge) {
  /** The load in progress: every caller waits for the same one. */
  let loading: Promise<void> | null = null;
  return createStore<CatalogState>()((set, get) => ({
    status: 'idle',
    error: null,
    flows: [],
    load() {
      if (get().status === 'ready') return Promise.resolve();
      loading ??= (async () => {
        set({ status: 'loading' });
        try {
          const { flows } = await unwrap(bridge['flows.catalog']());
          set({ flows, status: 'ready', error: null });
        } catch (error) {
          set({ status: 'error', error: messageOf(error) });
        } finally {
          loading = null;
        }
      })();
      return loading;
    },
  }));
}

/** A flow's title, or its id while the catalog is loading. */
export function flowTitleIn(flows: readonly FlowCatalogEntry[], flow: string): string {
  return flows.find((f) => f.flow === flow)?.title ?? flow;
}

export function mappingSetsIn(flows: readonly FlowCatalogEntry[]): MappingSetDefinition[] {
  return flows.flatMap((f) => f.mappingSets);
}

/** Audit record kinds of every flow, each once, with its label. */
export function documentKindsIn(flows: readonly FlowCatalogEntry[]): { entity: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const f of flows) for (const d of f.documents) if (!seen.has(d.entity)) seen.set(d.entity, d.label);
  return [...seen].map(([entity, label]) => ({ entity, label }));
}
