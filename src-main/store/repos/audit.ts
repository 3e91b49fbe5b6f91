import type { Database, Statement, Transaction } from 'better-sqlite3';
import {
  AUDIT_STATUSES,
  AUDIT_STEPS,
  type AuditEntry,
  type AuditEntryInput,
  type AuditFilter,
} from '../../../src-shared/domain/audit';
import { Decimal } from '../../../src-shared/domain/money';
import { canonicalJson, sha256Hex } from '../canonical-json';
import { isoNow, type Clock } from './clock';
import { nullableJsonColumn, parseNullableJsonColumn, type JsonInput } from './json';

/** prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);
export const MAX_AUDIT_PAGE_SIZE = 1000;

export type AuditChainProblem = 'missing-rows' | 'broken-link' | 'edited' | 'time-out-of-order';

export type AuditChainVerdict =
  | { ok: true; checked: number }
  | { ok: false; checked: number; firstBadSeq: number; problem: AuditChainProblem; reason: string };

export interface AuditPageOptions {
  /** Newer page: entries with seq > afterSeq (the page nearest to it). */
  afterSeq?: number;
  /** Older page: entries with seq < beforeSeq. */
  beforeSeq?: number;
  limit: number;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** More entries exist beyond this page in the direction asked (older, or newer with afterSeq). */
  hasMore: boolean;
}

/** An entry to append; its JSON members may be CanonicalJson made earlier (see repos/json.ts). */
export type AuditAppendInput = Omit<AuditEntryInput, 'sourceSnapshot' | 'targetPayload' | 'result'> & {
  sourceSnapshot: JsonInput | null;
  targetPayload: JsonInput | null;
  result: JsonInput | null;
};

export class InvalidAuditEntryError extends Error {
  override readonly name = 'InvalidAuditEntryError';
}

interface AuditRow {
  seq: number;
  at: string;
  flow: string;
  run_id: string | null;
  entity: string;
  source_id: string | null;
  step: AuditEntry['step'];
  status: AuditEntry['status'];
  mapping_version: number | null;
  target_system: string | null;
  target_id: string | null;
  amount: string | null;
  currency: string | null;
  source_snapshot: string | null;
  target_payload: string | null;
  result: string | null;
  message: string;
  prev_hash: string;
  hash: string;
}

type HashedColumns = Omit<AuditRow, 'hash'>;

/** [column, '"fieldName":'] in the sorted key order of the canonical JSON that is hashed. */
const HASHED_FIELDS = (
  [
    ['seq', 'seq'],
    ['at', 'at'],
    ['flow', 'flow'],
    ['runId', 'run_id'],
    ['entity', 'entity'],
    ['sourceId', 'source_id'],
    ['step', 'step'],
    ['status', 'status'],
    ['mappingVersion', 'mapping_version'],
    ['targetSystem', 'target_system'],
    ['targetId', 'target_id'],
    ['amount', 'amount'],
    ['currency', 'currency'],
    ['sourceSnapshot', 'source_snapshot'],
    ['targetPayload', 'target_payload'],
    ['result', 'result'],
    ['message', 'message'],
  ] as const
)
  .toSorted(([a], [b]) => (a < b ? -1 : 1))
  .map(([field, column]) => [column, `${JSON.stringify(field)}:`] as const);
const JSON_COLUMNS = new Set<keyof AuditRow>(['source_snapshot', 'target_payload', 'result']);

/**
 * sha256 hex of prevHash + canonical JSON of the entry (sorted keys, no whitespace). JSON
 * columns are stored as canonical JSON already, so their stored text is embedded as is: the
 * hash covers exactly the bytes in the database.
 */
export function computeAuditHash(columns: HashedColumns): string {
  const members = HASHED_FIELDS.map(([column, memberPrefix]) => {
    const value = columns[column];
    return memberPrefix + (JSON_COLUMNS.has(column) && value !== null ? String(value) : canonicalJson(value));
  });
  return sha256Hex(`${columns.prev_hash}{${members.join(',')}}`);
}

const ENTRY_COLUMNS = `seq, at, flow, run_id, entity, source_id, step, status, mapping_version, target_system, target_id,
  amount, currency, source_snapshot, target_payload, result, message, prev_hash, hash`;
const ISO_DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const VERIFY_BATCH = 1000;

