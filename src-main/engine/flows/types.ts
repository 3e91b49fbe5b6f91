import type { JsonValue } from '../../../src-shared/domain/audit';
import type { MappingSetDefinition } from '../../../src-shared/ipc/mapping-sets';
import type { AcumaticaConnector } from '../../connectors/acumatica';
import type { ExactOnlineConnector } from '../../connectors/exact-online';
import type { ProcoreConnector } from '../../connectors/procore';
import type { World } from '../../sandbox/seed/world-types';
import type { Store } from '../../store/db';
import type { RunSummary, RunTrigger } from '../sync/flow-run';
import type { RunLockOptions } from '../sync/run-lock';
import type { SharedSourceReads } from '../sync/shared-reads';
import type { RunCounts } from '../sync/types';

/**
 * A flow is a plugin: one folder under engine/flows/<flow-id>/ whose index.ts exports a
 * FlowPlugin, listed once in flows/registry.ts. Host, CLI, scheduler, IPC and renderer iterate
 * the registry and know nothing else about a particular flow (decision 0017).
 */

/** The connector each system's connection opens (one per connection, shared by every flow using it). */
export interface SystemConnectors {
  'exact-online': ExactOnlineConnector;
  procore: ProcoreConnector;
  acumatica: AcumaticaConnector;
}

/** Systems whose connector the app can open today (the others have simulators, not connectors yet). */
export type ConnectableSystem = keyof SystemConnectors;

export interface FlowRunRequest {
  trigger: RunTrigger;
  /** Run id to use (callers that must answer with it before the run ends); default: a new uuid. */
  runId?: string;
  /** Stops the run at its next safe point (Ctrl-C, SIGTERM, Quit); its reason completes "Stopped …". */
  signal?: AbortSignal;
  onProgress?: (counts: RunCounts) => void;
  lock?: RunLockOptions;
}

export interface ParkedSelection {
  ids?: readonly number[];
  reasonCode?: string;
}

/**
 * A suggested link from a source counterparty (Exact supplier) to a target one (Procore vendor),
 * confirmed by the user before it is saved in the flow's counterparty mapping table.
 */
export interface CounterpartyLinkSuggestion {
  supplierCode: string;
  supplierName: string;
  vendorId: string;
  vendorName: string;
  /** The evidence, strongest first: the target's External ID, its origin id, or the same name. */
  matchedBy: 'origin_code' | 'origin_id' | 'name';
}

/**
 * A flow's answer to "do the two systems agree?" (ARCHITECTURE §6b): both sides read, every
 * difference listed with its cause. The generic reconciliation command prints `text`, or
 * `report` with --json.
 */
export interface FlowReconciliation {
  /** e.g. "Commitments vs Acumatica". */
  title: string;
  /** How many differences it found (0 = the systems agree). */
  differences: number;
  /** The report as lines for a terminal. */
  text: string[];
  /** The whole report, machine-readable. */
  report: JsonValue;
}

/** A flow opened over the process's connectors. */
export interface FlowRuntime {
  run(request: FlowRunRequest): Promise<RunSummary>;
  /** Retries parked records from their stored snapshots with the current mappings. */
  retryParked(selection: ParkedSelection, request: FlowRunRequest): Promise<RunSummary>;
  /** Replays the source record of an audit entry of this flow (idempotent). */
  replay(seq: number, request: FlowRunRequest): Promise<RunSummary & { message: string }>;
  /** Counterparty links suggested by reading both systems (supplier → vendor); saves nothing. */
  suggestCounterpartyLinks?(): Promise<CounterpartyLinkSuggestion[]>;
  /** Reads both systems and reports every difference with its cause; writes nothing. */
  reconcile?(): Promise<FlowReconciliation>;
}

export interface FlowOpenContext<S extends ConnectableSystem> {
  store: Store;
  connectors: Pick<SystemConnectors, S>;
  /** The connection id of each system the flow uses (cursors belong to the source connection). */
  connectionIds: Record<S, string>;
  /** One read per source stream and cursor per poll, fanned out to every flow that uses it. */
  sharedReads: SharedSourceReads;
}

export interface FlowPlugin<S extends ConnectableSystem = ConnectableSystem> {
  /** Stable id: folder name, CLI argument, key of cursors, outbox, parked records and audit. */
  readonly id: string;
  /** As the screens show it, e.g. "Exact Online → Procore". */
  readonly title: string;
  /** The systems whose connections it uses, source first. */
  readonly systems: readonly S[];
  /** The mapping tables a finance team maintains for it (columns, labels, key prefixes). */
  readonly mappingSets: readonly MappingSetDefinition[];
  /** The kinds of record its audit entries are about, in the words the screens use. */
  readonly documents: readonly { entity: string; label: string }[];
  /** API calls one idle poll costs per system (the scheduler spaces polls by them). */
  idlePollCalls(store: Store): Partial<Record<S, number>>;
  open(context: FlowOpenContext<S>): FlowRuntime;
  /**
   * First start on the sandbox: the mapping tables a finance team would have set up, from the
   * demo world (minus its deliberate gaps, which the user fixes). Does nothing when they exist.
   */
  seedSandboxMappings(store: Store, world: () => World): void;
}

/** Any flow of the registry (each keeps its own system list). */
export type AnyFlowPlugin = FlowPlugin<ConnectableSystem>;

