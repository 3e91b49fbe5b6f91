import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../db';
import { MIGRATIONS } from './index';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
});
afterEach(() => db.close());

function objects(type: 'table' | 'index' | 'trigger'): string[] {
  return (
    db
      .prepare("SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all(type) as { name: string }[]
  ).map((row) => row.name);
}

function isStrict(table: string): boolean {
  const row = db.prepare('SELECT strict FROM pragma_table_list WHERE name = ?').get(table) as
    { strict: number } | undefined;
  return row?.strict === 1;
}

const applyUpTo = (version: number) => migrate(db, ':memory:', MIGRATIONS.slice(0, version));

describe('0001-initial-schema', () => {
  it('on an empty database creates the STRICT tables and their indexes', () => {
    applyUpTo(1);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const tables = [
      'connections',
      'cursors',
      'mapping_rows',
      'mapping_sets',
      'mapping_versions',
      'outbox',
      'parked',
      'runs',
      'source_snapshots',
    ];
    expect(objects('table')).toEqual(tables);
    for (const table of tables) expect(isStrict(table), table).toBe(true);
    expect(objects('index')).toEqual(
      expect.arrayContaining([
        'outbox_unconfirmed',
        'parked_one_open_per_record',
        'parked_open_by_reason',
        'runs_by_flow',
        'source_snapshots_latest',
      ]),
    );
    expect(objects('trigger')).toHaveLength(4); // mapping versions and rows are immutable
  });

  it('enforces its CHECK constraints (STRICT types, enums, JSON)', () => {
    applyUpTo(1);
    const insertConnection = db.prepare(
      "INSERT INTO connections (id, system, label, mode, settings, created_at, updated_at) VALUES (?, ?, 'x', ?, ?, 't', 't')",
    );
    expect(() => insertConnection.run('a', 'quickbooks', 'live', '{}')).toThrow(/CHECK constraint/);
    expect(() => insertConnection.run('b', 'procore', 'prod', '{}')).toThrow(/CHECK constraint/);
    expect(() => insertConnection.run('c', 'procore', 'live', 'not json')).toThrow(/CHECK constraint/);
    expect(() => db.prepare("INSERT INTO cursors VALUES ('F1', 's', 'c', x'00', 't')").run()).toThrow(
      /cannot store BLOB value in TEXT column/,
    );
  });
});

describe('0002-audit-log', () => {
  it('on a version-1 database adds audit_log with its triggers and indexes, keeping existing rows', () => {
    applyUpTo(1);
    db.prepare("INSERT INTO cursors VALUES ('F1', 'purchase-orders', 'exact-1', 'v', 't')").run();
    applyUpTo(2);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(objects('table')).toContain('audit_log');
    expect(isStrict('audit_log')).toBe(true);
    expect(objects('trigger')).toEqual(
      expect.arrayContaining(['audit_log_append_only_delete', 'audit_log_append_only_update']),
    );
    expect(objects('index').filter((name) => name.startsWith('audit_log_'))).toEqual([
      'audit_log_by_at',
      'audit_log_by_entity',
      'audit_log_by_flow',
      'audit_log_by_flow_status',
      'audit_log_by_run',
      'audit_log_by_status',
      'audit_log_by_step',
    ]);
    expect(db.prepare('SELECT value FROM cursors').get()).toEqual({ value: 'v' });
  });

  it('on an empty database applies 0001 and 0002 in order', () => {
    applyUpTo(2);
    expect(objects('table')).toEqual(expect.arrayContaining(['audit_log', 'connections', 'outbox']));
  });

  it('makes audit_log append-only', () => {
    applyUpTo(2);
    db.prepare(
      `INSERT INTO audit_log (at, flow, entity, step, status, message, prev_hash, hash) VALUES ('t', 'F1', 'po', 'fetched', 'ok', 'm', 'p', 'h')`,
    ).run();
    expect(() => db.prepare("UPDATE audit_log SET message = 'changed'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO audit_log (at, flow, entity, step, status, message, prev_hash, hash) VALUES ('t', 'F1', 'po', 'teleported', 'ok', 'm', 'p', 'h')`,
        )
        .run(),
    ).toThrow(/CHECK constraint/);
  });
});

describe('0003-target-records', () => {
  it('on a version-2 database adds target_records keyed by flow, entity and origin id, keeping audit rows', () => {
    applyUpTo(2);
    db.prepare(
      `INSERT INTO audit_log (at, flow, entity, step, status, message, prev_hash, hash) VALUES ('t', 'F1', 'po', 'fetched', 'ok', 'm', 'p', 'h')`,
    ).run();
    applyUpTo(3);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(isStrict('target_records')).toBe(true);
    expect(objects('index')).toContain('target_records_by_source');
    const insert = db.prepare(
      `INSERT INTO target_records VALUES ('F1', 'commitment', 'o-1', 's-1', 'procore', '42', 'p', 'h', '{}', 1, 't')`,
    );
    insert.run();
    expect(() => insert.run()).toThrow(/UNIQUE/);
    expect(() =>
      db.prepare(`INSERT INTO target_records VALUES ('F1', 'commitment', 'o-2', 's-1', 'procore', '42', 'p', 'h', 'not json', 1, 't')`).run(),
    ).toThrow(/CHECK constraint/);
    expect(db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 1 });
  });
});

