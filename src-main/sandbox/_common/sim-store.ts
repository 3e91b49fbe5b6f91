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
 * The mirror holds a copy of what was written (what a JSON round trip makes of it), so it
 * always equals what a restart would load: changing an object after put() does not change the
 * store, and changing an object returned by get() without put() is lost on restart. Read,
 * copy, change, put.
 * Meta values are mirrored too (as their stored JSON text, parsed afresh on every getMeta, so a
 * caller may change what it got); set inside a transaction, they are stored when it commits.
 *
 * Transactions nest: an inner transaction() is a SAVEPOINT of the outer one, so a failing inner
 * step is undone alone (SQLite and mirror) while the outer one goes on and commits the rest.
 */
/**
 * Another process's simulator committed to the same store file after this one last loaded it
 * (two `sync --sandbox` runs, or `serve --sandbox` beside a CLI sync, on one data folder).
 * Thrown before anything is written; the simulator reloads and handles the request again.
 */
export class StaleSimStoreError extends Error {
  override readonly name = 'StaleSimStoreError';
  constructor() {
    super('the sandbox store was changed by another process; reload and try again');
  }
}

export class SimStore {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Map<string, unknown>>();
  private readonly putStmt: Database.Statement;
  private readonly delStmt: Database.Statement;
  private readonly collectionStmt: Database.Statement;
  private readonly metaPutStmt: Database.Statement;
  /** Meta values by key, as their stored JSON text. */
  private readonly meta = new Map<string, string>();
  /** What each open transaction (outermost first) has written. Empty when none is open. */
  private readonly openTransactions: OpenTransaction[] = [];
  /**
   * Runs its argument in a transaction; built once, as better-sqlite3 builds a new wrapper per
   * db.transaction() call. Called inside a transaction, better-sqlite3 makes it a SAVEPOINT.
   */
  private readonly inSqliteTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly dataVersionStmt: Database.Statement;
  /** PRAGMA data_version when the mirror was last known equal to the file (see changedElsewhere). */
  private seenDataVersion = 0;
  /** Set when a transaction found the file changed elsewhere; the simulator retries the request. */
  private staleSeen = false;

  /** `file` = ':memory:' for throwaway simulators in unit tests. */
  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // OFF: SQLite never fsyncs. A commit still hands its WAL frames to the OS (write()) before
    // it returns, so a killed process (SIGKILL, crash) leaves every acknowledged write in the
    // OS cache, which the next open reads. Only a power loss or OS crash could drop the last
    // commits, and that is not what the sandbox simulates; the fsyncs (at every WAL checkpoint
    // under NORMAL) cost the simulators time on each write-heavy run.
    this.db.pragma('synchronous = OFF');
    // Two processes may serve one data folder's sandbox (each its own simulator on the file):
    // a writer waits for the other's transaction instead of failing with SQLITE_BUSY.
    this.db.pragma('busy_timeout = 10000');
    // seq without AUTOINCREMENT: a new row gets max(seq) + 1, so it still comes after every
    // row of its collection (insertion order, stored, so stable across restarts), without the
    // sqlite_sequence row AUTOINCREMENT updates in every writing transaction. (A file created
    // with AUTOINCREMENT keeps it; both orders are the same.)
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS record (
        seq INTEGER PRIMARY KEY,
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
    this.metaPutStmt = this.db.prepare(
      'INSERT INTO meta (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json',
    );
    this.inSqliteTransaction = this.db.transaction((fn: () => unknown) => fn());
    this.dataVersionStmt = this.db.prepare('PRAGMA data_version').pluck();
    this.loadEverything();
  }

  /** Fills the mirror (records and meta) from the file; the Maps SimCollections hold are kept. */
  private loadEverything(): void {
    this.seenDataVersion = this.dataVersion();
    this.meta.clear();
    for (const row of this.db.prepare('SELECT key, json FROM meta').iterate() as Iterable<{
      key: string;
      json: string;
    }>)
      this.meta.set(row.key, row.json);
    for (const m of this.cache.values()) m.clear();
    const rows = this.db.prepare('SELECT collection, id, json FROM record ORDER BY seq').all() as {
      collection: string;
      id: string;
      json: string;
    }[];
    for (const row of rows) this.map(row.collection).set(row.id, JSON.parse(row.json));
  }

  private dataVersion(): number {
    return this.dataVersionStmt.get() as number;
  }

  /**
   * True when another connection (another process's simulator on this file) has committed since
   * the mirror was loaded. SQLite's data_version moves only for other connections' commits, so
   * this costs one pragma and never fires for this simulator's own writes.
   */
  changedElsewhere(): boolean {
    return this.file !== ':memory:' && this.dataVersion() !== this.seenDataVersion;
  }

  /** Reloads the whole mirror from the file (after changedElsewhere). Not inside a transaction. */
  reloadAll(): void {
    if (this.openTransactions.length > 0) throw new Error('cannot reload the sandbox store inside a transaction');
    this.loadEverything();
  }

