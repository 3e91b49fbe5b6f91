import type { Database, Statement } from 'better-sqlite3';
import { isoNow, type Clock } from './clock';

/**
 * App settings as JSON values by key (e.g. 'schedule:exact-procore'). Callers validate what they
 * read back: a value written by an older version may lack newer fields.
 */
export class SettingsRepo {
  private readonly getStatement: Statement<[string], { value: string }>;
  private readonly setStatement: Statement<[string, string, string]>;

  constructor(
    db: Database,
    private readonly now: Clock,
  ) {
    this.getStatement = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.setStatement = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  /** The stored value, parsed; undefined when the key was never set. */
  get(key: string): unknown {
    const row = this.getStatement.get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
  }

  set(key: string, value: unknown): void {
    this.setStatement.run(key, JSON.stringify(value), isoNow(this.now));
  }
}
