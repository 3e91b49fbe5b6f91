import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/store/temp-store';
import {
  APPLICATION_ID,
  DATABASE_FILE_NAME,
  DatabaseFromNewerVersionError,
  NotAnMlConnectorDatabaseError,
  migrate,
  openStore,
} from './db';
import { MIGRATIONS, type Migration } from './migrations/index';

const dirs: string[] = [];
function tempDir(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('openStore', () => {
  it('creates <dataDir>/ml-connector.sqlite with WAL, foreign keys, busy timeout and the latest schema', () => {
    const dir = tempDir();
    const store = openStore(dir);
    try {
      expect(store.file).toBe(path.join(dir, DATABASE_FILE_NAME));
      expect(fs.existsSync(store.file)).toBe(true);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10000);
      expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(store.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    } finally {
      store.close();
    }
  });

  it('reopening is idempotent: same version, data kept, no migration re-run', () => {
    const dir = tempDir();
    const first = openStore(dir);
    first.connections.create({ id: 'c1', system: 'procore', label: 'Procore', mode: 'sandbox' });
    first.close();
    first.close(); // closing twice is harmless

    const second = openStore(dir);
    try {
      expect(second.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(second.connections.list().map((c) => c.id)).toEqual(['c1']);
    } finally {
      second.close();
    }
  });

  it('refuses a database from a newer app version, says what to do, and leaves the file alone', () => {
    const dir = tempDir();
    openStore(dir).close();
    const file = path.join(dir, DATABASE_FILE_NAME);
    const raw = new Database(file);
    raw.pragma('journal_mode = DELETE'); // so a switch to WAL would show
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    const before = fs.readFileSync(file);

    let error: unknown;
    try {
      openStore(dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DatabaseFromNewerVersionError);
    const refusal = error as DatabaseFromNewerVersionError;
    expect(refusal.foundVersion).toBe(MIGRATIONS.length + 5);
    expect(refusal.supportedVersion).toBe(MIGRATIONS.length);
    expect(refusal.message).toContain(`database version ${MIGRATIONS.length + 5}`);
    expect(refusal.message).toContain(`understands up to ${MIGRATIONS.length}`);
    expect(refusal.message).toMatch(/Install the newer ml-connector/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it("refuses another application's SQLite file", () => {
    const dir = tempDir();
    const raw = new Database(path.join(dir, DATABASE_FILE_NAME));
    raw.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    raw.close();
    expect(() => openStore(dir)).toThrow(NotAnMlConnectorDatabaseError);
  });

  it('runs work in one transaction: a failure rolls everything back, repo transactions included', () => {
    const dir = tempDir();
    const store = openStore(dir);
    try {
      store.runs.start('run-1', 'F1', 'manual');
      const { intent } = store.outbox.insertIntent({
        runId: 'run-1',
        flow: 'F1',
        idempotencyKey: 'F1:PO-1',
        targetSystem: 'procore',
        operation: 'create-commitment',
        payload: {},
      });
      expect(() =>
        store.transaction(() => {
          store.outbox.markConfirmed(intent.id, '77');
          store.audit.append({
            flow: 'F1',
            runId: 'run-1',
            entity: 'purchase-order',
            sourceId: 'PO-1',
            step: 'confirmed',
            status: 'ok',
            mappingVersion: null,
            targetSystem: 'procore',
            targetId: '77',
            amount: null,
            currency: null,
            sourceSnapshot: null,
            targetPayload: null,
            result: null,
            message: 'Confirmed',
          });
          store.cursors.set('F1', 'purchase-orders', 'exact-1', '2026-01-01T00:00:00Z');
          throw new Error('crash before commit');
        }),
      ).toThrow('crash before commit');
      expect(store.outbox.get(intent.id)?.status).toBe('pending');
      expect(store.audit.count({})).toBe(0);
      expect(store.cursors.get('F1', 'purchase-orders', 'exact-1')).toBeUndefined();
      expect(store.audit.verifyAuditChain()).toEqual({ ok: true, checked: 0 });
    } finally {
      store.close();
    }
  });

  it('keeps one unbroken audit chain when two processes (app and CLI) append to the same file', () => {
    const dir = tempDir();
    const app = openStore(dir);
    const cli = openStore(dir);
    try {
      const entry = (flow: string) => ({
        flow,
        runId: null,
        entity: 'purchase-order',
        sourceId: 'PO-1',
        step: 'fetched' as const,
        status: 'ok' as const,
        mappingVersion: null,
        targetSystem: null,
        targetId: null,
        amount: null,
        currency: null,
        sourceSnapshot: null,
        targetPayload: null,
        result: null,
        message: '',
      });
      for (let i = 0; i < 20; i += 1)
        (i % 2 === 0 ? app : cli).audit.append(entry(i % 2 === 0 ? 'F1' : 'F2'));
      expect(app.audit.verifyAuditChain()).toEqual({ ok: true, checked: 20 });
      expect(cli.audit.count({ flow: 'F2' })).toBe(10);
    } finally {
      app.close();
      cli.close();
    }
  });
});

describe('migrate', () => {
  it('rolls a failing migration back completely, keeping the previous version', () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'm.sqlite'));
    try {
      const broken: Migration = {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        up(target) {
          target.exec('CREATE TABLE half_done (id INTEGER) STRICT');
          throw new Error('boom');
        },
      };
      expect(() => migrate(db, 'm.sqlite', [...MIGRATIONS, broken])).toThrow('boom');
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'half_done'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('refuses a migration list with a gap', () => {
    const db = new Database(':memory:');
    try {
      const skipping: Migration = { version: 5, name: 'skips', up: () => undefined };
      expect(() => migrate(db, ':memory:', [MIGRATIONS[0]!, skipping])).toThrow(/has version 5; expected 2/);
    } finally {
      db.close();
    }
  });
});
