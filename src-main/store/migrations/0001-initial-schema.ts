import type { Migration } from './migration';

/** Connections, versioned mappings, source snapshots, cursors, runs, outbox and parked records. */
export const migration0001: Migration = {
  version: 1,
  name: 'initial-schema',
  up(db) {
    db.exec(`
      -- Non-secret settings only; tokens and passwords live in the OS keychain.
      CREATE TABLE connections (
        id TEXT PRIMARY KEY,
        system TEXT NOT NULL CHECK (system IN ('exact-online', 'procore', 'acumatica', 'sage-intacct', 'monday', 'coupa')),
        label TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('sandbox', 'live')),
        settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings) AND json_type(settings) = 'object'),
        status TEXT NOT NULL DEFAULT 'not-connected' CHECK (status IN ('not-connected', 'connected', 'needs-reauth', 'error')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      -- A mapping set (e.g. F1 'cost-codes') has immutable versions; every change is a new version
      -- holding the complete rows, so an audit entry's mapping version can always be re-read.
      CREATE TABLE mapping_sets (
        id INTEGER PRIMARY KEY,
        flow TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        UNIQUE (flow, name)
      ) STRICT;

      CREATE TABLE mapping_versions (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES mapping_sets (id),
        version INTEGER NOT NULL CHECK (version >= 1),
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        UNIQUE (set_id, version)
      ) STRICT;

      CREATE TABLE mapping_rows (
        version_id INTEGER NOT NULL REFERENCES mapping_versions (id),
        source_key TEXT NOT NULL CHECK (json_valid(source_key)),
        target TEXT NOT NULL CHECK (json_valid(target)),
        PRIMARY KEY (version_id, source_key)
      ) STRICT, WITHOUT ROWID;

      CREATE TRIGGER mapping_versions_immutable_update BEFORE UPDATE ON mapping_versions
      BEGIN SELECT RAISE(ABORT, 'mapping versions are immutable: create a new version instead'); END;
      CREATE TRIGGER mapping_versions_immutable_delete BEFORE DELETE ON mapping_versions
      BEGIN SELECT RAISE(ABORT, 'mapping versions are immutable: create a new version instead'); END;
      CREATE TRIGGER mapping_rows_immutable_update BEFORE UPDATE ON mapping_rows
      BEGIN SELECT RAISE(ABORT, 'mapping rows are immutable: create a new version instead'); END;
      CREATE TRIGGER mapping_rows_immutable_delete BEFORE DELETE ON mapping_rows
      BEGIN SELECT RAISE(ABORT, 'mapping rows are immutable: create a new version instead'); END;

      -- Raw source records as fetched; the same content is stored once (dedupe by hash).
      CREATE TABLE source_snapshots (
        id INTEGER PRIMARY KEY,
        flow TEXT NOT NULL,
        stream TEXT NOT NULL,
        source_id TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        fetched_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        UNIQUE (flow, stream, source_id, content_hash)
      ) STRICT;
      CREATE INDEX source_snapshots_latest ON source_snapshots (flow, stream, source_id, last_seen_at);

      CREATE TABLE cursors (
        flow TEXT NOT NULL,
        stream TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (flow, stream, connection_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        flow TEXT NOT NULL,
        "trigger" TEXT NOT NULL CHECK ("trigger" IN ('schedule', 'manual', 'catch-up', 'cli')),
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'cancelled', 'interrupted')),
        counts TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(counts)),
        error TEXT
      ) STRICT;
      CREATE INDEX runs_by_flow ON runs (flow, started_at);
      CREATE INDEX runs_running ON runs (status) WHERE status = 'running';

      -- Write intents: persisted before the write, confirmed after; the key is deterministic so a
      -- retry or replay can never create a second intent (or, after lookup, a second target record).
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        run_id TEXT REFERENCES runs (id),
        flow TEXT NOT NULL,
        source_id TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        target_system TEXT NOT NULL,
        operation TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'failed', 'unknown')),
        target_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX outbox_unconfirmed ON outbox (flow, id) WHERE status IN ('pending', 'unknown');
      CREATE INDEX outbox_by_run ON outbox (run_id);

      -- Records waiting for a fix, with the reason in finance language. At most one open row per
      -- source record (stream included: e.g. Procore ids are only unique per resource type).
      CREATE TABLE parked (
        id INTEGER PRIMARY KEY,
        flow TEXT NOT NULL,
        stream TEXT NOT NULL,
        source_id TEXT NOT NULL,
        reason_code TEXT NOT NULL,
        reason_text TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
        snapshot_id INTEGER REFERENCES source_snapshots (id),
        mapping_version INTEGER,
        parked_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        resolved_at TEXT,
        resolution TEXT
      ) STRICT;
      CREATE UNIQUE INDEX parked_one_open_per_record ON parked (flow, stream, source_id) WHERE resolved_at IS NULL;
      CREATE INDEX parked_open_by_reason ON parked (flow, reason_code) WHERE resolved_at IS NULL;
    `);
  },
};
