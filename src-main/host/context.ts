import type { FlowOverview, IpcResponse, MappingSourceKey } from '../../src-shared/ipc';
import type { CreatedCounterparty } from '../engine/flows/types';
import type { Logger } from '../connectors/_kit/log';
import type { CredentialStore } from '../credentials';
import type { Store } from '../store/db';
import type { EventBus } from './event-bus';
import type { ExportDelivery } from './exports';

/**
 * Everything a handler may use. Built by createAppContext (app-context.ts) for Electron main,
 * the CLI, the browser host and tests, and passed to `dispatch`.
 */
export interface AppContext {
  store: Store;
  credentials: CredentialStore;
  events: EventBus;
  dataDir: string;
  appVersion: string;
  log: Logger;
  /** Injected so tests control timestamps. */
  now: () => Date;
  /**
   * The sync engine, where this process runs one (Electron main, `serve`). Set after the context
   * is built (the engine needs the store and events). Engine-backed IPC methods answer
   * 'unavailable' while it is undefined.
   */
  engine?: EngineApi;
  /**
   * Where exports land: the desktop app's save dialog, the browser host's one-time downloads;
   * absent: a file under `<dataDir>/exports` (host/exports.ts).
   */
  exports?: ExportDelivery;
}

/** What the IPC handlers need from the sync engine (src-main/engine implements it). */
export interface EngineApi {
  flows(): Promise<FlowOverview[]>;
  /** Returns at once; progress arrives as 'run.progress' events on ctx.events. */
  startSync(flow: string, trigger: 'manual'): Promise<{ runId: string }>;
  replayAudit(seq: number): Promise<IpcResponse<'replay.audit'>>;
  retryParked(req: { flow: string; ids?: number[]; reasonCode?: string }): Promise<IpcResponse<'parked.retry'>>;
  /** A mapping set of `flow` got a new version: re-queue the parked records it may fix. */
  mappingsChanged(flow: string): Promise<{ requeued: number; /** Open parked records of the flow after the retry. */ stillWaiting?: number }>;
  /** Do the two systems of the flow agree? Reads both now; the CSV lands in the data folder's exports. */
  reconcile(flow: string): Promise<IpcResponse<'reconcile.run'>>;
  /** Supplier → vendor links suggested from Procore's vendor list (reads both systems, saves nothing). */
  suggestVendorLinks(flow: string): Promise<IpcResponse<'mappings.suggestVendors'>>;
  /** The picker options of a mapping table's fields, read through the flow (cached briefly). Optional: test doubles may lack it. */
  tableReference?(flow: string, set: string, refresh?: boolean): Promise<IpcResponse<'mappings.reference'>>;
  /** What creating the target counterparty of an unmapped source value would write; creates nothing. */
  previewCounterparty?(flow: string, set: string, sourceKey: MappingSourceKey): Promise<IpcResponse<'mappings.previewCounterparty'>>;
  /** Creates it in the target (the caller links it in the table); forgets the cached lists it changes. */
  createCounterparty?(flow: string, set: string, sourceKey: MappingSourceKey): Promise<CreatedCounterparty>;
}