export class AuditRepo {
  private readonly db: Database;
  private readonly lastRow: Statement<[], { seq: number; at: string; hash: string }>;
  private readonly highestSeqEverUsed: Statement<[], { seq: number }>;
  private readonly insert: Statement<[AuditRow]>;
  private readonly firstSeqAtOrAfter: Statement<[string], { seq: number }>;
  private readonly rowsAfter: Statement<[number, number], AuditRow>;
  private readonly statementCache = new Map<string, Statement<unknown[], AuditRow | { count: number }>>();
  private readonly appendTransaction: Transaction<(inputs: readonly AuditAppendInput[]) => AuditRow[]>;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.db = db;
    this.lastRow = db.prepare('SELECT seq, at, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.highestSeqEverUsed = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'");
    this.insert = db.prepare(
      `INSERT INTO audit_log (${ENTRY_COLUMNS}) VALUES (@seq, @at, @flow, @run_id, @entity, @source_id, @step, @status,
        @mapping_version, @target_system, @target_id, @amount, @currency, @source_snapshot, @target_payload, @result,
        @message, @prev_hash, @hash)`,
    );
    this.firstSeqAtOrAfter = db.prepare('SELECT seq FROM audit_log WHERE at >= ? ORDER BY at, seq LIMIT 1');
    this.rowsAfter = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.appendTransaction = db.transaction((inputs: readonly AuditAppendInput[]) => this.appendRows(inputs));
  }

  /** Appends one entry to the chain (atomically; joins the caller's transaction if there is one). */
  append(input: AuditAppendInput): AuditEntry {
    return toEntry(this.appendOneAtomically(input));
  }

  /**
   * append, returning only the new entry's seq and hash instead of reading its JSON members back
   * (the sync engine's path: it appends thousands of entries and reads none of them).
   */
  appendReturningHead(input: AuditAppendInput): { seq: number; hash: string } {
    const row = this.appendOneAtomically(input);
    return { seq: row.seq, hash: row.hash };
  }

  /** Appends entries in one transaction. */
  appendMany(inputs: readonly AuditAppendInput[]): AuditEntry[] {
    return this.appendTransaction.immediate(inputs).map(toEntry);
  }

  /**
   * Inside the caller's transaction the chain tip cannot move under us and the single INSERT is
   * atomic by itself, so no savepoint is needed; otherwise an IMMEDIATE transaction takes the
   * write lock before the tip is read.
   */
  private appendOneAtomically(input: AuditAppendInput): AuditRow {
    return (this.db.inTransaction ? this.appendRows([input]) : this.appendTransaction.immediate([input]))[0]!;
  }

  private appendRows(inputs: readonly AuditAppendInput[]): AuditRow[] {
    const last = this.lastRow.get();
    // Continue after the highest seq ever handed out, so a deleted tail shows as a gap.
    let chain: ChainTip = {
      seq: Math.max(last?.seq ?? 0, this.highestSeqEverUsed.get()?.seq ?? 0),
      at: last?.at ?? '',
      hash: last?.hash ?? GENESIS_HASH,
    };
    return inputs.map((input) => {
      const row = this.appendOne(input, chain);
      chain = row;
      return row;
    });
  }

  private appendOne(input: AuditAppendInput, previous: ChainTip): AuditRow {
    validateInput(input);
    const clockNow = isoNow(this.now);
    // `at` never decreases along seq (a clock step back keeps the previous time): date filters rely on it.
    const at = previous.at > clockNow ? previous.at : clockNow;
    const where = `audit entry for ${input.flow}/${input.entity}/${input.sourceId ?? '-'}`;
    const columns: HashedColumns = {
      seq: previous.seq + 1,
      at,
      flow: input.flow,
      run_id: input.runId,
      entity: input.entity,
      source_id: input.sourceId,
      step: input.step,
      status: input.status,
      mapping_version: input.mappingVersion,
      target_system: input.targetSystem,
      target_id: input.targetId,
      amount: input.amount,
      currency: input.currency,
      source_snapshot: nullableJsonColumn(input.sourceSnapshot, `${where} (source snapshot)`),
      target_payload: nullableJsonColumn(input.targetPayload, `${where} (target payload)`),
      result: nullableJsonColumn(input.result, `${where} (result)`),
      message: input.message,
      prev_hash: previous.hash,
    };
    const row: AuditRow = { ...columns, hash: computeAuditHash(columns) };
    this.insert.run(row);
    return row;
  }

  /** Keyset paging, newest first. */
  query(filter: AuditFilter, options: AuditPageOptions): AuditPage {
    const { sql, params } = this.pageSql(filter, options);
    if (sql === null) return { entries: [], hasMore: false };
    const rows = this.statement(sql).all(...params) as AuditRow[];
    const hasMore = rows.length > options.limit;
    const page = rows.slice(0, options.limit);
    if (ascendingPage(options)) page.reverse();
    return { entries: page.map(toEntry), hasMore };
  }

