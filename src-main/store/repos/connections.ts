import type { Database, Statement } from 'better-sqlite3';
import type { JsonValue } from '../../../src-shared/domain/audit';
import { isoNow, type Clock } from './clock';
import { jsonColumn, parseJsonColumn } from './json';

import { SYSTEM_IDS, type SystemId } from '../../../src-shared/domain/systems';

export const CONNECTION_SYSTEMS = SYSTEM_IDS;
export type ConnectionSystem = SystemId;
export type ConnectionMode = 'sandbox' | 'live';
export type ConnectionStatus = 'not-connected' | 'connected' | 'needs-reauth' | 'secret-refused' | 'error';
export type ConnectionSettings = { [key: string]: JsonValue };

/** A configured system account. Non-secret settings only: secrets go to the CredentialStore. */
export interface Connection {
  id: string;
  system: ConnectionSystem;
  label: string;
  mode: ConnectionMode;
  settings: ConnectionSettings;
  status: ConnectionStatus;
  createdAt: string;
  updatedAt: string;
}

export interface NewConnection {
  id: string;
  system: ConnectionSystem;
  label: string;
  mode: ConnectionMode;
  settings?: ConnectionSettings;
}

export interface ConnectionChanges {
  label?: string;
  mode?: ConnectionMode;
  settings?: ConnectionSettings;
}

interface ConnectionRecord {
  id: string;
  system: ConnectionSystem;
  label: string;
  mode: ConnectionMode;
  settings: string;
  status: ConnectionStatus;
  created_at: string;
  updated_at: string;
}

export class ConnectionNotFoundError extends Error {
  override readonly name = 'ConnectionNotFoundError';
  constructor(readonly connectionId: string) {
    super(`There is no connection with id "${connectionId}".`);
  }
}

export class ConnectionsRepo {
  private readonly insertStatement: Statement<[ConnectionRecord]>;
  private readonly getStatement: Statement<[string], ConnectionRecord>;
  private readonly listStatement: Statement<[], ConnectionRecord>;
  private readonly updateStatement: Statement<
    [{ id: string; label: string; mode: string; settings: string; updated_at: string }]
  >;
  private readonly statusStatement: Statement<[string, string, string]>;
  private readonly deleteStatement: Statement<[string]>;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO connections (id, system, label, mode, settings, status, created_at, updated_at)
       VALUES (@id, @system, @label, @mode, @settings, @status, @created_at, @updated_at)`,
    );
    this.getStatement = db.prepare('SELECT * FROM connections WHERE id = ?');
    this.listStatement = db.prepare('SELECT * FROM connections ORDER BY system, label, id');
    this.updateStatement = db.prepare(
      'UPDATE connections SET label = @label, mode = @mode, settings = @settings, updated_at = @updated_at WHERE id = @id',
    );
    this.statusStatement = db.prepare('UPDATE connections SET status = ?, updated_at = ? WHERE id = ?');
    this.deleteStatement = db.prepare('DELETE FROM connections WHERE id = ?');
  }

  create(connection: NewConnection): Connection {
    const at = isoNow(this.now);
    this.insertStatement.run({
      id: connection.id,
      system: connection.system,
      label: connection.label,
      mode: connection.mode,
      settings: jsonColumn(connection.settings ?? {}, `settings of connection ${connection.id}`),
      status: 'not-connected',
      created_at: at,
      updated_at: at,
    });
    return this.require(connection.id);
  }

  get(id: string): Connection | undefined {
    const record = this.getStatement.get(id);
    return record && toConnection(record);
  }

  /** Like get, but a missing connection is an error. */
  require(id: string): Connection {
    const connection = this.get(id);
    if (!connection) throw new ConnectionNotFoundError(id);
    return connection;
  }

  list(): Connection[] {
    return this.listStatement.all().map(toConnection);
  }

  update(id: string, changes: ConnectionChanges): Connection {
    const current = this.require(id);
    this.updateStatement.run({
      id,
      label: changes.label ?? current.label,
      mode: changes.mode ?? current.mode,
      settings: jsonColumn(changes.settings ?? current.settings, `settings of connection ${id}`),
      updated_at: isoNow(this.now),
    });
    return this.require(id);
  }

  setStatus(id: string, status: ConnectionStatus): void {
    if (this.statusStatement.run(status, isoNow(this.now), id).changes === 0)
      throw new ConnectionNotFoundError(id);
  }

  /** Removes the settings row (the caller removes the keychain entries). Returns false if absent. */
  delete(id: string): boolean {
    return this.deleteStatement.run(id).changes > 0;
  }
}

function toConnection(record: ConnectionRecord): Connection {
  return {
    id: record.id,
    system: record.system,
    label: record.label,
    mode: record.mode,
    settings: parseJsonColumn<ConnectionSettings>(record.settings),
    status: record.status,
    createdAt: record.created_at,
    updatedAt: record.updated_at,
  };
}
