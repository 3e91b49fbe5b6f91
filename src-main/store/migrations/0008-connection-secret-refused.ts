import type { Migration } from './migration';

/**
 * Connection status `secret-refused` (issue 18, decision 0026): the provider refused the app's
 * client secret (OAuth `invalid_client`). Token custody stops making token calls until the user
 * enters the secret again or connects again, and every process sees the stop here.
 *
 * SQLite cannot change a CHECK constraint in place, so the table is copied into one with the
 * widened list (no other table refers to `connections`, and it has no index or trigger).
 */
export const migration0008: Migration = {
  version: 8,
  name: 'connection-secret-refused',
  up(db) {
    db.exec(`
      CREATE TABLE connections_new (
        id TEXT PRIMARY KEY,
        system TEXT NOT NULL CHECK (system IN ('exact-online', 'procore', 'acumatica', 'sage-intacct', 'monday', 'coupa')),
        label TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('sandbox', 'live')),
        settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings) AND json_type(settings) = 'object'),
        status TEXT NOT NULL DEFAULT 'not-connected'
          CHECK (status IN ('not-connected', 'connected', 'needs-reauth', 'secret-refused', 'error')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      INSERT INTO connections_new (id, system, label, mode, settings, status, created_at, updated_at)
        SELECT id, system, label, mode, settings, status, created_at, updated_at FROM connections;
      DROP TABLE connections;
      ALTER TABLE connections_new RENAME TO connections;
    `);
  },
};
