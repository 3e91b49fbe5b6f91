import type { Migration } from './migration';

/**
 * How finance names each record (issue 17, decision 0022): the document's label (type, number,
 * counterparty, project, date, amount and currency) and, once written, the target document's
 * (type, number, id), as canonical JSON, on the rows the screens, commands and exports list.
 *
 * - parked.label: the waiting record's label; parked.audit_seq: the audit entry that parked it
 *   last, so `parked list` shows the number `replay` takes (one numbering). Open rows are given
 *   theirs here from the log (the last parked or failed entry of the record).
 * - audit_log.label / target_label: inside the hash chain when present (computeAuditHash adds a
 *   member only for a non-null label, so entries written before keep their hashes). Not
 *   updatable, like every audit column (the append-only triggers).
 * - audit_log.label_text: the label's words as the text filter searches them (generated, not
 *   stored, not hashed: it is derived from the hashed label).
 * - target_records.label / target_label: what each confirmed target record is, for money per
 *   project and supplier and for naming deletions.
 * Earlier rows keep NULL labels; the host names them from their snapshots where it can.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'record-labels',
  up(db) {
    db.exec(`
      ALTER TABLE parked ADD COLUMN label TEXT CHECK (label IS NULL OR json_valid(label));
      ALTER TABLE parked ADD COLUMN audit_seq INTEGER;

      ALTER TABLE audit_log ADD COLUMN label TEXT CHECK (label IS NULL OR json_valid(label));
      ALTER TABLE audit_log ADD COLUMN target_label TEXT CHECK (target_label IS NULL OR json_valid(target_label));
      ALTER TABLE audit_log ADD COLUMN label_text TEXT GENERATED ALWAYS AS (
        CASE WHEN label IS NULL AND target_label IS NULL THEN NULL ELSE
          coalesce(json_extract(label, '$.shortType') || ' ' || json_extract(label, '$.number'), '') || char(32) ||
          coalesce(json_extract(label, '$.counterparty'), '') || char(32) ||
          coalesce(json_extract(label, '$.counterpartyCode'), '') || char(32) ||
          coalesce(json_extract(label, '$.project'), '') || char(32) ||
          coalesce(json_extract(target_label, '$.number'), '') || char(32) ||
          coalesce(json_extract(target_label, '$.id'), '')
        END
      ) VIRTUAL;

      ALTER TABLE target_records ADD COLUMN label TEXT CHECK (label IS NULL OR json_valid(label));
      ALTER TABLE target_records ADD COLUMN target_label TEXT CHECK (target_label IS NULL OR json_valid(target_label));

      UPDATE parked SET audit_seq = (
        SELECT max(a.seq) FROM audit_log a
        WHERE a.flow = parked.flow AND a.status IN ('parked', 'failed') AND a.source_id = parked.source_id
      ) WHERE resolved_at IS NULL;
    `);
  },
};
