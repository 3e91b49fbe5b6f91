import type { Database, Statement, Transaction } from 'better-sqlite3';
import {
  AUDIT_STATUSES,
  AUDIT_STEPS,
  type AuditEntry,
  type AuditEntryInput,
  type AuditFilter,
} from '../../../src-shared/domain/audit';
import type { RecordLabel, TargetLabel } from '../../../src-shared/domain/labels';
import { Decimal } from '../../../src-shared/domain/money';
import { canonicalJson, sha256Hex } from '../canonical-json';
import { AuditTextIndex, type AuditTextIndexProgress } from './audit-text-index';
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
  /** Canonical JSON of the RecordLabel / TargetLabel (migration 0007); null on older entries. */
  label: string | null;
  target_label: string | null;
}

type HashedColumns = Omit<AuditRow, 'hash'>;

/**
 * [column, '"fieldName":', optional] in the sorted key order of the canonical JSON that is hashed.
 * An optional member (the labels of migration 0007) is part of the hashed object only when it is
 * not null: entries written before it existed keep their hashes, and adding, changing or removing
 * a label on any entry breaks the chain at that entry (decision 0022).
 */
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
    ['label', 'label', true],
    ['targetLabel', 'target_label', true],
  ] as const
)
  .toSorted(([a], [b]) => (a < b ? -1 : 1))
  .map(([field, column, optional]) => [column, `${JSON.stringify(field)}:`, optional === true] as const);
const JSON_COLUMNS = new Set<keyof AuditRow>(['source_snapshot', 'target_payload', 'result', 'label', 'target_label']);

/**
 * sha256 hex of prevHash + canonical JSON of the entry (sorted keys, no whitespace). JSON
 * columns are stored as canonical JSON already, so their stored text is embedded as is: the
 * hash covers exactly the bytes in the database.
 */
export function computeAuditHash(columns: HashedColumns): string {
  const members = HASHED_FIELDS.filter(([column, , optional]) => !optional || columns[column] !== null).map(([column, memberPrefix]) => {
    const value = columns[column];
    return memberPrefix + (JSON_COLUMNS.has(column) && value !== null ? String(value) : canonicalJson(value));
  });
  return sha256Hex(`${columns.prev_hash}{${members.join(',')}}`);
}

