import type { Database, Statement } from 'better-sqlite3';
import type { JsonValue } from '../../../src-shared/domain/audit';
import type { RecordLabel } from '../../../src-shared/domain/labels';
import { FLAGGED_REASON_PREFIX, isFlaggedReason } from '../../../src-shared/domain/validation';
import { isoNow, type Clock } from './clock';
import { jsonColumn, nullableJsonColumn, parseJsonColumn, parseNullableJsonColumn } from './json';

/** A source record waiting for a fix (unmapped cost code, unknown vendor, closed period…). */
export interface ParkedRecord {
  id: number;
  flow: string;
  stream: string;
  sourceId: string;
  /** Stable code for grouping and re-queueing, e.g. 'unmapped-cost-code'. */
  reasonCode: string;
  /**
   * 'parked': not written, waits for a fix; 'flagged': written anyway and listed as "created,
   * needs review" (its reason code carries FLAGGED_REASON_PREFIX) until written without flags.
   */
  state: 'parked' | 'flagged';
  /** Finance language, e.g. "GL account 4000 / cost center 100 has no cost code in Procore". */
  reasonText: string;
  details: JsonValue;
  snapshotId: number | null;
  mappingVersion: number | null;
  /** First time it was parked. */
  parkedAt: string;
  /** Last time it was parked again (a later run hit the same or another problem). */
  updatedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  /** How finance names the record (migration 0007); null on rows parked before labels existed. */
  label: RecordLabel | null;
  /** The audit entry that parked it last: the number `replay` takes (null on older rows without one). */
  auditSeq: number | null;
}

export interface ParkInput {
  flow: string;
  stream: string;
  sourceId: string;
  reasonCode: string;
  reasonText: string;
  details?: JsonValue;
  snapshotId?: number | null;
  mappingVersion?: number | null;
  label?: RecordLabel | null;
  auditSeq?: number | null;
}

export interface ParkedReasonGroup {
  reasonCode: string;
  count: number;
  records: ParkedRecord[];
}

interface ParkedRow {
  id: number;
  flow: string;
  stream: string;
  source_id: string;
  reason_code: string;
  reason_text: string;
  details: string;
  snapshot_id: number | null;
  mapping_version: number | null;
  parked_at: string;
  updated_at: string;
  resolved_at: string | null;
  resolution: string | null;
  label: string | null;
  audit_seq: number | null;
}

