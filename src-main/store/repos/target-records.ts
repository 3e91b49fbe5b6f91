import type { Database, Statement } from 'better-sqlite3';
import type { JsonValue } from '../../../src-shared/domain/audit';
import type { RecordLabel, TargetLabel } from '../../../src-shared/domain/labels';
import { isoNow, type Clock } from './clock';
import { jsonColumn, nullableJsonColumn, parseJsonColumn, parseNullableJsonColumn, type JsonInput } from './json';

/** What a flow last confirmed in a target system for one target record (see migration 0003). */
export interface TargetRecord {
  flow: string;
  entity: string;
  originId: string;
  sourceId: string;
  targetSystem: string;
  targetId: string;
  /** The record's container in the target, e.g. the Procore project id. */
  containerId: string | null;
  payloadHash: string;
  payload: JsonValue;
  mappingVersion: number | null;
  updatedAt: string;
  /** The source record's label and the target document's (migration 0007); null on older rows. */
  label: RecordLabel | null;
  targetLabel: TargetLabel | null;
}

/** What upsert takes: the payload may be CanonicalJson made earlier (see repos/json.ts). */
export type TargetRecordInput = Omit<TargetRecord, 'updatedAt' | 'payload' | 'label' | 'targetLabel'> & {
  payload: JsonInput;
  label?: RecordLabel | null;
  targetLabel?: TargetLabel | null;
};

/** One confirmed target record's money and names, for totals per flow, project and counterparty. */
export interface TargetRecordMoney {
  entity: string;
  containerId: string | null;
  /** The planned total (PlannedTargetWrite.total) and its currency, as written. */
  total: string | null;
  currency: string | null;
  label: RecordLabel | null;
  targetLabel: TargetLabel | null;
  updatedAt: string;
}

interface Row {
  flow: string;
  entity: string;
  origin_id: string;
  source_id: string;
  target_system: string;
  target_id: string;
  container_id: string | null;
  payload_hash: string;
  payload: string;
  mapping_version: number | null;
  updated_at: string;
  label: string | null;
  target_label: string | null;
}

export class TargetRecordsRepo {
  private readonly upsertStmt: Statement<[Row]>;
  private readonly getStmt: Statement<[string, string, string], Row>;
  private readonly payloadHashStmt: Statement<[string, string, string], Pick<Row, 'payload_hash'>>;
  private readonly bySourceStmt: Statement<[string, string], Row>;
  private readonly countStmt: Statement<[string], { n: number }>;
  private readonly moneyStmt: Statement<[string], { entity: string; container_id: string | null; total: unknown; currency: unknown; label: string | null; target_label: string | null; updated_at: string }>;
  private readonly byFlowStmt: Statement<[string], Row>;

  constructor(
    private readonly db: Database,
    private readonly now: Clock,
  ) {
    this.upsertStmt = db.prepare(
      `INSERT INTO target_records (flow, entity, origin_id, source_id, target_system, target_id, container_id,
                                   payload_hash, payload, mapping_version, updated_at, label, target_label)
       VALUES (@flow, @entity, @origin_id, @source_id, @target_system, @target_id, @container_id,
               @payload_hash, @payload, @mapping_version, @updated_at, @label, @target_label)
       ON CONFLICT (flow, entity, origin_id) DO UPDATE SET
         source_id = excluded.source_id, target_system = excluded.target_system, target_id = excluded.target_id,
         container_id = excluded.container_id, payload_hash = excluded.payload_hash, payload = excluded.payload,
         mapping_version = excluded.mapping_version, updated_at = excluded.updated_at,
         label = coalesce(excluded.label, label), target_label = coalesce(excluded.target_label, target_label)`,
    );
    this.getStmt = db.prepare('SELECT * FROM target_records WHERE flow = ? AND entity = ? AND origin_id = ?');
    this.payloadHashStmt = db.prepare(
      'SELECT payload_hash FROM target_records WHERE flow = ? AND entity = ? AND origin_id = ?',
    );
    this.bySourceStmt = db.prepare('SELECT * FROM target_records WHERE flow = ? AND source_id = ? ORDER BY origin_id');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM target_records WHERE flow = ?');
    this.byFlowStmt = db.prepare('SELECT * FROM target_records WHERE flow = ? ORDER BY entity, origin_id');
    this.moneyStmt = db.prepare(
      `SELECT entity, container_id, json_extract(payload, '$.total') AS total, json_extract(payload, '$.currency') AS currency,
              label, target_label, updated_at
       FROM target_records WHERE flow = ? ORDER BY entity, origin_id`,
    );
  }

