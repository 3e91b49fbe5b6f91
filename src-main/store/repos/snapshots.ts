import type { Database, Statement } from 'better-sqlite3';
import type { JsonValue } from '../../../src-shared/domain/audit';
import { sha256Hex } from '../canonical-json';
import { isoNow, type Clock } from './clock';
import { jsonColumn, parseJsonColumn } from './json';

/** A source record exactly as fetched (the basis of mapping, audit and replay). */
export interface SourceSnapshot {
  id: number;
  flow: string;
  stream: string;
  sourceId: string;
  /** sha256 hex of the canonical JSON payload. */
  contentHash: string;
  payload: JsonValue;
  /** When this content was first fetched. */
  fetchedAt: string;
  /** When this content was last fetched (a record can change and change back). */
  lastSeenAt: string;
}

export interface RecordedSnapshot {
  snapshot: SourceSnapshot;
  /** False when the same content was already stored: nothing changed since it was seen. */
  isNew: boolean;
}

interface SnapshotRecord {
  id: number;
  flow: string;
  stream: string;
  source_id: string;
  content_hash: string;
  payload: string;
  fetched_at: string;
  last_seen_at: string;
}

export class SnapshotsRepo {
  private readonly insert: Statement<[string, string, string, string, string, string, string]>;
  private readonly touch: Statement<[string, number]>;
  private readonly byContent: Statement<[string, string, string, string], SnapshotRecord>;
  private readonly byId: Statement<[number], SnapshotRecord>;
  private readonly latestOf: Statement<[string, string, string], SnapshotRecord>;
  private readonly recordTransaction: (
    flow: string,
    stream: string,
    sourceId: string,
    payload: JsonValue,
  ) => RecordedSnapshot;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.insert = db.prepare(
      `INSERT INTO source_snapshots (flow, stream, source_id, content_hash, payload, fetched_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.touch = db.prepare('UPDATE source_snapshots SET last_seen_at = ? WHERE id = ?');
    this.byContent = db.prepare(
      'SELECT * FROM source_snapshots WHERE flow = ? AND stream = ? AND source_id = ? AND content_hash = ?',
    );
    this.byId = db.prepare('SELECT * FROM source_snapshots WHERE id = ?');
    this.latestOf = db.prepare(
      `SELECT * FROM source_snapshots WHERE flow = ? AND stream = ? AND source_id = ?
       ORDER BY last_seen_at DESC, id DESC LIMIT 1`,
    );
    this.recordTransaction = db.transaction(
      (flow: string, stream: string, sourceId: string, payload: JsonValue) => {
        const text = jsonColumn(payload, `snapshot of ${flow}/${stream}/${sourceId}`);
        const contentHash = sha256Hex(text);
        const at = isoNow(this.now);
        const existing = this.byContent.get(flow, stream, sourceId, contentHash);
        if (existing) {
          this.touch.run(at, existing.id);
          return { snapshot: toSnapshot({ ...existing, last_seen_at: at }), isNew: false };
        }
        const id = Number(this.insert.run(flow, stream, sourceId, contentHash, text, at, at).lastInsertRowid);
        return { snapshot: toSnapshot(this.byId.get(id)!), isNew: true };
      },
    );
  }

  /** Stores a fetched record, or (same content as before) only notes that it was seen again. */
  record(flow: string, stream: string, sourceId: string, payload: JsonValue): RecordedSnapshot {
    return this.recordTransaction(flow, stream, sourceId, payload);
  }

  get(id: number): SourceSnapshot | undefined {
    const record = this.byId.get(id);
    return record && toSnapshot(record);
  }

  /** The content most recently fetched for a source record. */
  latest(flow: string, stream: string, sourceId: string): SourceSnapshot | undefined {
    const record = this.latestOf.get(flow, stream, sourceId);
    return record && toSnapshot(record);
  }
}

function toSnapshot(record: SnapshotRecord): SourceSnapshot {
  return {
    id: record.id,
    flow: record.flow,
    stream: record.stream,
    sourceId: record.source_id,
    contentHash: record.content_hash,
    payload: parseJsonColumn(record.payload),
    fetchedAt: record.fetched_at,
    lastSeenAt: record.last_seen_at,
  };
}