  /** True (once) when a transaction since the last call found the file changed elsewhere. */
  takeStaleSeen(): boolean {
    const seen = this.staleSeen;
    this.staleSeen = false;
    return seen;
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
    this.innermostTransaction()?.collections.add(collection);
    this.putStmt.run(collection, id, json);
    const copy = jsonDataCopy(value);
    this.map(collection).set(id, copy === NOT_JSON_DATA ? JSON.parse(json) : copy);
  }

  /** @internal used by SimCollection */
  remove(collection: string, id: string): void {
    this.innermostTransaction()?.collections.add(collection);
    this.delStmt.run(collection, id);
    this.map(collection).delete(id);
  }

  private innermostTransaction(): OpenTransaction | undefined {
    return this.openTransactions[this.openTransactions.length - 1];
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
    const json = this.meta.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  setMeta(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error(`cannot store ${String(value)} as meta ${key}`);
    const open = this.innermostTransaction();
    if (!open) {
      this.metaPutStmt.run(key, json);
    } else if (!open.metaBefore.has(key)) {
      open.metaBefore.set(key, this.meta.get(key));
    }
    this.meta.set(key, json);
  }

  /**
   * Runs fn in one SQLite transaction (all of a batch write lands, or none of it). Called inside
   * another transaction it is a savepoint of it: if fn throws, only fn's writes are undone.
   */
  transaction<R>(fn: () => R): R {
    const outer = this.innermostTransaction();
    const written: OpenTransaction = { collections: new Set(), metaBefore: new Map() };
    this.openTransactions.push(written);
    let result: R;
    try {
      // The outermost transaction takes the write lock at once (IMMEDIATE) and then checks that
      // no other process committed since the mirror was loaded: a write is never planned on a
      // stale mirror (e.g. an origin_id lookup that would miss the other process's record).
      const run = outer ? this.inSqliteTransaction : this.inSqliteTransaction.immediate;
      result = run(() => {
        if (!outer && this.changedElsewhere()) {
          this.staleSeen = true;
          throw new StaleSimStoreError();
        }
        const value = fn();
        // Meta values reach SQLite once, just before the outermost commit, however often they
        // changed (an id sequence moves once per created record).
        if (!outer)
          for (const key of written.metaBefore.keys()) this.metaPutStmt.run(key, this.meta.get(key));
        return value;
      }) as R;
    } catch (err) {
      this.openTransactions.pop();
      // SQLite has rolled back (to the savepoint); the mirror follows, so it never shows a write
      // that was undone. What SQLite holds now includes the outer transactions' writes.
      for (const collection of written.collections) this.reload(collection);
      for (const [key, before] of written.metaBefore)
        if (before === undefined) this.meta.delete(key);
        else this.meta.set(key, before);
      throw err;
    }
    this.openTransactions.pop();
    // Still open in the outer transaction: its rollback must undo these writes as well.
    if (outer) {
      for (const collection of written.collections) outer.collections.add(collection);
      for (const [key, before] of written.metaBefore)
        if (!outer.metaBefore.has(key)) outer.metaBefore.set(key, before);
    }
    return result;
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

const NOT_JSON_DATA = Symbol('not plain JSON data');

/**
 * JSON.parse(JSON.stringify(value)) built directly, which is cheaper than parsing the text
 * again, for plain JSON data: strings, finite numbers, booleans, null, arrays and plain
 * objects (members that are undefined are left out, as JSON.stringify does). Anything else
 * (a Date, a class instance, toJSON, NaN, a function…) answers NOT_JSON_DATA and the caller
 * parses the stored text instead, so the mirror always equals what a restart would load.
 */
function jsonDataCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) return NOT_JSON_DATA;
      return value === 0 ? 0 : value; // -0 is stored as 0
    case 'object': {
      if (value === null) return null;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Array.prototype) {
        const source = value as unknown[];
        const out: unknown[] = [];
        for (let i = 0; i < source.length; i += 1) {
          const item = jsonDataCopy(source[i]);
          if (item === NOT_JSON_DATA || item === undefined) return NOT_JSON_DATA; // stored as null
          out.push(item);
        }
        return out;
      }
      if (proto !== Object.prototype && proto !== null) return NOT_JSON_DATA;
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(source)) {
        // '__proto__' would set the copy's prototype; 'toJSON' changes what is stored.
        if (key === '__proto__' || key === 'toJSON') return NOT_JSON_DATA;
        const member = jsonDataCopy(source[key]);
        if (member === NOT_JSON_DATA) return NOT_JSON_DATA;
        if (member !== undefined) out[key] = member;
      }
      return out;
    }
    case 'undefined':
      return undefined;
    default:
      return NOT_JSON_DATA;
  }
}

/** What one open transaction has written, to undo in the mirror if it rolls back. */
interface OpenTransaction {
  /** Collections whose records were written (reloaded from SQLite on rollback). */
  collections: Set<string>;
  /** Meta keys set, with their value before (undefined: absent), stored at the outermost commit. */
  metaBefore: Map<string, string | undefined>;
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