  /** Every confirmed target record of a flow with its total and names (the Dashboard's money). */
  moneyOfFlow(flow: string): TargetRecordMoney[] {
    return this.moneyStmt.all(flow).map((row) => ({
      entity: row.entity,
      containerId: row.container_id,
      total: typeof row.total === 'string' ? row.total : null,
      currency: typeof row.currency === 'string' ? row.currency : null,
      label: parseNullableJsonColumn<RecordLabel>(row.label),
      targetLabel: parseNullableJsonColumn<TargetLabel>(row.target_label),
      updatedAt: row.updated_at,
    }));
  }

  /** Everything the flow has written and confirmed (a reconciliation compares each with the target). */
  listForFlow(flow: string): TargetRecord[] {
    return this.byFlowStmt.all(flow).map(toRecord);
  }

  /**
   * A flow's confirmed records of one entity in the order each was FIRST confirmed (SQLite's
   * rowid, which an update keeps), with the payload fields at `paths` (JSON paths such as
   * '$.name') in place of the whole payload: cheap enough to read every record once per run.
   */
  listInConfirmOrder(flow: string, entity: string, paths: readonly string[]): { originId: string; sourceId: string; containerId: string | null; label: RecordLabel | null; fields: unknown[] }[] {
    const columns = paths.map((_, i) => `json_extract(payload, @p${i}) AS f${i}`).join(', ');
    const params: Record<string, string> = { flow, entity };
    paths.forEach((path, i) => (params[`p${i}`] = path));
    const rows = this.db
      .prepare(`SELECT origin_id, source_id, container_id, label${columns ? `, ${columns}` : ''} FROM target_records WHERE flow = @flow AND entity = @entity ORDER BY rowid`)
      .all(params) as (Pick<Row, 'origin_id' | 'source_id' | 'container_id' | 'label'> & Record<string, unknown>)[];
    return rows.map((row) => ({
      originId: row.origin_id,
      sourceId: row.source_id,
      containerId: row.container_id,
      label: parseNullableJsonColumn<RecordLabel>(row.label),
      fields: paths.map((_, i) => row[`f${i}`]),
    }));
  }

  /** Records the flow has written and confirmed (the Dashboard's "synced"). */
  countForFlow(flow: string): number {
    return this.countStmt.get(flow)!.n;
  }

  upsert(record: TargetRecordInput): TargetRecord {
    return toRecord(this.upsertRow(record));
  }

  /** upsert, without parsing the stored payload back into the returned record (the sync engine's path). */
  upsertWithoutReadBack(record: TargetRecordInput): void {
    this.upsertRow(record);
  }

  private upsertRow(record: TargetRecordInput): Row {
    const row: Row = {
      flow: record.flow,
      entity: record.entity,
      origin_id: record.originId,
      source_id: record.sourceId,
      target_system: record.targetSystem,
      target_id: record.targetId,
      container_id: record.containerId,
      payload_hash: record.payloadHash,
      payload: jsonColumn(record.payload, `target record ${record.flow}/${record.entity}/${record.originId}`),
      mapping_version: record.mappingVersion,
      updated_at: isoNow(this.now),
      label: nullableJsonColumn(record.label ?? null, `label of target record ${record.flow}/${record.entity}/${record.originId}`),
      target_label: nullableJsonColumn(record.targetLabel ?? null, `target label of ${record.flow}/${record.entity}/${record.originId}`),
    };
    this.upsertStmt.run(row);
    return row;
  }

  get(flow: string, entity: string, originId: string): TargetRecord | undefined {
    const row = this.getStmt.get(flow, entity, originId);
    return row && toRecord(row);
  }

  /** The payload hash last confirmed for a target record (what a plan is compared with), if any. */
  payloadHash(flow: string, entity: string, originId: string): string | undefined {
    return this.payloadHashStmt.get(flow, entity, originId)?.payload_hash;
  }

  /** Every target record that came from one source record (several when split by project). */
  bySource(flow: string, sourceId: string): TargetRecord[] {
    return this.bySourceStmt.all(flow, sourceId).map(toRecord);
  }
}

function toRecord(row: Row): TargetRecord {
  return {
    flow: row.flow,
    entity: row.entity,
    originId: row.origin_id,
    sourceId: row.source_id,
    targetSystem: row.target_system,
    targetId: row.target_id,
    containerId: row.container_id,
    payloadHash: row.payload_hash,
    payload: parseJsonColumn(row.payload),
    mappingVersion: row.mapping_version,
    updatedAt: row.updated_at,
    label: parseNullableJsonColumn<RecordLabel>(row.label),
    targetLabel: parseNullableJsonColumn<TargetLabel>(row.target_label),
  };
}
