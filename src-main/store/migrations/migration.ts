import type { Database } from 'better-sqlite3';

/**
 * One schema step. Files are immutable once released: a change is a new file with the next
 * number. `up` runs inside a transaction that also sets PRAGMA user_version = version.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
