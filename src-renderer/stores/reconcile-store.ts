import { createStore } from 'zustand/vanilla';
import type { IpcBridge, ReconciliationView } from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';
import { deliverExport } from '../ui/exports';

/** The Reconciliation screen: the last report per flow, and the one being read. */
export interface ReconcileState {
  reports: Record<string, ReconciliationView>;
  running: Record<string, boolean>;
  errors: Record<string, string>;
  /** The last "Export CSV" per flow: where it landed, in words, or why it failed. */
  exported: Record<string, { kind: 'success' | 'error'; text: string }>;
  run(flow: string): Promise<void>;
  /** The report on screen as CSV: a download in the browser, a save dialog in the desktop app. */
  exportCsv(flow: string): Promise<void>;
}

export function createReconcileStore(bridge: IpcBridge) {
  return createStore<ReconcileState>()((set, get) => ({
    reports: {},
    running: {},
    errors: {},
    exported: {},
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
    async exportCsv(flow) {
      try {
        const result = await unwrap(bridge['reconcile.exportCsv']({ flow }));
        set({ exported: { ...get().exported, [flow]: { kind: 'success', text: deliverExport(result, { one: 'document', many: 'documents' }) } } });
      } catch (error) {
        set({ exported: { ...get().exported, [flow]: { kind: 'error', text: messageOf(error) } } });
      }
    },
  }));
}