describe('0004-settings', () => {
  it('on a version-3 database adds a STRICT settings table of JSON values by key, keeping target records', () => {
    applyUpTo(3);
    db.prepare(`INSERT INTO target_records VALUES ('F1', 'commitment', 'o-1', 's-1', 'procore', '42', 'p', 'h', '{}', 1, 't')`).run();
    applyUpTo(4);
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    expect(isStrict('settings')).toBe(true);
    const insert = db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 't')`);
    insert.run('schedule:F1', '{"everyMinutes":15}');
    expect(() => insert.run('schedule:F1', '{}')).toThrow(/UNIQUE/);
    expect(() => insert.run('other', 'not json')).toThrow(/CHECK constraint/);
    expect(db.prepare('SELECT count(*) AS n FROM target_records').get()).toEqual({ n: 1 });
  });
});

describe('0005-audit-search', () => {
  it('on a version-4 database adds an empty trigram index that trails the existing audit rows', () => {
    applyUpTo(4);
    db.prepare(
      `INSERT INTO audit_log (at, flow, entity, source_id, step, status, message, prev_hash, hash)
       VALUES ('t', 'F1', 'po', 'PO-7', 'fetched', 'ok', 'Read PO-7', 'p', 'h')`,
    ).run();
    applyUpTo(5);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    expect(objects('table')).toEqual(expect.arrayContaining(['audit_search', 'audit_search_progress']));
    expect(isStrict('audit_search_progress')).toBe(true);
    // Nothing indexed yet: the existing entry is found by LIKE until the indexer reaches it.
    expect(db.prepare('SELECT indexed_through FROM audit_search_progress').all()).toEqual([{ indexed_through: 0 }]);
    expect(db.prepare("SELECT count(*) AS n FROM audit_search WHERE audit_search MATCH '\"po-7\"'").get()).toEqual({ n: 0 });
    expect(() => db.prepare('INSERT INTO audit_search_progress VALUES (2, 0)').run()).toThrow(/CHECK constraint/);
    // Case-sensitive trigrams over text the indexer lower-cases (as LIKE compares).
    db.prepare("INSERT INTO audit_search (rowid, text) VALUES (1, lower('Read PO-7'))").run();
    expect(db.prepare("SELECT rowid FROM audit_search WHERE audit_search MATCH '\"po-7\"'").all()).toEqual([{ rowid: 1 }]);
    expect(db.prepare("SELECT rowid FROM audit_search WHERE audit_search MATCH '\"PO-7\"'").all()).toEqual([]);
  });
});

describe('0006-flow-locks', () => {
  it('on a version-5 database adds an empty STRICT lease table with one row per flow', () => {
    applyUpTo(5);
    applyUpTo(6);
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    expect(isStrict('flow_locks')).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM flow_locks').get()).toEqual({ n: 0 });
    const insert = db.prepare(
      `INSERT INTO flow_locks (flow, token, run_id, pid, host, command, acquired_at, heartbeat_at) VALUES (?, 't', 'r', ?, 'h', 'c', 'a', 'b')`,
    );
    insert.run('exact-procore', 42);
    expect(() => insert.run('exact-procore', 43)).toThrow(/UNIQUE constraint/);
    expect(() => insert.run('exact-monday', 0)).toThrow(/CHECK constraint/);
  });
});

describe('0007-record-labels', () => {
  it('on a version-6 database adds label columns, numbers open parked rows by their audit entry and keeps old hashes', () => {
    applyUpTo(6);
    const audit = db.prepare(
      `INSERT INTO audit_log (seq, at, flow, entity, source_id, step, status, message, prev_hash, hash)
       VALUES (?, 't', 'exact-procore', 'purchase-order', ?, ?, ?, 'm', 'p', 'h')`,
    );
    audit.run(1, 'po-a', 'fetched', 'ok');
    audit.run(2, 'po-a', 'parked', 'parked');
    audit.run(3, 'po-b', 'parked', 'parked');
    audit.run(4, 'po-a', 'parked', 'parked');
    const park = db.prepare(
      `INSERT INTO parked (flow, stream, source_id, reason_code, reason_text, parked_at, updated_at, resolved_at)
       VALUES ('exact-procore', 'purchase-orders', ?, 'unmapped-cost', 'r', 't', 't', ?)`,
    );
    park.run('po-a', null);
    park.run('po-b', '2026-01-01');
    park.run('po-c', null);
    applyUpTo(7);
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    // The open row gets its last parked entry; a resolved row and one without an entry get none.
    expect(db.prepare('SELECT source_id, audit_seq, label FROM parked ORDER BY id').all()).toEqual([
      { source_id: 'po-a', audit_seq: 4, label: null },
      { source_id: 'po-b', audit_seq: null, label: null },
      { source_id: 'po-c', audit_seq: null, label: null },
    ]);
    expect(db.prepare('SELECT label, target_label, label_text FROM audit_log WHERE seq = 1').get()).toEqual({ label: null, target_label: null, label_text: null });
    expect(() => db.prepare("UPDATE parked SET label = 'not json' WHERE source_id = 'po-c'").run()).toThrow(/CHECK constraint/);
    // The label's words are searchable through the generated column.
    audit.run(5, 'po-d', 'parked', 'parked');
    expect(() => db.prepare("UPDATE audit_log SET label = '{}' WHERE seq = 5").run()).toThrow(/append-only/);
    db.prepare(
      `INSERT INTO audit_log (seq, at, flow, entity, step, status, message, prev_hash, hash, label, target_label)
       VALUES (6, 't', 'f', 'e', 'written', 'ok', 'm', 'p', 'h', ?, ?)`,
    ).run(JSON.stringify({ shortType: 'PO', number: '20011', counterparty: 'Koster B.V.', counterpartyCode: '40030', project: 'P26-001' }), JSON.stringify({ number: '20011', id: '5629' }));
    expect(db.prepare('SELECT label_text FROM audit_log WHERE seq = 6').get()).toEqual({ label_text: 'PO 20011 Koster B.V. 40030 P26-001 20011 5629' });
    expect(db.prepare("SELECT count(*) AS n FROM pragma_table_info('target_records') WHERE name IN ('label', 'target_label')").get()).toEqual({ n: 2 });
  });
});

describe('0008-connection-secret-refused', () => {
  it('on a version-7 database keeps every connection as it was and accepts the status secret-refused', () => {
    applyUpTo(7);
    const insert = db.prepare(
      `INSERT INTO connections (id, system, label, mode, settings, status, created_at, updated_at)
       VALUES (?, 'exact-online', ?, 'live', ?, ?, 't1', 't2')`,
    );
    insert.run('live-exact-online', 'Exact Online', '{"clientId":"abc","tokenCalls":{"day":"2026-11-22","count":3}}', 'connected');
    insert.run('other', 'Old Exact', '{}', 'needs-reauth');
    expect(() => db.prepare("UPDATE connections SET status = 'secret-refused' WHERE id = 'other'").run()).toThrow(/CHECK constraint/);
    const before = db.prepare('SELECT * FROM connections ORDER BY id').all();
    applyUpTo(8);
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    expect(db.prepare('SELECT * FROM connections ORDER BY id').all()).toEqual(before);
    expect(isStrict('connections')).toBe(true);
    expect(objects('table')).not.toContain('connections_new');
    db.prepare("UPDATE connections SET status = 'secret-refused' WHERE id = 'other'").run();
    expect(db.prepare("SELECT status FROM connections WHERE id = 'other'").get()).toEqual({ status: 'secret-refused' });
    // Still refused: an unknown status, an unknown system, settings that are not an object.
    expect(() => db.prepare("UPDATE connections SET status = 'broken' WHERE id = 'other'").run()).toThrow(/CHECK constraint/);
    expect(() => db.prepare("UPDATE connections SET system = 'sap' WHERE id = 'other'").run()).toThrow(/CHECK constraint/);
    expect(() => db.prepare("UPDATE connections SET settings = '[]' WHERE id = 'other'").run()).toThrow(/CHECK constraint/);
    expect(db.prepare("SELECT dflt_value FROM pragma_table_info('connections') WHERE name = 'status'").get()).toEqual({ dflt_value: "'not-connected'" });
  });
});

it('every migration has a version equal to its position and a unique name', () => {
  expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
  expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
});
