import type { Migration } from './migration';

/**
 * A substring index for the audit screen's text filter (source id, target id, message), so a
 * rare term is found in milliseconds instead of by walking the whole log (0.5–1 s at 1,000,000
 * entries). Decision 0014.
 *
 * - FTS5 with the trigram tokenizer: any substring of 3+ characters is a phrase of trigrams.
 *   case_sensitive 1 over text lower-cased by SQLite's lower() (ASCII only), so a match is
 *   exactly what `LIKE` finds (LIKE folds ASCII case only).
 * - Contentless: the text is already in audit_log; only the index is stored.
 * - Filled behind the log, never in the sync's write path: `indexed_through` is the highest seq
 *   indexed, and entries after it are searched with LIKE. The derived index is not part of the
 *   hash chain.
 * - automerge off, crisismerge raised: the indexer merges a bounded number of pages per batch
 *   itself, so no single insert triggers a multi-second merge on the main thread.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'audit-search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE audit_search USING fts5(text, content = '', tokenize = 'trigram case_sensitive 1');
      INSERT INTO audit_search (audit_search, rank) VALUES ('automerge', 0);
      INSERT INTO audit_search (audit_search, rank) VALUES ('crisismerge', 64);

      CREATE TABLE audit_search_progress (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_through INTEGER NOT NULL CHECK (indexed_through >= 0)
      ) STRICT;
      INSERT INTO audit_search_progress (id, indexed_through) VALUES (1, 0);
    `);
  },
};
