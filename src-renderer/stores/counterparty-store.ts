import { createStore } from 'zustand/vanilla';
import type { CounterpartyPreview, IpcBridge, IpcResponse, MappingSetDefinition, MappingSourceKey } from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';

/**
 * "Create this vendor in Procore": what would be created (read from the source system), the
 * user's confirmation, and the outcome (created, linked as a new version, parked records
 * retried). Shared by Pending validation and Mappings; one request at a time per window.
 */
export interface CounterpartyRequest {
  definition: MappingSetDefinition;
  sourceKey: MappingSourceKey;
  /** E.g. "supplier 40030", for the dialog's words. */
  sourceLabel: string;
}

export interface CounterpartyState {
  request: CounterpartyRequest | null;
  status: 'idle' | 'loading' | 'ready' | 'creating' | 'done' | 'error';
  preview: CounterpartyPreview | null;
  result: IpcResponse<'mappings.createCounterparty'> | null;
  error: string | null;
  start(request: CounterpartyRequest): Promise<void>;
  confirm(): Promise<boolean>;
  close(): void;
}

export function createCounterpartyStore(bridge: IpcBridge) {
  return createStore<CounterpartyState>()((set, get) => ({
    request: null,
    status: 'idle',
    preview: null,
    result: null,
    error: null,

    async start(request) {
      set({ request, status: 'loading', preview: null, result: null, error: null });
      const { flow, set: table } = request.definition;
      try {
        const preview = await unwrap(bridge['mappings.previewCounterparty']({ flow, set: table, sourceKey: request.sourceKey }));
        if (get().request === request) set({ status: 'ready', preview });
      } catch (error) {
        if (get().request === request) set({ status: 'error', error: messageOf(error) });
      }
    },

    async confirm() {
      const { request, preview } = get();
      if (!request || !preview || preview.blocked !== null) return false;
      set({ status: 'creating', error: null });
      const { flow, set: table } = request.definition;
      try {
        const result = await unwrap(bridge['mappings.createCounterparty']({ flow, set: table, sourceKey: request.sourceKey }));
        if (get().request === request) set({ status: 'done', result });
        return true;
      } catch (error) {
        if (get().request === request) set({ status: 'ready', error: messageOf(error) });
        return false;
      }
    },

    close: () => set({ request: null, status: 'idle', preview: null, result: null, error: null }),
  }));
}

export type CounterpartyStore = ReturnType<typeof createCounterpartyStore>;