  /** The SQLite plan for a page query (diagnostics and index tests). */
  queryPlan(filter: AuditFilter, options: AuditPageOptions): string[] {
    const { sql, params } = this.pageSql(filter, options);
    if (sql === null) return [];
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
      (row) => row.detail,
    );
  }

  count(filter: AuditFilter): number {
    const where = this.whereClause(filter, {});
    if (where === null) return 0;
    const row = this.statement(`SELECT count(*) AS count FROM audit_log WHERE ${where.sql}`).get(
      ...where.params,
    );
    return (row as { count: number }).count;
  }

  /**
   * Every matching entry, oldest first, read in keyset batches so memory stays constant and the
   * connection is free between batches. Entries appended after the first entry was read are not included.
   */
  *iterate(filter: AuditFilter, batchSize = 500): Generator<AuditEntry> {
    const last = this.lastRow.get();
    if (!last) return;
    let afterSeq = 0;
    for (;;) {
      const where = this.whereClause(filter, { afterSeq, throughSeq: last.seq });
      if (where === null) return;
      const rows = this.statement(
        `SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE ${where.sql} ORDER BY seq ASC LIMIT ?`,
      ).all(...where.params, batchSize) as AuditRow[];
      for (const row of rows) yield toEntry(row);
      if (rows.length < batchSize) return;
      afterSeq = rows[rows.length - 1]!.seq;
    }
  }

  /** The last entry's seq and hash: worth writing down outside the database as an anchor. */
  head(): { seq: number; hash: string } | undefined {
    const last = this.lastRow.get();
    return last && { seq: last.seq, hash: last.hash };
  }

  /**
   * Re-computes the whole chain. Detects edited entries (hash mismatch), deleted entries (seq
   * gaps, including a deleted tail through SQLite's AUTOINCREMENT counter), reordered entries
   * (prevHash does not match the entry before) and times that go backwards.
   */
  verifyAuditChain(): AuditChainVerdict {
    let checked = 0;
    let previous: ChainTip = { seq: 0, at: '', hash: GENESIS_HASH };
    for (;;) {
      const rows = this.rowsAfter.all(previous.seq, VERIFY_BATCH);
      for (const row of rows) {
        const problem = findProblem(row, previous);
        if (problem) return { ok: false, checked, ...problem };
        checked += 1;
        previous = row;
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    const highestSeq = this.highestSeqEverUsed.get()?.seq ?? 0;
    if (highestSeq > previous.seq) {
      return {
        ok: false,
        checked,
        firstBadSeq: previous.seq + 1,
        problem: 'missing-rows',
        reason: `Entries ${previous.seq + 1} to ${highestSeq} were written but are no longer in the log (deleted).`,
      };
    }
    return { ok: true, checked };
  }

  private pageSql(filter: AuditFilter, options: AuditPageOptions): { sql: string | null; params: unknown[] } {
    if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_AUDIT_PAGE_SIZE) {
      throw new RangeError(`Audit page size must be 1 to ${MAX_AUDIT_PAGE_SIZE}, got ${options.limit}.`);
    }
    const bounds: SeqBounds = {};
    if (options.afterSeq !== undefined) bounds.afterSeq = options.afterSeq;
    if (options.beforeSeq !== undefined) bounds.beforeSeq = options.beforeSeq;
    const where = this.whereClause(filter, bounds);
    if (where === null) return { sql: null, params: [] };
    const direction = ascendingPage(options) ? 'ASC' : 'DESC';
    return {
      sql: `SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE ${where.sql} ORDER BY seq ${direction} LIMIT ?`,
      params: [...where.params, options.limit + 1],
    };
  }

  /** WHERE clause for a filter; null when the date range is known to match nothing. */
  private whereClause(filter: AuditFilter, bounds: SeqBounds): { sql: string; params: unknown[] } | null {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const equal = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      clauses.push(`${column} = ?`);
      params.push(value);
    };
    equal('flow', filter.flow);
    equal('entity', filter.entity);
    equal('status', filter.status);
    equal('step', filter.step);
    equal('run_id', filter.runId);

    // Date bounds become seq bounds through the `at` index (at is non-decreasing along seq).
    if (filter.from !== undefined) {
      const first = this.firstSeqAtOrAfter.get(normalizeDateBound(filter.from, 'from'));
      if (!first) return null;
      clauses.push('seq >= ?');
      params.push(first.seq);
    }
    if (filter.to !== undefined) {
      const firstExcluded = this.firstSeqAtOrAfter.get(normalizeDateBound(filter.to, 'to'));
      if (firstExcluded) {
        clauses.push('seq < ?');
        params.push(firstExcluded.seq);
      }
    }
    if (bounds.afterSeq !== undefined) {
      clauses.push('seq > ?');
      params.push(bounds.afterSeq);
    }
    if (bounds.beforeSeq !== undefined) {
      clauses.push('seq < ?');
      params.push(bounds.beforeSeq);
    }
    if (bounds.throughSeq !== undefined) {
      clauses.push('seq <= ?');
      params.push(bounds.throughSeq);
    }
    // Substring search without an index: it walks newest-first within the other filters and
    // stops at the page size (measured ~60 ms per 200,000 non-matching rows); a trigram FTS
    // index was 4x slower to append to and 10x larger, a bad trade for an append-heavy log.
    const text = filter.text?.trim();
    if (text) {
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      clauses.push(
        "(source_id LIKE ? ESCAPE '\\' OR target_id LIKE ? ESCAPE '\\' OR message LIKE ? ESCAPE '\\')",
      );
      params.push(pattern, pattern, pattern);
    }
    return { sql: clauses.length > 0 ? clauses.join(' AND ') : '1', params };
  }

  private statement(sql: string): Statement<unknown[], AuditRow | { count: number }> {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statementCache.set(sql, statement);
    }
    return statement;
  }
}

