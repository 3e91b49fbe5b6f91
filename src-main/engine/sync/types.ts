import type { JsonValue } from '../../../src-shared/domain/audit';
import type { RecordLabel, TargetLabel } from '../../../src-shared/domain/labels';
import type { ValidationIssue } from '../../../src-shared/domain/validation';
import type { SourcePage } from '../../connectors/connector';

/**
 * The shapes every flow plugs into the generic stream runner (run-stream.ts). A flow says how
 * to read, how to plan one record and how to write planned records; the runner owns the
 * contract of ARCHITECTURE.md §6: snapshot → plan → park or outbox → write → confirm → audit →
 * advance the cursor.
 */

/** A planned write to a target system: stable origin id + container (e.g. Procore project). */
export interface PlannedTargetWrite {
  entity: string;
  /** The target's idempotency key (Procore origin_id, Intacct controlid, …). */
  originId: string;
  sourceId: string;
  containerId: string;
  /** Amount shown in the audit log (two decimals), in `currency`. */
  total: string;
  currency: string;
  /** Lines written with the record, when the target keeps lines (checked by crash recovery). */
  lines?: readonly { originId: string; amount: string }[];
}

export type WriteOutcome =
  | { originId: string; ok: true; targetId: string }
  | { originId: string; ok: false; retryable: boolean; message: string; details?: JsonValue };

export interface FoundTarget {
  targetId: string;
  /** Total the target holds, compared with the intent before confirming it. */
  total: string;
  /**
   * Lines the target holds, when it keeps lines: a header whose answer was lost before its lines
   * were written can show the planned total (e.g. 0.00 for a cancelled order) without them.
   */
  lines?: readonly { originId: string | null; amount: string }[];
}

/** The target half of a flow: writes, and lookups by origin id for crash recovery. */
export interface TargetWriter<P extends PlannedTargetWrite> {
  readonly system: string;
  /**
   * Writes planned records (batching by container as the API allows); one outcome per plan.
   * Once `signal` aborts, no further call is started: records not yet written come back as
   * retryable outcomes (recovery looks them up), and calls in flight are allowed to answer.
   */
  write(plans: readonly P[], options?: WriteOptions): Promise<WriteOutcome[]>;
  /** Finds records by origin id in one container, before anything unconfirmed is retried. */
  lookup(entity: string, containerId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>>;
}

export interface WriteOptions {
  signal?: AbortSignal;
}

/**
 * A record's plan: its writes, or why it must wait (parked). `flags` are issues that do not stop
 * the write: the record is written as planned and also listed in Pending validation as
 * "created, needs review" until a plan without flags is written (e.g. after the mapping is fixed).
 */
export type PlanOutcome<P> = { ok: true; writes: P[]; flags?: ValidationIssue[] } | { ok: false; issues: ValidationIssue[] };

export interface StreamSpec<R extends { sourceId: string }, P extends PlannedTargetWrite, D = never> {
  /** Cursor and parked-record name, e.g. 'purchase-orders'. */
  name: string;
  /** Audit entity, e.g. 'purchase-order'. */
  entity: string;
  read(cursor: string | null): AsyncIterable<SourcePage<R, D>>;
  /** Pure planning with the current mappings; `previous` = what each origin id last confirmed. */
  plan(record: R, previous: ReadonlyMap<string, P>): PlanOutcome<P>;
  /** Plans for a record deleted at the source (close, zero…), from what was written; [] = leave. */
  planDeletion?(deletion: D, written: readonly P[]): P[];
  deletionSourceId?(deletion: D): string;
  /** The stream whose parked records a deletion settles, when deletions are read as a stream of their own. */
  recordStream?: string;
  /** The audit message of a deletion's write, when "<record> closed in <system>" would not say what happened. */
  deletedMessage?(plan: P, targetId: string): string;
  /** Human label for audit messages, e.g. "Purchase order 10042". */
  label(record: R): string;
  /**
   * How finance names the record: document type and number, counterparty, project, date, amount
   * (decision 0022). Stored on its audit entries and parked row; without it the record is named
   * by `label(record)` alone.
   */
  describe?(record: R): RecordLabel;
  /**
   * What the target document is called: its type and number, and its id once written ("Procore
   * commitment 562949953421312"). Without it, the target system, the plan's entity and the id.
   */
  describeTarget?(plan: P, targetId: string | null): TargetLabel;
}

export interface RunCounts {
  created: number;
  updated: number;
  unchanged: number;
  parked: number;
  /** Records written with flags ("created, needs review"); each is also counted as created or updated. */
  flagged: number;
  failed: number;
  deleted: number;
  recovered: number;
  /** Source records read (for progress and records/s). */
  read: number;
}

export const emptyCounts = (): RunCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  parked: 0,
  flagged: 0,
  failed: 0,
  deleted: 0,
  recovered: 0,
  read: 0,
});

/**
 * Where a run may stop early: asked at safe points (between pages, before each write batch).
 * Throws RunCancelledError when the user stopped the run, RunInterruptedError when this process
 * no longer holds the flow (run-lock.ts).
 */
export interface RunGuard {
  readonly signal?: AbortSignal;
  checkpoint(): void;
}

/** The run was stopped on request (Ctrl-C, SIGTERM, Quit) at a safe point. */
export class RunCancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunCancelledError';
  }
}

/** A write could not be confirmed (network, 5xx after retries): the cursor stays, the run stops. */
export class RunInterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunInterruptedError';
  }
}
