import type { Database, Statement } from 'better-sqlite3';
import type { JsonValue } from '../../../src-shared/domain/audit';
import { isoNow, type Clock } from './clock';
import { jsonColumn, parseJsonColumn, type JsonInput } from './json';

/**
 * pending: persisted, not (known to be) sent yet · unknown: sent, outcome unknown (timeout,
 * dropped response): look the key up in the target before any retry · confirmed: the target has
 * it (target_id set) · failed: the target rejected it (business error; reopened by a replay).
 */
export type OutboxStatus = 'pending' | 'confirmed' | 'failed' | 'unknown';

export interface OutboxIntent {
  id: number;
  runId: string | null;
  flow: string;
  sourceId: string | null;
  idempotencyKey: string;
  targetSystem: string;
  /** E.g. 'create-commitment', 'update-bill'. */
  operation: string;
  payload: JsonValue;
  status: OutboxStatus;
  targetId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewOutboxIntent {
  runId: string | null;
  flow: string;
  sourceId?: string | null;
  /** Deterministic from the source record and operation, so a rerun finds the same intent. */
  idempotencyKey: string;
  targetSystem: string;
  operation: string;
  payload: JsonInput;
}

interface OutboxRecord {
  id: number;
  run_id: string | null;
  flow: string;
  source_id: string | null;
  idempotency_key: string;
  target_system: string;
  operation: string;
  payload: string;
  status: OutboxStatus;
  target_id: string | null;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export class OutboxTransitionError extends Error {
  override readonly name = 'OutboxTransitionError';
}

export class OutboxRepo {
  private readonly insert: Statement<
    [Omit<OutboxRecord, 'id' | 'status' | 'target_id' | 'attempts' | 'last_error'>]
  >;
  private readonly byKey: Statement<[string], OutboxRecord>;
  private readonly statusByKey: Statement<[string], Pick<OutboxRecord, 'id' | 'status'>>;
  private readonly byId: Statement<[number], OutboxRecord>;
  private readonly stateById: Statement<
    [number],
    Pick<OutboxRecord, 'idempotency_key' | 'target_system' | 'status' | 'target_id'>
  >;
  private readonly attempt: Statement<[string, number]>;
  private readonly setStatus: Statement<[OutboxStatus, string | null, string | null, string, number]>;
  private readonly reopenStatement: Statement<[string, string | null, string, number]>;
  private readonly unconfirmedAll: Statement<[], OutboxRecord>;
  private readonly unconfirmedOfFlow: Statement<[string], OutboxRecord>;
  private readonly failedOfFlow: Statement<[string], OutboxRecord>;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.insert = db.prepare(
      `INSERT INTO outbox (run_id, flow, source_id, idempotency_key, target_system, operation, payload, created_at, updated_at)
       VALUES (@run_id, @flow, @source_id, @idempotency_key, @target_system, @operation, @payload, @created_at, @updated_at)
       ON CONFLICT (idempotency_key) DO NOTHING`,
    );
    this.byKey = db.prepare('SELECT * FROM outbox WHERE idempotency_key = ?');
    this.statusByKey = db.prepare('SELECT id, status FROM outbox WHERE idempotency_key = ?');
    this.byId = db.prepare('SELECT * FROM outbox WHERE id = ?');
    this.stateById = db.prepare(
      'SELECT idempotency_key, target_system, status, target_id FROM outbox WHERE id = ?',
    );
    this.attempt = db.prepare('UPDATE outbox SET attempts = attempts + 1, updated_at = ? WHERE id = ?');
    this.setStatus = db.prepare(
      'UPDATE outbox SET status = ?, target_id = ?, last_error = ?, updated_at = ? WHERE id = ?',
    );
    this.reopenStatement = db.prepare(
      `UPDATE outbox SET status = 'pending', payload = ?, run_id = ?, updated_at = ? WHERE id = ? AND status = 'failed'`,
    );
    this.unconfirmedAll = db.prepare(
      `SELECT * FROM outbox WHERE status IN ('pending', 'unknown') ORDER BY id`,
    );
    this.unconfirmedOfFlow = db.prepare(
      `SELECT * FROM outbox WHERE flow = ? AND status IN ('pending', 'unknown') ORDER BY id`,
    );
    this.failedOfFlow = db.prepare(`SELECT * FROM outbox WHERE flow = ? AND status = 'failed' ORDER BY id`);
  }

  /**
   * Persists an intent once per idempotency key. `created` is false when the key already
   * existed; the existing intent (whatever its status) is returned unchanged.
   */
  insertIntent(intent: NewOutboxIntent): { intent: OutboxIntent; created: boolean } {
    const { created } = this.insertIntentReturningStatus(intent);
    return { intent: toIntent(this.byKey.get(intent.idempotencyKey)!), created };
  }

