import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS, type Migration } from './migrations/index';
import { TargetRecordsRepo } from './repos/target-records';
import { AuditRepo } from './repos/audit';
import { ConnectionsRepo } from './repos/connections';
import { CursorsRepo } from './repos/cursors';
import { FlowLocksRepo } from './repos/flow-locks';
import { MappingsRepo } from './repos/mappings';
import { OutboxRepo } from './repos/outbox';
import { ParkedRepo } from './repos/parked';
import { RunsRepo } from './repos/runs';
import { SettingsRepo } from './repos/settings';
import { SnapshotsRepo } from './repos/snapshots';
import type { Clock } from './repos/clock';

export const DATABASE_FILE_NAME = 'ml-connector.sqlite';
/** PRAGMA application_id of our files ('MLC1'), so we never migrate somebody else's database. */
export const APPLICATION_ID = 0x4d4c4331;
const BUSY_TIMEOUT_MS = 5_000;

/** The database was written by a newer ml-connector; opening it could corrupt it, so we refuse. */
export class DatabaseFromNewerVersionError extends Error {
  override readonly name = 'DatabaseFromNewerVersionError';
  constructor(
    readonly file: string,
    readonly foundVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `The data file ${file} was written by a newer version of ml-connector (database version ${foundVersion}; ` +
        `this version understands up to ${supportedVersion}). Install the newer ml-connector again, or start this ` +
        'one with --data-dir (or ML_CONNECTOR_DATA_DIR) pointing at another folder. The file was not changed.',
    );
  }
}

export class NotAnMlConnectorDatabaseError extends Error {
  override readonly name = 'NotAnMlConnectorDatabaseError';
  constructor(readonly file: string) {
    super(
      `${file} is an SQLite database of another application; ml-connector will not change it. Choose another --data-dir.`,
    );
  }
}

/** A read-only command found no database in the data folder (nothing was created). */
export class NoDatabaseError extends Error {
  override readonly name = 'NoDatabaseError';
  constructor(
    readonly dataDir: string,
    readonly file: string,
  ) {
    super(`There is no ml-connector database in ${dataDir} (no ${DATABASE_FILE_NAME}). Nothing was created.`);
  }
}

/** A read-only data folder whose database is from an older version: it cannot be upgraded there. */
export class DatabaseNeedsUpgradeError extends Error {
  override readonly name = 'DatabaseNeedsUpgradeError';
  constructor(
    readonly file: string,
    readonly foundVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `The data file ${file} is from an older version of ml-connector (database version ${foundVersion}; this version ` +
        `reads version ${supportedVersion}) and the folder is read-only, so it cannot be upgraded. Run ml-connector once ` +
        'with write access to the folder (any command upgrades it), then read it again. The file was not changed.',
    );
  }
}

export interface Store {
  readonly file: string;
  /**
   * True when opened for reading only (openStore access 'read' on a folder or file this process
   * cannot write): every write fails, and nothing is migrated or tidied on close.
   */
  readonly readOnly?: boolean;
  /** The raw connection, for repos and tests; other modules use the repos. */
  readonly db: Database.Database;
  readonly connections: ConnectionsRepo;
  readonly mappings: MappingsRepo;
  readonly snapshots: SnapshotsRepo;
  readonly cursors: CursorsRepo;
  readonly runs: RunsRepo;
  /** One writer per flow per data folder (leases with heartbeats; engine/sync/run-lock.ts). */
  readonly flowLocks: FlowLocksRepo;
  readonly outbox: OutboxRepo;
  readonly parked: ParkedRepo;
  readonly audit: AuditRepo;
  readonly targetRecords: TargetRecordsRepo;
  /** Non-secret app settings (flow schedules) as JSON by key. */
  readonly settings: SettingsRepo;
  /** The clock every timestamp of this store is taken from (tests inject one). */
  readonly now: Clock;
  /**
   * Runs `work` in one IMMEDIATE transaction (all or nothing, e.g. confirm the outbox intent +
   * append audit + advance cursor). `work` must be synchronous. Nested calls become savepoints.
   */
  transaction<T>(work: () => T): T;
  close(): void;
}

export interface OpenStoreOptions {
  /** Clock for created_at/updated_at/audit times; tests inject a fixed one. */
  now?: Clock;
  /**
   * 'write' (the default) creates the folder and database and migrates them. 'read' (read-only
   * commands: status, runs, parked list, export-audit, audit verify) never creates anything: a
   * folder without a database is a NoDatabaseError; a folder or file this process cannot write
   * (a read-only share, another user's folder) is opened read-only, without migrating.
   */
  access?: 'read' | 'write';
}

