import type { JsonValue } from '../../../src-shared/domain/audit';
import type { RecordComparison, RecordLabel, TargetLabel } from '../../../src-shared/domain/labels';
import type {
  MappingSetDefinition,
  MappingSourceKey,
  MappingTarget,
  ReferenceOption,
} from '../../../src-shared/ipc/mapping-sets';
import type { AcumaticaConnector } from '../../connectors/acumatica';
import type { CoupaConnector } from '../../connectors/coupa';
import type { ExactOnlineConnector } from '../../connectors/exact-online';
import type { MondayConnector } from '../../connectors/monday';
import type { ProcoreConnector } from '../../connectors/procore';
import type { IntacctConnector } from '../../connectors/sage-intacct';
import type { World } from '../../sandbox/seed/world-types';
import type { Store } from '../../store/db';
import type { ReconciliationReport } from '../reconcile/reconcile';
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
  'sage-intacct': IntacctConnector;
  coupa: CoupaConnector;
  monday: MondayConnector;
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

/** What creating a target counterparty would write (read from the source); nothing is written yet. */
export interface CounterpartyPreview {
  /** E.g. 'Create vendor “Bouwmaterialen Groothandel Koster B.V.” in Procore'. */
  title: string;
  /** E.g. "Exact Online supplier 40030". */
  source: string;
  fields: { label: string; value: string }[];
  /** Target records that may be the same one (the user may link one instead). */
  similar: ReferenceOption[];
  /** Why it cannot be created (null when it can). */
  blocked: string | null;
}

/** A counterparty created in the target from a source one; the host links it in the table. */
export interface CreatedCounterparty {
  /** The target's id of the new record. */
  targetId: string;
  /** Its name in the target. */
  name: string;
  /** The mapping row's target for the source key (e.g. {procoreVendorId: "…"}). */
  target: MappingTarget;
  /** One sentence of what was done, for the screen and the audit log. */
  message: string;
  /** Audit bookkeeping: the kind of record created and the system it was created in. */
  entity: string;
  targetSystem: string;
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
  /**
   * The options of a reference list its mapping fields name (MappingField.reference.list):
   * target records by name and code with the value the mapping stores, or the values the source
   * system knows. Reads the systems every time; the host caches the answers briefly. A failed
   * read throws a ReadFailedError that says what to do. With `scope`: where the options come
   * from, when the system has several (a chart of accounts); messages name it.
   */
  referenceData?(list: string): Promise<ReferenceOption[] | { options: ReferenceOption[]; scope: string }>;
  /** What creating the target counterparty of an unmapped source value would write (a table with `createsCounterparty`). */
  previewCounterparty?(set: string, sourceKey: MappingSourceKey): Promise<CounterpartyPreview>;
  /**
   * Creates it in the target, idempotently (keyed by the source record, so a retry after a lost
   * answer updates the same record), and returns the target to link. Throws a plain-language
   * error when the target refuses.
   */
  createCounterparty?(set: string, sourceKey: MappingSourceKey): Promise<CreatedCounterparty>;
  /**
   * Do the two systems agree? Reads both (counted calls) and explains every difference by a
   * cause (engine/reconcile, decision 0023). Reads only.
   */
  reconcile?(request: { apiCalls(): Record<string, number> }): Promise<ReconciliationReport>;
}

export interface FlowOpenContext<S extends ConnectableSystem> {
  store: Store;
  connectors: Pick<SystemConnectors, S>;
  /** The connection id of each system the flow uses (cursors belong to the source connection). */
  connectionIds: Record<S, string>;
  /** One read per source stream and cursor per poll, fanned out to every flow that uses it. */
  sharedReads: SharedSourceReads;
}

export interface FlowPlugin<S extends ConnectableSystem = ConnectableSystem> extends FlowRecordNames {
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
  /**
   * The mapping keys a stored source record's coding depends on (src-shared/domain/validation.ts
   * `mappingKey`), one group per thing coded (the supplier, each line's cost, each line's
   * project), each group's alternatives most specific first. Lets a mapping import say how many
   * written records it would recode. Without it, that count is 0.
   */
  codingKeys?(stream: string, payload: JsonValue): string[][];
  /**
   * What one idle poll costs per system (the scheduler spaces polls by it): a number of calls, or
   * the names of the shared feeds it reads (one call each), which flows on the same connection
   * read once between them (decision 0017), so a feed already read by another flow costs nothing.
   */
  idlePollCalls(store: Store): Partial<Record<S, number | readonly string[]>>;
  open(context: FlowOpenContext<S>): FlowRuntime;
  /**
   * First start on the sandbox: the mapping tables a finance team would have set up, from the
   * demo world (minus its deliberate gaps, which the user fixes). Does nothing when they exist.
   */
  seedSandboxMappings(store: Store, world: () => World): void;
}

/** Which kind of source record a snapshot is: parked records know their stream, audit entries their entity. */
export interface SourceRecordRef {
  stream?: string;
  entity?: string;
}

/** What a target holds (or was sent) for a source record: one per target document. */
export interface TargetState {
  entity: string;
  /** The target's id once written; null for what was only planned. */
  targetId: string | null;
  /** The planned write as stored (outbox, target record, audit entry). */
  payload: JsonValue;
  label: TargetLabel | null;
}

/**
 * How a flow names its records and shows them beside the target (issue 17, decision 0022). Its
 * stream specs name records as they are read and written (StreamSpec.describe, describeTarget);
 * these name a stored snapshot after the fact.
 */
export interface FlowRecordNames {
  /**
   * "PO 20010 · Bouwmaterialen Groothandel Koster B.V. · € 39.854,50" from a stored source
   * snapshot (records parked or audited before labels were stored); null when the payload is not
   * one of its records.
   */
  describeRecord?(ref: SourceRecordRef, payload: JsonValue): RecordLabel | null;
  /** The source document beside the target's, as labelled fields and lines with differences marked. */
  compareRecord?(ref: SourceRecordRef, source: JsonValue | null, targets: readonly TargetState[], sourceLabel?: RecordLabel | null): RecordComparison | null;
}

/** Any flow of the registry (each keeps its own system list). */
export type AnyFlowPlugin = FlowPlugin<ConnectableSystem>;