  /**
   * insertIntent, returning the intent's id and status instead of reading its payload back (the
   * sync engine's path).
   */
  insertIntentReturningStatus(intent: NewOutboxIntent): {
    id: number;
    status: OutboxStatus;
    created: boolean;
  } {
    const at = isoNow(this.now);
    const { changes, lastInsertRowid } = this.insert.run({
      run_id: intent.runId,
      flow: intent.flow,
      source_id: intent.sourceId ?? null,
      idempotency_key: intent.idempotencyKey,
      target_system: intent.targetSystem,
      operation: intent.operation,
      payload: jsonColumn(intent.payload, `outbox payload ${intent.idempotencyKey}`),
      created_at: at,
      updated_at: at,
    });
    // A new intent starts 'pending' (the column default); lastInsertRowid is only ours if we inserted.
    if (changes > 0) return { id: Number(lastInsertRowid), status: 'pending', created: true };
    const existing = this.statusByKey.get(intent.idempotencyKey)!;
    return { id: existing.id, status: existing.status, created: false };
  }

  get(id: number): OutboxIntent | undefined {
    const record = this.byId.get(id);
    return record && toIntent(record);
  }

  getByKey(idempotencyKey: string): OutboxIntent | undefined {
    const record = this.byKey.get(idempotencyKey);
    return record && toIntent(record);
  }

  /** Call just before each send. */
  recordAttempt(id: number): void {
    if (this.attempt.run(isoNow(this.now), id).changes === 0) throw noSuchIntent(id);
  }

  /** The target has the record. Confirming again with another target id is refused: that would mean a duplicate. */
  markConfirmed(id: number, targetId: string | null): OutboxIntent {
    this.markConfirmedWithoutReadBack(id, targetId);
    return this.require(id);
  }

  /** markConfirmed, without reading the intent (and its payload) back (the sync engine's path). */
  markConfirmedWithoutReadBack(id: number, targetId: string | null): void {
    const current = this.stateById.get(id);
    if (!current) throw noSuchIntent(id);
    if (current.status === 'confirmed' && current.target_id !== targetId) {
      throw new OutboxTransitionError(
        `Outbox intent ${current.idempotency_key} is already confirmed as target record ${current.target_id}; ` +
          `refusing to confirm it again as ${targetId} (that would mean a duplicate in ${current.target_system}).`,
      );
    }
    this.setStatus.run('confirmed', targetId, null, isoNow(this.now), id);
  }

  /** The target rejected the write (business error); stays failed until a replay reopens it. */
  markFailed(id: number, error: string): OutboxIntent {
    return this.transition(this.requireUnconfirmed(id, 'failed'), 'failed', null, error);
  }

  /** Sent, but the outcome is unknown: the key must be looked up in the target before any retry. */
  markUnknown(id: number, error: string): OutboxIntent {
    return this.transition(this.requireUnconfirmed(id, 'unknown'), 'unknown', null, error);
  }

  /** Replay after a fix: a failed intent becomes pending again with the new payload (same key). */
  reopen(id: number, payload: JsonInput, runId: string | null): OutboxIntent {
    const current = this.require(id);
    const changed = this.reopenStatement.run(
      jsonColumn(payload, `outbox payload ${current.idempotencyKey}`),
      runId,
      isoNow(this.now),
      id,
    ).changes;
    if (changed === 0) {
      throw new OutboxTransitionError(
        `Outbox intent ${current.idempotencyKey} is ${current.status}; only a failed intent can be reopened.`,
      );
    }
    return this.require(id);
  }

  /** Pending and unknown intents, oldest first: what crash recovery must resolve. */
  listUnconfirmed(flow?: string): OutboxIntent[] {
    return (flow === undefined ? this.unconfirmedAll.all() : this.unconfirmedOfFlow.all(flow)).map(toIntent);
  }

  listFailed(flow: string): OutboxIntent[] {
    return this.failedOfFlow.all(flow).map(toIntent);
  }

  private require(id: number): OutboxIntent {
    const intent = this.get(id);
    if (!intent) throw noSuchIntent(id);
    return intent;
  }

  private requireUnconfirmed(id: number, wanted: OutboxStatus): OutboxIntent {
    const current = this.require(id);
    if (current.status === 'confirmed') {
      throw new OutboxTransitionError(
        `Outbox intent ${current.idempotencyKey} is already confirmed (target record ${current.targetId}); it cannot become ${wanted}.`,
      );
    }
    return current;
  }

  private transition(
    current: OutboxIntent,
    status: OutboxStatus,
    targetId: string | null,
    error: string | null,
  ): OutboxIntent {
    const at = isoNow(this.now);
    this.setStatus.run(status, targetId, error, at, current.id);
    // The row now, without reading it back: the UPDATE set exactly these columns.
    return { ...current, status, targetId, lastError: error, updatedAt: at };
  }
}

function noSuchIntent(id: number): OutboxTransitionError {
  return new OutboxTransitionError(`There is no outbox intent with id ${id}.`);
}

function toIntent(record: OutboxRecord): OutboxIntent {
  return {
    id: record.id,
    runId: record.run_id,
    flow: record.flow,
    sourceId: record.source_id,
    idempotencyKey: record.idempotency_key,
    targetSystem: record.target_system,
    operation: record.operation,
    payload: parseJsonColumn(record.payload),
    status: record.status,
    targetId: record.target_id,
    attempts: record.attempts,
    lastError: record.last_error,
    createdAt: record.created_at,
    updatedAt: record.updated_at,
  };
}
