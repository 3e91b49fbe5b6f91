import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Durable state of one simulator: JSON records per collection in a SQLite file, mirrored in
 * memory for fast reads. Every write is committed before the simulator answers, so a killed
 * app (SIGKILL) finds exactly what the simulated API acknowledged — or more, which is what
 * the "dropped response" fault is about.
 *
 * Records keep the insertion order of their collection (rowid), which simulators use as the
 * natural order for paging.
 *
 * The mirror holds a copy of what was written (JSON round trip), so it always equals what a
 * restart would load: changing an object after put() does not change the store, and changing
 * an object returned by get() without put() is lost on restart. Read, copy, change, put.
 */
export class SimStore {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Map<string, unknown>>();
  private readonly putStmt: Database.Statement;
  private readonly delStmt: Database.Statement;
  private readonly collectionStmt: Database.Statement;
  private readonly metaGetStmt: Database.Statement;
  private readonly metaPutStmt: Database.Statement;
  /** Collections written while a transaction is open (reloaded from SQLite if it rolls back). */
  private touched: Set<string> | null = null;

  /** `file` = ':memory:' for throwaway simulators in unit tests. */
  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a killed process (the WAL is in the OS cache); only a power
    // loss could drop the last commits, which is not what the sandbox simulates.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS record (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        json TEXT NOT NULL,
        UNIQUE (collection, id)
      ) STRICT;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, json TEXT NOT NULL) STRICT;
    `);
    this.putStmt = this.db.prepare(
      `INSERT INTO record (collection, id, json) VALUES (?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET json = excluded.json`,
    );
    this.delStmt = this.db.prepare('DELETE FROM record WHERE collection = ? AND id = ?');
    this.collectionStmt = this.db.prepare('SELECT id, json FROM record WHERE collection = ? ORDER BY seq');
    this.metaGetStmt = this.db.prepare('SELECT json FROM meta WHERE key = ?');
    this.metaPutStmt = this.db.prepare(
      'INSERT INTO meta (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json',
    );
    const rows = this.db.prepare('SELECT collection, id, json FROM record ORDER BY seq').all() as {
      collection: string;
      id: string;
      json: string;
    }[];
    for (const row of rows) this.map(row.collection).set(row.id, JSON.parse(row.json));
  }

  private map(collection: string): Map<string, unknown> {
    let m = this.cache.get(collection);
    if (!m) {
      m = new Map();
      this.cache.set(collection, m);
    }
    return m;
  }

  /**
   * One meta value of a store file without loading its records (e.g. which seed a data folder
   * was created with); undefined when the file or the value does not exist.
   */
  static readMeta<T>(file: string, key: string): T | undefined {
    if (!existsSync(file)) return undefined;
    const db = new Database(file, { fileMustExist: true });
    try {
      const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
      if (!hasMeta) return undefined;
      const row = db.prepare('SELECT json FROM meta WHERE key = ?').get(key) as { json: string } | undefined;
      return row ? (JSON.parse(row.json) as T) : undefined;
    } finally {
      db.close();
    }
  }

  /** True when nothing was ever stored: the simulator seeds its world then. */
  isEmpty(): boolean {
    for (const m of this.cache.values()) if (m.size > 0) return false;
    return this.getMeta('seeded') === undefined;
  }

  collection<T>(name: string): SimCollection<T> {
    return new SimCollection<T>(this, name, this.map(name) as Map<string, T>);
  }

  collectionNames(): string[] {
    return [...this.cache.keys()];
  }

  /** @internal used by SimCollection */
  write(collection: string, id: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error(`cannot store ${String(value)} as ${collection}/${id}`);
    this.touched?.add(collection);
    this.putStmt.run(collection, id, json);
    this.map(collection).set(id, JSON.parse(json));
  }

  /** @internal used by SimCollection */
  remove(collection: string, id: string): void {
    this.touched?.add(collection);
    this.delStmt.run(collection, id);
    this.map(collection).delete(id);
  }

  /**
   * Refills a collection's mirror from SQLite (after a rollback): the committed rows are the
   * truth, in their order, whatever a caller changed in place. Same Map, as SimCollections
   * hold it.
   */
  private reload(collection: string): void {
    const m = this.map(collection);
    m.clear();
    for (const row of this.collectionStmt.iterate(collection) as Iterable<{ id: string; json: string }>)
      m.set(row.id, JSON.parse(row.json));
  }

  getMeta<T>(key: string): T | undefined {
    const row = this.metaGetStmt.get(key) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as T) : undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.metaPutStmt.run(key, JSON.stringify(value));
  }

  /** Runs fn in one SQLite transaction (all of a batch write lands, or none of it). */
  transaction<R>(fn: () => R): R {
    if (this.touched) return fn(); // nested: part of the outer transaction
    const touched = new Set<string>();
    this.touched = touched;
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      // SQLite has rolled back; the mirror follows, so it never shows a write that was undone.
      for (const collection of touched) this.reload(collection);
      throw err;
    } finally {
      this.touched = null;
    }
  }

  /** Every collection as plain arrays, for /_sandbox/state and `sandbox dump`. */
  dump(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const [name, m] of this.cache) out[name] = [...m.values()];
    return out;
  }

  close(): void {
    this.db.close();
  }
}

export class SimCollection<T> {
  constructor(
    private readonly store: SimStore,
    readonly name: string,
    private readonly items: Map<string, T>,
  ) {}

  get(id: string | number): T | undefined {
    return this.items.get(String(id));
  }

  has(id: string | number): boolean {
    return this.items.has(String(id));
  }

  all(): T[] {
    return [...this.items.values()];
  }

  filter(pred: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (const item of this.items.values()) if (pred(item)) out.push(item);
    return out;
  }

  find(pred: (item: T) => boolean): T | undefined {
    for (const item of this.items.values()) if (pred(item)) return item;
    return undefined;
  }

  get size(): number {
    return this.items.size;
  }

  put(id: string | number, item: T): T {
    this.store.write(this.name, String(id), item);
    return item;
  }

  delete(id: string | number): boolean {
    if (!this.items.has(String(id))) return false;
    this.store.remove(this.name, String(id));
    return true;
  }
}
