import type { Migration } from './migration';

/**
 * The last state each flow confirmed in a target system, per target record (e.g. one Procore
 * commitment per Exact PO and project). It answers, without asking the target:
 *  - "is this planned write the same as what the target already has?" (payload_hash) — a
 *    second run with no source change writes nothing;
 *  - which lines were written before (payload), so lines removed at the source are zeroed;
 *  - which target records came from a source record that was deleted (source_id).
 * It is derived data: the outbox and the audit log remain the record of what happened.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'target-records',
  up(db) {
    db.exec(`
      CREATE TABLE target_records (
        flow TEXT NOT NULL,
        entity TEXT NOT NULL,
        origin_id TEXT NOT NULL,
        source_id TEXT NOT NULL,
        target_system TEXT NOT NULL,
        target_id TEXT NOT NULL,
        container_id TEXT,
        payload_hash TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        mapping_version INTEGER,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (flow, entity, origin_id)
      ) STRICT;
      CREATE INDEX target_records_by_source ON target_records (flow, source_id);
    `);
  },
};
