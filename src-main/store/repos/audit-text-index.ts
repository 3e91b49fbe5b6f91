import type { Database, Statement, Transaction } from 'better-sqlite3';

/**
 * The trigram index behind the audit screen's text filter (migration 0005, decision 0014).
 *
 * The index trails the log: `indexedThrough` is the highest seq in it, and the caller searches
 * entries after it with LIKE. Batches are filled by a background indexer between syncs, never
 * in the sync's write path (an index insert per audit entry would cost the sync ~20 µs each).
 */

/** Joins the searched columns in the indexed text; a term containing it is searched with LIKE. */
const FIELD_SEPARATOR = '\u001f';
/** The trigram tokenizer cannot match fewer than 3 characters. */
const MIN_INDEXED_TERM_CHARS = 3;
/**
 * Pages of segment merging done per indexed row. With automerge off (migration 0005) this keeps
 * the index to a few segments per level while no batch runs longer than ~0.1 s: measured on
 * 1,000,000 entries in batches of 2,000 rows, 500 pages each: 16.5 s in all, worst batch 101 ms.
 */
const MERGE_PAGES_PER_ROW = 0.25;

export interface AuditTextIndexProgress {
  /** Highest audit seq in the index (0 when empty). */
  indexedThrough: number;
  /** Entries after it (approximately: seq gaps are counted too). */
  behind: number;
}

export class AuditTextIndex {
  private readonly readProgress: Statement<[], { indexed_through: number; head: number | null }>;
  private readonly insertBatch: Statement<[number, number]>;
  private readonly lastSeqOfBatch: Statement<[number, number], { seq: number | null }>;
  private readonly saveProgress: Statement<[number]>;
  private readonly mergePages: Statement<[number]>;
  private readonly countMatches: Statement<[string, number, number, number], { count: number }>;
  private readonly batch: Transaction<(maxRows: number) => number>;

  constructor(private readonly db: Database) {
    this.readProgress = db.prepare(
      'SELECT indexed_through, (SELECT max(seq) FROM audit_log) AS head FROM audit_search_progress WHERE id = 1',
    );
    // lower() folds ASCII only, exactly as LIKE compares: both paths find the same entries. The
    // label's words (migration 0007) are searched too: "Koster" finds every entry about its records.
    this.insertBatch = db.prepare(
      `INSERT INTO audit_search (rowid, text)
       SELECT seq, lower(coalesce(source_id, '') || char(31) || coalesce(target_id, '') || char(31) || message ||
                         char(31) || coalesce(label_text, ''))
       FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`,
    );
    this.lastSeqOfBatch = db.prepare(
      'SELECT max(seq) AS seq FROM (SELECT seq FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?)',
    );
    this.saveProgress = db.prepare('UPDATE audit_search_progress SET indexed_through = ? WHERE id = 1');
    this.mergePages = db.prepare("INSERT INTO audit_search (audit_search, rank) VALUES ('merge', ?)");
    this.countMatches = db.prepare(
      `SELECT count(*) AS count FROM (SELECT 1 FROM audit_search
       WHERE audit_search MATCH ? AND rowid >= ? AND rowid <= ? LIMIT ?)`,
    );
    this.batch = db.transaction((maxRows: number) => this.indexRows(maxRows));
  }

  progress(): AuditTextIndexProgress {
    const row = this.readProgress.get()!;
    return { indexedThrough: row.indexed_through, behind: Math.max(0, (row.head ?? 0) - row.indexed_through) };
  }

  /**
   * Indexes up to `maxRows` entries after `indexedThrough` in one write transaction; returns how
   * many. Never waits for the write lock: while another process writes (a CLI sync), it throws
   * SQLITE_BUSY at once instead of blocking this thread (the app's main thread) for the busy timeout.
   */
  indexNextBatch(maxRows: number): number {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`Batch size must be a positive integer, got ${maxRows}.`);
    const busyTimeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      return this.batch.immediate(maxRows);
    } finally {
      this.db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }

  /** Whether the index can answer this term (otherwise LIKE over the whole range). */
  canSearch(term: string): boolean {
    return [...term].length >= MIN_INDEXED_TERM_CHARS && !term.includes(FIELD_SEPARATOR);
  }

  /** The MATCH argument for a term: one phrase (consecutive trigrams = the exact substring). */
  matchExpression(term: string): string {
    return `"${asciiLowerCase(term).replaceAll('"', '""')}"`;
  }

  /** True when the term occurs in at most `limit` entries with seq in [min, max] (stops counting there). */
  occursAtMost(term: string, min: number, max: number, limit: number): boolean {
    return this.countMatches.get(this.matchExpression(term), min, max, limit + 1)!.count <= limit;
  }

  private indexRows(maxRows: number): number {
    const { indexedThrough } = this.progress();
    const last = this.lastSeqOfBatch.get(indexedThrough, maxRows)!.seq;
    if (last === null) return 0;
    const { changes } = this.insertBatch.run(indexedThrough, maxRows);
    this.mergePages.run(Math.max(16, Math.ceil(changes * MERGE_PAGES_PER_ROW)));
    this.saveProgress.run(last);
    return changes;
  }
}

/** Lower-cases A–Z only, as SQLite's lower() and LIKE do. */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
