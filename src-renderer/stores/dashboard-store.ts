import { createStore } from 'zustand/vanilla';
import type { FlowMoney, FlowOverview, IpcBridge, IpcEventPayload, IpcResponse, RunView } from '../../src-shared/ipc';
import { IpcCallError, messageOf, unwrap } from '../ipc/call';

export type RunProgress = IpcEventPayload<'run.progress'>;

export interface DashboardState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** null while the engine is not running in this process (engineMessage says so). */
  flows: FlowOverview[] | null;
  engineMessage: string | null;
  app: IpcResponse<'app.status'> | null;
  runs: RunView[];
  /** Money per flow (synced, waiting, per project and counterparty); read from the store, no engine needed. */
  money: FlowMoney[];
  /** When the overview was read (epoch ms): ages are counted to then. */
  loadedAt: number;
  /** Latest progress event per flow (from 'run.progress'). */
  progress: Record<string, RunProgress>;
  /** Flows whose "Sync now" is being started or error text per flow. */
  starting: Record<string, boolean>;
  syncErrors: Record<string, string>;

  load(): Promise<void>;
  startSync(flow: string): Promise<void>;
  onProgress(progress: RunProgress): void;
}

export function createDashboardStore(bridge: IpcBridge) {
  return createStore<DashboardState>()((set, get) => ({
    status: 'idle',
    error: null,
    flows: null,
    engineMessage: null,
    app: null,
    runs: [],
    money: [],
    loadedAt: 0,
    progress: {},
    starting: {},
    syncErrors: {},

    async load() {
      if (get().status !== 'ready') set({ status: 'loading' });
      try {
        const [app, runs, overview, money] = await Promise.all([
          unwrap(bridge['app.status']()),
          unwrap(bridge['runs.list']({ limit: 50 })),
          bridge['flows.overview'](),
          unwrap(bridge['money.summary']({})),
        ]);
        if (overview.ok) set({ flows: overview.value.flows, engineMessage: null });
        else if (overview.error.code === 'unavailable')
          set({ flows: null, engineMessage: overview.error.message });
        else throw new IpcCallError(overview.error.code, overview.error.message);
        set({ app, runs: runs.runs, money: money.flows, loadedAt: Date.now(), status: 'ready', error: null });
      } catch (error) {
        set({ status: 'error', error: messageOf(error) });
      }
    },

    async startSync(flow) {
      set({ starting: { ...get().starting, [flow]: true }, syncErrors: { ...get().syncErrors, [flow]: '' } });
      try {
        const { runId } = await unwrap(bridge['sync.start']({ flow }));
        // Until the first event arrives, show the run as starting.
        if (get().progress[flow]?.runId !== runId) {
          get().onProgress({
            runId,
            flow,
            phase: 'starting',
            processed: 0,
            total: null,
            counts: { created: 0, updated: 0, unchanged: 0, parked: 0, failed: 0 },
          });
        }
      } catch (error) {
        set({ syncErrors: { ...get().syncErrors, [flow]: messageOf(error) } });
      } finally {
        set({ starting: { ...get().starting, [flow]: false } });
      }
    },

    onProgress(progress) {
      set({ progress: { ...get().progress, [progress.flow]: progress } });
      // A finished run changes counts, last run and the chart.
      if (progress.phase === 'done' || progress.phase === 'failed') void get().load();
    },
  }));
}

export type DashboardStore = ReturnType<typeof createDashboardStore>;

/** True while a flow has a run that has not reported done/failed. */
export function isRunning(progress: RunProgress | undefined): boolean {
  return progress !== undefined && progress.phase !== 'done' && progress.phase !== 'failed';
}
