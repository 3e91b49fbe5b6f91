import type { Database, Statement } from 'better-sqlite3';
import { isoNow, type Clock } from './clock';

export interface Cursor {
  flow: string;
  stream: string;
  connectionId: string;
  /** Opaque to the store: a timestamp, a sync token, a page marker… as the connector defines. */
  value: string;
  updatedAt: string;
}

interface CursorRecord {
  flow: string;
  stream: string;
  connection_id: string;
  value: string;
  updated_at: string;
}

/**
 * Read positions per flow, stream and source connection. The engine moves a cursor only after
 * every record of the page is written or parked (in the same transaction as the last of them).
 */
export class CursorsRepo {
  private readonly getStatement: Statement<[string, string, string], CursorRecord>;
  private readonly setStatement: Statement<[string, string, string, string, string]>;
  private readonly listStatement: Statement<[string], CursorRecord>;
  private readonly deleteStatement: Statement<[string, string, string]>;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.getStatement = db.prepare(
      'SELECT * FROM cursors WHERE flow = ? AND stream = ? AND connection_id = ?',
    );
    this.setStatement = db.prepare(
      `INSERT INTO cursors (flow, stream, connection_id, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (flow, stream, connection_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.listStatement = db.prepare('SELECT * FROM cursors WHERE flow = ? ORDER BY stream, connection_id');
    this.deleteStatement = db.prepare(
      'DELETE FROM cursors WHERE flow = ? AND stream = ? AND connection_id = ?',
    );
  }

  get(flow: string, stream: string, connectionId: string): Cursor | undefined {
    const record = this.getStatement.get(flow, stream, connectionId);
    return record && toCursor(record);
  }

  set(flow: string, stream: string, connectionId: string, value: string): void {
    this.setStatement.run(flow, stream, connectionId, value, isoNow(this.now));
  }

  list(flow: string): Cursor[] {
    return this.listStatement.all(flow).map(toCursor);
  }

  /** Forgets a position so the next run reads the stream from the start (a full re-sync). */
  reset(flow: string, stream: string, connectionId: string): boolean {
    return this.deleteStatement.run(flow, stream, connectionId).changes > 0;
  }
}

function toCursor(record: CursorRecord): Cursor {
  return {
    flow: record.flow,
    stream: record.stream,
    connectionId: record.connection_id,
    value: record.value,
    updatedAt: record.updated_at,
  };
}