/** Opens (creating and migrating as needed) `<dataDir>/ml-connector.sqlite`. */
export function openStore(dataDir: string, options: OpenStoreOptions = {}): Store {
  const file = path.join(dataDir, DATABASE_FILE_NAME);
  let opened: { db: Database.Database; readOnly: boolean; cleanup: () => void };
  if (options.access === 'read') {
    if (!fs.existsSync(file)) throw new NoDatabaseError(dataDir, file);
    opened = canWrite(dataDir, file) ? openForWriting(file, { create: false }) : openReadOnly(file);
  } else {
    fs.mkdirSync(dataDir, { recursive: true });
    opened = openForWriting(file, { create: true });
  }
  const { db, readOnly, cleanup } = opened;
  const now = options.now ?? (() => new Date());
  return {
    file,
    readOnly,
    db,
    connections: new ConnectionsRepo(db, now),
    mappings: new MappingsRepo(db, now),
    snapshots: new SnapshotsRepo(db, now),
    cursors: new CursorsRepo(db, now),
    runs: new RunsRepo(db, now),
    flowLocks: new FlowLocksRepo(db, now),
    outbox: new OutboxRepo(db, now),
    parked: new ParkedRepo(db, now),
    audit: new AuditRepo(db, now),
    targetRecords: new TargetRecordsRepo(db, now),
    settings: new SettingsRepo(db, now),
    now,
    transaction: (work) => db.transaction(work).immediate(),
    close: () => {
      if (!db.open) return;
      // Keeps the planner's statistics fresh for the audit indexes (cheap; SQLite's advice).
      if (!readOnly) db.pragma('optimize');
      db.close();
      cleanup();
    },
  };
}

/** Opens read-write (creating the file when `create`), checks it is ours and current, migrates. */
function openForWriting(file: string, { create }: { create: boolean }): { db: Database.Database; readOnly: boolean; cleanup: () => void } {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: !create });
  } catch (error) {
    if (!create && isReadOnlyFailure(error)) return openReadOnly(file);
    throw error;
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Before anything is written (even the switch to WAL): a refused file stays byte for byte as it was.
    assertCanMigrate(db, file, MIGRATIONS.length);
    configureConnection(db);
    migrate(db, file, MIGRATIONS);
  } catch (error) {
    db.close();
    // A reader on a drive or file it turns out it cannot write (a read-only mount): read it as it is.
    if (!create && isReadOnlyFailure(error)) return openReadOnly(file);
    throw error;
  }
  return { db, readOnly: false, cleanup: () => {} };
}

/**
 * Opens the database for reading only. SQLite reads a WAL database through a shared-memory file
 * next to it; where the folder does not allow creating one, it reads a private copy of the
 * database (and its write-ahead log) in the temp folder, removed on close: the same books, as
 * they were when the command started.
 */
function openReadOnly(file: string): { db: Database.Database; readOnly: boolean; cleanup: () => void } {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      checkReadable(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
    return { db, readOnly: true, cleanup: () => {} };
  } catch (error) {
    if (!isReadOnlyFailure(error)) throw error;
  }
  const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-connector-read-'));
  const removeCopy = () => fs.rmSync(copyDir, { recursive: true, force: true });
  try {
    const copy = path.join(copyDir, DATABASE_FILE_NAME);
    fs.copyFileSync(file, copy);
    if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
    const db = new Database(copy, { readonly: true, fileMustExist: true });
    try {
      checkReadable(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
    return { db, readOnly: true, cleanup: removeCopy };
  } catch (error) {
    removeCopy();
    throw error;
  }
}

/** A read-only connection reads only a database of ours at exactly this version. */
function checkReadable(db: Database.Database, file: string): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  assertCanMigrate(db, file, MIGRATIONS.length);
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found < MIGRATIONS.length) throw new DatabaseNeedsUpgradeError(file, found, MIGRATIONS.length);
}

function canWrite(dataDir: string, file: string): boolean {
  try {
    fs.accessSync(dataDir, fs.constants.W_OK);
    fs.accessSync(file, fs.constants.W_OK);
    for (const side of [`${file}-wal`, `${file}-shm`]) if (fs.existsSync(side)) fs.accessSync(side, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** SQLite could not write (or create its side files) where the database is. */
function isReadOnlyFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EROFS');
}

function configureConnection(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // FULL: a committed outbox intent or audit entry survives a power cut, not only a crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Checkpoint every ~40 MB of WAL instead of SQLite's 4 MB: a sync writes tens of MB (snapshots,
  // intents, audit entries), and pages changed again before the checkpoint (index and interior
  // pages above all) are copied into the database once, not once per 4 MB. bench/store-per-record:
  // 255–277 → 211–246 µs CPU per record. Readers are unaffected; close() checkpoints as before.
  db.pragma('wal_autocheckpoint = 10000');
}

/** Applies pending migrations, each in its own transaction that also bumps user_version. */
export function migrate(db: Database.Database, file: string, migrations: readonly Migration[]): void {
  assertMigrationList(migrations);
  assertCanMigrate(db, file, migrations.length);
  for (const migration of migrations) {
    db.transaction(() => {
      // Re-read inside the lock: another process (CLI next to the app) may have migrated meanwhile.
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= migration.version) return;
      migration.up(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

/** Read-only checks: ours (or empty), and not from a newer app version. */
function assertCanMigrate(db: Database.Database, file: string, supported: number): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) throw new NotAnMlConnectorDatabaseError(file);
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > supported) throw new DatabaseFromNewerVersionError(file, found, supported);
  if (found === 0 && applicationId === 0 && hasTables(db)) throw new NotAnMlConnectorDatabaseError(file);
}

function assertMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Migration "${migration.name}" has version ${migration.version}; expected ${index + 1} (no gaps, in order).`,
      );
    }
  });
}

function hasTables(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' LIMIT 1").get() !== undefined;
}
