import { createStore } from 'zustand/vanilla';
import type { IpcBridge, ReconciliationView } from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';

/** The Reconciliation screen: the last report per flow, and the one being read. */
export interface ReconcileState {
  reports: Record<string, ReconciliationView>;
  running: Record<string, boolean>;
  errors: Record<string, string>;
  run(flow: string): Promise<void>;
}

export function createReconcileStore(bridge: IpcBridge) {
  return createStore<ReconcileState>()((set, get) => ({
    reports: {},
    running: {},
    errors: {},
    async run(flow) {
      set({ running: { ...get().running, [flow]: true }, errors: { ...get().errors, [flow]: '' } });
      try {
        const report = await unwrap(bridge['reconcile.run']({ flow }));
        set({ reports: { ...get().reports, [flow]: report } });
      } catch (error) {
        set({ errors: { ...get().errors, [flow]: messageOf(error) } });
      } finally {
        set({ running: { ...get().running, [flow]: false } });
      }
    },
  }));
}