export class ParkedRepo {
  private readonly upsert: Statement<[Record<string, string | number | null>]>;
  private readonly openOne: Statement<[string, string, string], ParkedRow>;
  private readonly resolveStatement: Statement<[string, string, string, string, string]>;
  private readonly openAll: Statement<[], ParkedRow>;
  private readonly openOfFlow: Statement<[string], ParkedRow>;
  private readonly openOfReason: Statement<[string, string], ParkedRow>;
  private readonly countAll: Statement<[], { count: number }>;
  private readonly countOfFlow: Statement<[string], { count: number }>;
  private readonly countFlaggedOfFlow: Statement<[{ flow: string; prefix: string }], { count: number }>;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO parked (flow, stream, source_id, reason_code, reason_text, details, snapshot_id, mapping_version, parked_at, updated_at,
                           label, audit_seq)
       VALUES (@flow, @stream, @source_id, @reason_code, @reason_text, @details, @snapshot_id, @mapping_version, @at, @at, @label, @audit_seq)
       ON CONFLICT (flow, stream, source_id) WHERE resolved_at IS NULL DO UPDATE SET
         reason_code = excluded.reason_code, reason_text = excluded.reason_text, details = excluded.details,
         snapshot_id = excluded.snapshot_id, mapping_version = excluded.mapping_version, updated_at = excluded.updated_at,
         label = coalesce(excluded.label, label), audit_seq = coalesce(excluded.audit_seq, audit_seq)`,
    );
    this.openOne = db.prepare(
      'SELECT * FROM parked WHERE flow = ? AND stream = ? AND source_id = ? AND resolved_at IS NULL',
    );
    this.resolveStatement = db.prepare(
      'UPDATE parked SET resolved_at = ?, resolution = ? WHERE flow = ? AND stream = ? AND source_id = ? AND resolved_at IS NULL',
    );
    this.openAll = db.prepare(
      'SELECT * FROM parked WHERE resolved_at IS NULL ORDER BY flow, reason_code, parked_at, id',
    );
    this.openOfFlow = db.prepare(
      'SELECT * FROM parked WHERE resolved_at IS NULL AND flow = ? ORDER BY reason_code, parked_at, id',
    );
    this.openOfReason = db.prepare(
      'SELECT * FROM parked WHERE resolved_at IS NULL AND flow = ? AND reason_code = ? ORDER BY parked_at, id',
    );
    this.countAll = db.prepare('SELECT count(*) AS count FROM parked WHERE resolved_at IS NULL');
    this.countOfFlow = db.prepare(
      'SELECT count(*) AS count FROM parked WHERE resolved_at IS NULL AND flow = ?',
    );
    this.countFlaggedOfFlow = db.prepare(
      "SELECT count(*) AS count FROM parked WHERE resolved_at IS NULL AND flow = @flow AND substr(reason_code, 1, length(@prefix)) = @prefix",
    );
  }

  /** Parks a record, or updates its open parked row (one open row per flow, stream and source id). */
  park(input: ParkInput): ParkedRecord {
    const where = `parked details of ${input.flow}/${input.stream}/${input.sourceId}`;
    this.upsert.run({
      flow: input.flow,
      stream: input.stream,
      source_id: input.sourceId,
      reason_code: input.reasonCode,
      reason_text: input.reasonText,
      details: jsonColumn(input.details ?? {}, where),
      snapshot_id: input.snapshotId ?? null,
      mapping_version: input.mappingVersion ?? null,
      at: isoNow(this.now),
      label: nullableJsonColumn(input.label ?? null, `label of parked ${input.flow}/${input.stream}/${input.sourceId}`),
      audit_seq: input.auditSeq ?? null,
    });
    return this.getOpen(input.flow, input.stream, input.sourceId)!;
  }

  getOpen(flow: string, stream: string, sourceId: string): ParkedRecord | undefined {
    const row = this.openOne.get(flow, stream, sourceId);
    return row && toParked(row);
  }

  /** Closes the open parked row (e.g. 'written after mapping fix'). Returns false if none was open. */
  resolve(flow: string, stream: string, sourceId: string, resolution: string): boolean {
    return this.resolveStatement.run(isoNow(this.now), resolution, flow, stream, sourceId).changes > 0;
  }

  listOpen(flow?: string): ParkedRecord[] {
    return (flow === undefined ? this.openAll.all() : this.openOfFlow.all(flow)).map(toParked);
  }

  /** Open records of one reason: what a mapping fix re-queues. */
  listOpenByReason(flow: string, reasonCode: string): ParkedRecord[] {
    return this.openOfReason.all(flow, reasonCode).map(toParked);
  }

  /** Open records grouped by reason code (largest group first), for the validation queue screen. */
  listOpenGroupedByReason(flow?: string): ParkedReasonGroup[] {
    const groups = new Map<string, ParkedRecord[]>();
    for (const record of this.listOpen(flow)) {
      const group = groups.get(record.reasonCode) ?? [];
      group.push(record);
      groups.set(record.reasonCode, group);
    }
    return [...groups.entries()]
      .map(([reasonCode, records]) => ({ reasonCode, count: records.length, records }))
      .sort((a, b) => b.count - a.count || a.reasonCode.localeCompare(b.reasonCode));
  }

  countOpen(flow?: string): number {
    return (flow === undefined ? this.countAll.get() : this.countOfFlow.get(flow))!.count;
  }

  /** Of a flow's open rows, those written with a flag ("created, needs review"), not held back. */
  countFlagged(flow: string): number {
    return this.countFlaggedOfFlow.get({ flow, prefix: FLAGGED_REASON_PREFIX })!.count;
  }
}

function toParked(row: ParkedRow): ParkedRecord {
  return {
    id: row.id,
    flow: row.flow,
    stream: row.stream,
    sourceId: row.source_id,
    reasonCode: row.reason_code,
    state: isFlaggedReason(row.reason_code) ? 'flagged' : 'parked',
    reasonText: row.reason_text,
    details: parseJsonColumn(row.details),
    snapshotId: row.snapshot_id,
    mappingVersion: row.mapping_version,
    parkedAt: row.parked_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
    resolution: row.resolution,
    label: parseNullableJsonColumn<RecordLabel>(row.label),
    auditSeq: row.audit_seq,
  };
}
