import type { RecordLabel, TargetLabel } from './labels';

/**
 * The audit entry: what the store persists (append-only, hash-chained) and the UI shows.
 * One entry per thing that happened to one source record in one run.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const AUDIT_STEPS = [
  'fetched',
  'mapped',
  'parked',
  'written',
  'updated',
  'unchanged',
  'failed',
  'replayed',
  'confirmed',
  'deleted',
  'cancelled',
] as const;
export type AuditStep = (typeof AUDIT_STEPS)[number];

export const AUDIT_STATUSES = ['ok', 'parked', 'failed', 'skipped'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/** What a caller supplies; the store adds seq, at, prevHash and hash. */
export interface AuditEntryInput {
  /** Flow id, e.g. 'F1'. */
  flow: string;
  runId: string | null;
  /** Record kind, e.g. 'purchase-order', 'commitment', 'vendor'. */
  entity: string;
  sourceId: string | null;
  step: AuditStep;
  status: AuditStatus;
  /** The mapping version the record was mapped with (null when no mapping was involved). */
  mappingVersion: number | null;
  targetSystem: string | null;
  targetId: string | null;
  /** Exact decimal amount of the record (Money.amount), for the audit screen and CSV. */
  amount: string | null;
  currency: string | null;
  /** The raw source record as fetched. Never contains secrets. */
  sourceSnapshot: JsonValue | null;
  /** What was (or would be) sent to the target. */
  targetPayload: JsonValue | null;
  /** The target's answer (ids, status, error body), trimmed of secrets. */
  result: JsonValue | null;
  /** One line in finance language, e.g. "Cost code 01-100 is not mapped for project 2024-017". */
  message: string;
  /** How finance names the source record ("PO 20010 · Koster B.V. · € 39.854,50"); inside the hash chain when given. */
  label?: RecordLabel | null;
  /** The target document once written ("Procore commitment 562949953421312"); inside the hash chain when given. */
  targetLabel?: TargetLabel | null;
}

export interface AuditEntry extends AuditEntryInput {
  /** Null on entries written before labels existed (migration 0007) and on entries about no record. */
  label: RecordLabel | null;
  targetLabel: TargetLabel | null;
  /** Position in the chain: 1, 2, 3, … without gaps. */
  seq: number;
  /** ISO 8601 UTC timestamp, non-decreasing along seq. */
  at: string;
  /** Hash of the previous entry (64 zeros for the first). */
  prevHash: string;
  /** sha256 hex of prevHash + canonical JSON of this entry's fields. */
  hash: string;
}

/** Filters of the audit screen, the CSV export and `count`. All given fields must match. */
export interface AuditFilter {
  flow?: string;
  entity?: string;
  status?: AuditStatus;
  step?: AuditStep;
  runId?: string;
  /** Inclusive lower bound on `at` (ISO 8601). */
  from?: string;
  /** Exclusive upper bound on `at` (ISO 8601). */
  to?: string;
  /** Case-insensitive substring of source id, target id, message or the record's label (number, counterparty, project). */
  text?: string;
}
