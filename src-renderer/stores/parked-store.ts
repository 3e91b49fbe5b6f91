import { createStore } from 'zustand/vanilla';
import type { IpcBridge, IpcResponse, ParkedGroup } from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';

export interface ParkedState {
  groups: ParkedGroup[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** When the groups were read (epoch ms): "waiting for 3 days" is counted to then. */
  loadedAt: number;
  /** Ids of records ticked for "Retry selected". */
  selected: ReadonlySet<number>;
  retry: {
    busy: boolean;
    label: string;
    result: IpcResponse<'parked.retry'> | null;
    error: string | null;
  } | null;

  load(): Promise<void>;
  toggle(id: number): void;
  /** Ticks every record of a group, or clears them when all are ticked. */
  toggleGroup(group: ParkedGroup): void;
  retryRecords(flow: string, ids: number[], label: string): Promise<void>;
  retryGroup(group: ParkedGroup): Promise<void>;
}

export function createParkedStore(bridge: IpcBridge) {
  return createStore<ParkedState>()((set, get) => {
    const runRetry = async (
      request: { flow: string; ids?: number[]; reasonCode?: string },
      label: string,
    ) => {
      set({ retry: { busy: true, label, result: null, error: null } });
      try {
        const result = await unwrap(bridge['parked.retry'](request));
        set({ retry: { busy: false, label, result, error: null }, selected: new Set() });
        await get().load();
      } catch (error) {
        set({ retry: { busy: false, label, result: null, error: messageOf(error) } });
      }
    };

    return {
      groups: [],
      loadedAt: 0,
      status: 'idle',
      error: null,
      selected: new Set(),
      retry: null,

      async load() {
        set({ status: get().status === 'ready' ? 'ready' : 'loading', error: null });
        try {
          const { groups } = await unwrap(bridge['parked.groups']({}));
          const open = new Set(groups.flatMap((g) => g.records.map((r) => r.id)));
          set({
            groups,
            loadedAt: Date.now(),
            status: 'ready',
            selected: new Set([...get().selected].filter((id) => open.has(id))),
          });
        } catch (error) {
          set({ status: 'error', error: messageOf(error) });
        }
      },

      toggle(id) {
        const selected = new Set(get().selected);
        if (!selected.delete(id)) selected.add(id);
        set({ selected });
      },

      toggleGroup(group) {
        const selected = new Set(get().selected);
        const ids = group.records.map((r) => r.id);
        const allTicked = ids.every((id) => selected.has(id));
        for (const id of ids) {
          if (allTicked) selected.delete(id);
          else selected.add(id);
        }
        set({ selected });
      },

      retryRecords: (flow, ids, label) => runRetry({ flow, ids }, label),
      retryGroup: (group) =>
        runRetry(
          { flow: group.flow, reasonCode: group.reasonCode },
          `all ${group.count} in “${group.reasonText}”`,
        ),
    };
  });
}

export type ParkedStore = ReturnType<typeof createParkedStore>;
