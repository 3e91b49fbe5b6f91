import { createStore } from 'zustand/vanilla';
import type { ConnectionView, IpcBridge, IpcRequestInput } from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';

export type ConnectionSaveInput = IpcRequestInput<'connections.save'>;

export interface ConnectionsState {
  connections: ConnectionView[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  notice: { kind: 'success' | 'error'; text: string } | null;
  busy: boolean;

  load(): Promise<void>;
  save(input: ConnectionSaveInput): Promise<ConnectionView | null>;
  remove(id: string): Promise<void>;
}

export function createConnectionsStore(bridge: IpcBridge) {
  return createStore<ConnectionsState>()((set, get) => ({
    connections: [],
    status: 'idle',
    error: null,
    notice: null,
    busy: false,

    async load() {
      if (get().status !== 'ready') set({ status: 'loading' });
      try {
        const { connections } = await unwrap(bridge['connections.list']());
        set({ connections, status: 'ready', error: null });
      } catch (error) {
        set({ status: 'error', error: messageOf(error) });
      }
    },

    async save(input) {
      set({ busy: true, notice: null });
      try {
        const { connection, created } = await unwrap(bridge['connections.save'](input));
        set({
          busy: false,
          notice: { kind: 'success', text: `${created ? 'Added' : 'Saved'} “${connection.label}”.` },
        });
        await get().load();
        return connection;
      } catch (error) {
        set({ busy: false, notice: { kind: 'error', text: messageOf(error) } });
        return null;
      }
    },

    async remove(id) {
      set({ busy: true, notice: null });
      try {
        await unwrap(bridge['connections.delete']({ id }));
        set({ busy: false, notice: { kind: 'success', text: 'Connection removed, with its secrets.' } });
        await get().load();
      } catch (error) {
        set({ busy: false, notice: { kind: 'error', text: messageOf(error) } });
      }
    },
  }));
}

export type ConnectionsStore = ReturnType<typeof createConnectionsStore>;
