import { stringify } from 'csv-stringify';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditEntry, AuditFilter, JsonValue } from '../../src-shared/domain/audit';
import type { RecordLabel } from '../../src-shared/domain/labels';
import { canonicalJson } from './canonical-json';
import type { AuditRepo } from './repos/audit';

/** An entry with the label it is shown with (stored, or read from its snapshot for older entries). */
type Row = AuditEntry & { shownLabel: RecordLabel | null };

/** Column header -> how to read it from an entry. Order is the file's column order. */
const COLUMNS: readonly (readonly [string, (entry: Row) => string | number | null])[] = [
  ['seq', (e) => e.seq],
  ['at', (e) => e.at],
  ['flow', (e) => e.flow],
  ['run_id', (e) => e.runId],
  ['entity', (e) => e.entity],
  ['source_id', (e) => e.sourceId],
  // The record as finance names it (decision 0022): "Purchase order", "20011", "Bouwmaterialen …".
  ['document_type', (e) => e.shownLabel?.documentType ?? null],
  ['document_number', (e) => e.shownLabel?.number ?? null],
  ['counterparty', (e) => e.shownLabel?.counterparty ?? null],
  ['counterparty_code', (e) => e.shownLabel?.counterpartyCode ?? null],
  ['project', (e) => e.shownLabel?.project ?? null],
  ['document_date', (e) => e.shownLabel?.date ?? null],
  ['document_amount', (e) => e.shownLabel?.amount ?? null],
  ['document_currency', (e) => e.shownLabel?.currency ?? null],
  ['target_document', (e) => (e.targetLabel ? `${e.targetLabel.system} ${e.targetLabel.documentType.toLowerCase()}` : null)],
  ['target_document_number', (e) => e.targetLabel?.number ?? null],
  ['target_document_id', (e) => e.targetLabel?.id ?? null],
  ['step', (e) => e.step],
  ['status', (e) => e.status],
  ['mapping_version', (e) => e.mappingVersion],
  ['target_system', (e) => e.targetSystem],
  ['target_id', (e) => e.targetId],
  ['amount', (e) => e.amount],
  ['currency', (e) => e.currency],
  ['message', (e) => e.message],
  ['source_snapshot', (e) => compactJson(e.sourceSnapshot)],
  ['target_payload', (e) => compactJson(e.targetPayload)],
  ['result', (e) => compactJson(e.result)],
  ['prev_hash', (e) => e.prevHash],
  ['hash', (e) => e.hash],
];
/** Columns we fill with plain numbers ourselves; a leading minus there is a sign, not a formula. */
const NUMERIC_COLUMNS = new Set(['seq', 'mapping_version', 'amount', 'document_amount']);
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
/** Characters that make Excel/LibreOffice/Sheets treat a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

function compactJson(value: JsonValue | null): string | null {
  return value === null ? null : canonicalJson(value);
}

/** Prefixes an apostrophe to a cell a spreadsheet would run as a formula. */
export function neutraliseCell(value: string, column: string): string {
  if (NUMERIC_COLUMNS.has(column) && PLAIN_NUMBER.test(value)) return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function toCsvRow(entry: Row): string[] {
  return COLUMNS.map(([column, read]) => {
    const value = read(entry);
    return value === null ? '' : neutraliseCell(String(value), column);
  });
}

/**
 * Streams every audit entry matching `filter` (oldest first) as CSV into `writable`, which is
 * ended afterwards. Constant memory: entries are read in keyset batches and pulled only as fast
 * as the writable drains. Excel-safe: UTF-8 BOM, formula-like cells neutralised, ISO 8601 times,
 * amounts as exact decimal text, JSON columns as compact canonical JSON.
 */
export async function exportAuditCsv(
  source: { audit: Pick<AuditRepo, 'iterate'> },
  filter: AuditFilter,
  writable: Writable,
  /** Names entries written before labels were stored (the host asks the entry's flow); default: their stored label. */
  labelOf: (entry: AuditEntry) => RecordLabel | null = (entry) => entry.label,
): Promise<{ rows: number }> {
  let rows = 0;
  const records = Readable.from(
    (function* () {
      for (const entry of source.audit.iterate(filter)) {
        rows += 1;
        yield toCsvRow({ ...entry, shownLabel: labelOf(entry) });
      }
    })(),
  );
  const csv = stringify({
    bom: true,
    header: true,
    columns: COLUMNS.map(([column]) => column),
    record_delimiter: 'windows',
  });
  await pipeline(records, csv, writable);
  return { rows };
}
