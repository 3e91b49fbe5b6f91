import type { Migration } from './migration';

/**
 * App settings that are not per connection (e.g. each flow's schedule), as small JSON values by
 * key. Non-secret only: secrets live in the OS keychain.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'settings',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value)),
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