interface ChainTip {
  seq: number;
  at: string;
  hash: string;
}

interface SeqBounds {
  afterSeq?: number;
  beforeSeq?: number;
  throughSeq?: number;
}

function ascendingPage(options: AuditPageOptions): boolean {
  return options.afterSeq !== undefined && options.beforeSeq === undefined;
}

function normalizeDateBound(value: string, name: 'from' | 'to'): string {
  if (ISO_DATE_ONLY.test(value)) return value;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new RangeError(`Audit filter "${name}" must be an ISO 8601 date or time, got "${value}".`);
  return new Date(time).toISOString();
}

function findProblem(
  row: AuditRow,
  previous: ChainTip,
): { firstBadSeq: number; problem: AuditChainProblem; reason: string } | null {
  if (row.seq !== previous.seq + 1) {
    const missing =
      row.seq - 1 === previous.seq + 1
        ? `Entry ${previous.seq + 1} is`
        : `Entries ${previous.seq + 1} to ${row.seq - 1} are`;
    return {
      firstBadSeq: previous.seq + 1,
      problem: 'missing-rows',
      reason: `${missing} missing from the log (deleted).`,
    };
  }
  if (row.prev_hash !== previous.hash) {
    return {
      firstBadSeq: row.seq,
      problem: 'broken-link',
      reason: `Entry ${row.seq} does not follow entry ${previous.seq} (entries were reordered, replaced or removed).`,
    };
  }
  if (computeAuditHash(row) !== row.hash) {
    return {
      firstBadSeq: row.seq,
      problem: 'edited',
      reason: `Entry ${row.seq} was changed after it was written.`,
    };
  }
  if (row.at < previous.at) {
    return {
      firstBadSeq: row.seq,
      problem: 'time-out-of-order',
      reason: `Entry ${row.seq} is dated before entry ${previous.seq}.`,
    };
  }
  return null;
}

function validateInput(input: AuditAppendInput): void {
  const fail = (message: string): never => {
    throw new InvalidAuditEntryError(
      `Audit entry for ${input.flow}/${input.entity}/${input.sourceId ?? '-'}: ${message}`,
    );
  };
  if (!input.flow) fail('flow is empty');
  if (!input.entity) fail('entity is empty');
  if (!(AUDIT_STEPS as readonly string[]).includes(input.step)) fail(`unknown step "${input.step}"`);
  if (!(AUDIT_STATUSES as readonly string[]).includes(input.status)) fail(`unknown status "${input.status}"`);
  if (input.mappingVersion !== null && !Number.isSafeInteger(input.mappingVersion))
    fail('mappingVersion must be an integer');
  if (input.amount !== null) Decimal.parse(input.amount);
  if (input.currency !== null && !/^[A-Z]{3}$/.test(input.currency))
    fail(`currency "${input.currency}" is not an ISO code`);
  if ((input.amount === null) !== (input.currency === null)) fail('amount and currency go together');
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    flow: row.flow,
    runId: row.run_id,
    entity: row.entity,
    sourceId: row.source_id,
    step: row.step,
    status: row.status,
    mappingVersion: row.mapping_version,
    targetSystem: row.target_system,
    targetId: row.target_id,
    amount: row.amount,
    currency: row.currency,
    sourceSnapshot: parseNullableJsonColumn(row.source_snapshot),
    targetPayload: parseNullableJsonColumn(row.target_payload),
    result: parseNullableJsonColumn(row.result),
    message: row.message,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
