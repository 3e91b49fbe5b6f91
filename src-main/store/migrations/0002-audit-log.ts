import type { Migration } from './migration';

/**
 * The append-only, hash-chained audit log. The step and status lists are frozen here on
 * purpose (a later change to src-shared/domain/audit.ts needs a new migration).
 *
 * Indexes serve the audit screen at 1,000,000+ rows: every filter column is indexed together
 * with seq, so "newest first, 50 at a time, where flow = ? [and status = ?]" walks one index
 * backwards from the keyset bound. Date ranges are turned into seq bounds through the `at`
 * index (at never decreases along seq). The free-text filter (LIKE over source id, target
 * id and message) scans newest-first and stops at the page size; see repos/audit.ts.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'audit-log',
  up(db) {
    db.exec(`
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        flow TEXT NOT NULL,
        run_id TEXT,
        entity TEXT NOT NULL,
        source_id TEXT,
        step TEXT NOT NULL CHECK (step IN ('fetched', 'mapped', 'parked', 'written', 'updated', 'unchanged', 'failed',
                                           'replayed', 'confirmed', 'deleted', 'cancelled')),
        status TEXT NOT NULL CHECK (status IN ('ok', 'parked', 'failed', 'skipped')),
        mapping_version INTEGER,
        target_system TEXT,
        target_id TEXT,
        amount TEXT,
        currency TEXT,
        source_snapshot TEXT CHECK (source_snapshot IS NULL OR json_valid(source_snapshot)),
        target_payload TEXT CHECK (target_payload IS NULL OR json_valid(target_payload)),
        result TEXT CHECK (result IS NULL OR json_valid(result)),
        message TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;

      CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;
      CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END;

      CREATE INDEX audit_log_by_flow ON audit_log (flow, seq);
      CREATE INDEX audit_log_by_entity ON audit_log (entity, seq);
      CREATE INDEX audit_log_by_status ON audit_log (status, seq);
      CREATE INDEX audit_log_by_step ON audit_log (step, seq);
      CREATE INDEX audit_log_by_run ON audit_log (run_id, seq);
      CREATE INDEX audit_log_by_flow_status ON audit_log (flow, status, seq);
      CREATE INDEX audit_log_by_at ON audit_log (at, seq);
    `);
  },
};
