import type { Database, Statement } from 'better-sqlite3';
import type { JsonValue } from '../../../src-shared/domain/audit';
import { sha256Hex } from '../canonical-json';
import { isoNow, type Clock } from './clock';
import { jsonColumn, parseJsonColumn, type JsonInput } from './json';

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
    payload: JsonInput,
  ) => { record: SnapshotRecord; isNew: boolean };

  constructor(
    private readonly db: Database,
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
      (flow: string, stream: string, sourceId: string, payload: JsonInput) =>
        this.recordRow(flow, stream, sourceId, payload),
    );
  }

  /** Stores a fetched record, or (same content as before) only notes that it was seen again. */
  record(flow: string, stream: string, sourceId: string, payload: JsonInput): RecordedSnapshot {
    const { record, isNew } = this.recordAtomically(flow, stream, sourceId, payload);
    return { snapshot: toSnapshot(record), isNew };
  }

  /** record, returning the snapshot's id instead of reading its payload back (the sync engine's path). */
  recordReturningId(
    flow: string,
    stream: string,
    sourceId: string,
    payload: JsonInput,
  ): { id: number; isNew: boolean } {
    const { record, isNew } = this.recordAtomically(flow, stream, sourceId, payload);
    return { id: record.id, isNew };
  }

  /** Look-up and write need one transaction; inside the caller's, the one write is atomic by itself. */
  private recordAtomically(
    flow: string,
    stream: string,
    sourceId: string,
    payload: JsonInput,
  ): { record: SnapshotRecord; isNew: boolean } {
    return this.db.inTransaction
      ? this.recordRow(flow, stream, sourceId, payload)
      : this.recordTransaction(flow, stream, sourceId, payload);
  }

  private recordRow(
    flow: string,
    stream: string,
    sourceId: string,
    payload: JsonInput,
  ): { record: SnapshotRecord; isNew: boolean } {
    const text = jsonColumn(payload, `snapshot of ${flow}/${stream}/${sourceId}`);
    const contentHash = sha256Hex(text);
    const at = isoNow(this.now);
    const existing = this.byContent.get(flow, stream, sourceId, contentHash);
    if (existing) {
      this.touch.run(at, existing.id);
      return { record: { ...existing, last_seen_at: at }, isNew: false };
    }
    const id = Number(this.insert.run(flow, stream, sourceId, contentHash, text, at, at).lastInsertRowid);
    // Exactly the row just inserted (STRICT table, no triggers or defaults): no need to read it back.
    const record: SnapshotRecord = {
      id,
      flow,
      stream,
      source_id: sourceId,
      content_hash: contentHash,
      payload: text,
      fetched_at: at,
      last_seen_at: at,
    };
    return { record, isNew: true };
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

  /**
   * The latest snapshot of every source record the flow has written to its target (one row per
   * stream and source record), read one at a time: what a mapping change would recode.
   */
  *latestOfWritten(flow: string): Generator<{ stream: string; sourceId: string; payload: JsonValue }> {
    this.latestWritten ??= this.db.prepare(
      `SELECT s.stream, s.source_id, s.payload FROM source_snapshots s
       WHERE s.flow = ? AND s.source_id IN (SELECT source_id FROM target_records WHERE flow = ?)
         AND s.id = (SELECT x.id FROM source_snapshots x
                     WHERE x.flow = s.flow AND x.stream = s.stream AND x.source_id = s.source_id
                     ORDER BY x.last_seen_at DESC, x.id DESC LIMIT 1)`,
    );
    for (const row of this.latestWritten.iterate(flow, flow))
      yield { stream: row.stream, sourceId: row.source_id, payload: parseJsonColumn(row.payload) };
  }

  private latestWritten?: Statement<[string, string], { stream: string; source_id: string; payload: string }>;
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