const ENTRY_COLUMNS = `seq, at, flow, run_id, entity, source_id, step, status, mapping_version, target_system, target_id,
  amount, currency, source_snapshot, target_payload, result, message, prev_hash, hash, label, target_label`;
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
  private readonly textIndex: AuditTextIndex;

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
        @message, @prev_hash, @hash, @label, @target_label)`,
    );
    this.firstSeqAtOrAfter = db.prepare('SELECT seq FROM audit_log WHERE at >= ? ORDER BY at, seq LIMIT 1');
    this.rowsAfter = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.appendTransaction = db.transaction((inputs: readonly AuditAppendInput[]) => this.appendRows(inputs));
    this.textIndex = new AuditTextIndex(db);
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
      label: nullableJsonColumn(input.label ?? null, `${where} (label)`),
      target_label: nullableJsonColumn(input.targetLabel ?? null, `${where} (target label)`),
    };
    const row: AuditRow = { ...columns, hash: computeAuditHash(columns) };
    this.insert.run(row);
    return row;
  }

  /** Keyset paging, newest first. */
  query(filter: AuditFilter, options: AuditPageOptions): AuditPage {
    assertPageSize(options.limit);
    const bounds: SeqBounds = {};
    if (options.afterSeq !== undefined) bounds.afterSeq = options.afterSeq;
    if (options.beforeSeq !== undefined) bounds.beforeSeq = options.beforeSeq;
    const ascending = ascendingPage(options);
    const rows = this.rows(filter, bounds, ascending ? 'ASC' : 'DESC', options.limit + 1);
    const hasMore = rows.length > options.limit;
    const page = rows.slice(0, options.limit);
    if (ascending) page.reverse();
    return { entries: page.map(toEntry), hasMore };
  }

  /** The SQLite plans for a page query, one list per searched part (diagnostics and index tests). */
  queryPlan(filter: AuditFilter, options: AuditPageOptions): string[] {
    const resolved = this.resolve(filter, { ...options });
    if (resolved === null) return [];
    return this.parts(resolved).flatMap((part) => {
      const { sql, params } = this.partSql(resolved, part, `SELECT ${ENTRY_COLUMNS}`, 'DESC');
      return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql} LIMIT ?`).all(...params, options.limit + 1) as {
        detail: string;
      }[]).map((row) => row.detail);
    });
  }

  count(filter: AuditFilter): number {
    const resolved = this.resolve(filter, {});
    if (resolved === null) return 0;
    let count = 0;
    for (const part of this.parts(resolved)) {
      const { sql, params } = this.partSql(resolved, part, 'SELECT count(*) AS count', null);
      count += (this.statement(sql).get(...params) as { count: number }).count;
    }
    return count;
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
      const rows = this.rows(filter, { afterSeq, throughSeq: last.seq }, 'ASC', batchSize);
      for (const row of rows) yield toEntry(row);
      if (rows.length < batchSize) return;
      afterSeq = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * Amounts of the documents a run wrote (created or updated in the target), per currency, to the
   * cent: the Dashboard's and the run history's "value synced". Reads the run's entries by index.
   */
  moneyWrittenInRun(runId: string): { currency: string; amount: string; documents: number }[] {
    this.moneyOfRun ??= this.db.prepare(
      "SELECT amount, currency FROM audit_log WHERE run_id = ? AND step IN ('written', 'updated') AND amount IS NOT NULL",
    );
    const sums = new Map<string, { total: Decimal; documents: number }>();
    for (const row of this.moneyOfRun.all(runId)) {
      const sum = sums.get(row.currency) ?? { total: Decimal.ZERO, documents: 0 };
      sum.total = sum.total.plus(Decimal.parse(row.amount));
      sum.documents += 1;
      sums.set(row.currency, sum);
    }
    return [...sums].map(([currency, s]) => ({ currency, amount: s.total.toMoneyString(), documents: s.documents }));
  }
  private moneyOfRun: Statement<[string], { amount: string; currency: string }> | undefined;

  /** Progress of the text-search index (it trails the log; see audit-text-index.ts). */
  textIndexProgress(): AuditTextIndexProgress {
    return this.textIndex.progress();
  }

  /** Adds up to `maxRows` of the oldest unindexed entries to the text-search index; returns how many. */
  indexTextBatch(maxRows: number): number {
    return this.textIndex.indexNextBatch(maxRows);
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

  /** Up to `limit` matching rows in seq order `direction`, across the searched parts. */
  private rows(filter: AuditFilter, bounds: SeqBounds, direction: 'ASC' | 'DESC', limit: number): AuditRow[] {
    const resolved = this.resolve(filter, bounds);
    if (resolved === null) return [];
    const parts = this.parts(resolved);
    if (direction === 'DESC') parts.reverse();
    const rows: AuditRow[] = [];
    for (const part of parts) {
      if (rows.length >= limit) break;
      const { sql, params } = this.partSql(resolved, part, `SELECT ${ENTRY_COLUMNS}`, direction);
      rows.push(...(this.statement(`${sql} LIMIT ?`).all(...params, limit - rows.length) as AuditRow[]));
    }
    return rows;
  }

  /**
   * A filter as column conditions plus an inclusive seq range, or null when the range is empty.
   * Date bounds become seq bounds through the `at` index (at is non-decreasing along seq).
   */
  private resolve(filter: AuditFilter, bounds: SeqBounds): ResolvedFilter | null {
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

    let min = 1;
    let max = Number.MAX_SAFE_INTEGER;
    if (filter.from !== undefined) {
      const first = this.firstSeqAtOrAfter.get(normalizeDateBound(filter.from, 'from'));
      if (!first) return null;
      min = Math.max(min, first.seq);
    }
    if (filter.to !== undefined) {
      const firstExcluded = this.firstSeqAtOrAfter.get(normalizeDateBound(filter.to, 'to'));
      if (firstExcluded) max = Math.min(max, firstExcluded.seq - 1);
    }
    if (bounds.afterSeq !== undefined) min = Math.max(min, bounds.afterSeq + 1);
    if (bounds.beforeSeq !== undefined) max = Math.min(max, bounds.beforeSeq - 1);
    if (bounds.throughSeq !== undefined) max = Math.min(max, bounds.throughSeq);
    if (min > max) return null;
    const text = filter.text?.trim();
    return { clauses, params, min, max, text: text ? text : null };
  }

  /**
   * The seq ranges to search, oldest first, and how each matches the text. Without text, or for
   * a term the index cannot answer, one range. Otherwise the indexed range uses the trigram index
   * and the unindexed tail LIKE. LIKE walks newest first within the other filters and stops at
   * the page (~0.4 s per 1,000,000 rows when nothing matches); the index answers a rare term in
   * milliseconds. A common term (over INDEX_DRIVEN_MAX_MATCHES) combined with other filters is
   * also left to LIKE along those filters' index, which finds a page sooner than walking every match.
   */
  private parts(resolved: ResolvedFilter): SearchPart[] {
    const { min, max, text } = resolved;
    if (text === null) return [{ min, max, match: 'none' }];
    if (!this.textIndex.canSearch(text)) return [{ min, max, match: 'like' }];
    const { indexedThrough } = this.textIndex.progress();
    const parts: SearchPart[] = [];
    if (min <= Math.min(max, indexedThrough)) {
      const indexed = { min, max: Math.min(max, indexedThrough) };
      const byIndex =
        resolved.clauses.length === 0 ||
        this.textIndex.occursAtMost(text, indexed.min, indexed.max, INDEX_DRIVEN_MAX_MATCHES);
      parts.push({ ...indexed, match: byIndex ? 'index' : 'like' });
    }
    if (Math.max(min, indexedThrough + 1) <= max) parts.push({ min: Math.max(min, indexedThrough + 1), max, match: 'like' });
    return parts;
  }

  /** SQL for one part: `select` over the matching rows, ordered when `direction` is given. */
  private partSql(
    resolved: ResolvedFilter,
    part: SearchPart,
    select: string,
    direction: 'ASC' | 'DESC' | null,
  ): { sql: string; params: unknown[] } {
    const order = (column: string) => (direction === null ? '' : ` ORDER BY ${column} ${direction}`);
    const filters = resolved.clauses.map((clause) => ` AND ${clause}`).join('');
    if (part.match === 'index') {
      // The index drives (newest match first), so a page stops early; the range is pushed into FTS5.
      return {
        sql:
          `${select} FROM audit_search JOIN audit_log ON audit_log.seq = audit_search.rowid` +
          ` WHERE audit_search MATCH ? AND audit_search.rowid >= ? AND audit_search.rowid <= ?${filters}` +
          order('audit_search.rowid'),
        params: [this.textIndex.matchExpression(resolved.text!), part.min, part.max, ...resolved.params],
      };
    }
    // Open ends stay out of the SQL: a bare count(*) then reads the smallest index, not the table.
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (part.min > 1) {
      conditions.push('seq >= ?');
      params.push(part.min);
    }
    if (part.max < Number.MAX_SAFE_INTEGER) {
      conditions.push('seq <= ?');
      params.push(part.max);
    }
    conditions.push(...resolved.clauses);
    params.push(...resolved.params);
    if (part.match === 'like') {
      const pattern = `%${resolved.text!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(
        "(source_id LIKE ? ESCAPE '\\' OR target_id LIKE ? ESCAPE '\\' OR message LIKE ? ESCAPE '\\' OR label_text LIKE ? ESCAPE '\\')",
      );
      params.push(pattern, pattern, pattern, pattern);
    }
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    return { sql: `${select} FROM audit_log${where}${order('seq')}`, params };
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

/** A filter as conditions on audit_log's columns (not seq) and an inclusive seq range. */
interface ResolvedFilter {
  clauses: string[];
  params: unknown[];
  min: number;
  max: number;
  /** The trimmed text filter, or null. */
  text: string | null;
}

/** A seq range and how text is matched in it (none: no text filter). */
interface SearchPart {
  min: number;
  max: number;
  match: 'none' | 'like' | 'index';
}

/** Above this many matches, a text term with other filters is searched with LIKE (see parts()). */
const INDEX_DRIVEN_MAX_MATCHES = 20_000;

interface SeqBounds {
  afterSeq?: number;
  beforeSeq?: number;
  throughSeq?: number;
}

function assertPageSize(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE_SIZE)
    throw new RangeError(`Audit page size must be 1 to ${MAX_AUDIT_PAGE_SIZE}, got ${limit}.`);
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
  for (const [name, label] of [['label', input.label], ['target label', input.targetLabel]] as const) {
    if (!label) continue;
    if (label.amount !== null) Decimal.parse(label.amount);
    if (label.currency !== null && !/^[A-Z]{3}$/.test(label.currency)) fail(`${name} currency "${label.currency}" is not an ISO code`);
  }
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
    label: parseNullableJsonColumn<RecordLabel>(row.label),
    targetLabel: parseNullableJsonColumn<TargetLabel>(row.target_label),
  };
}
