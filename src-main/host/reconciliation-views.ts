import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { CAUSE_WORDS, targetOnlyWords, type ReconciliationReport, type ReconGroup } from '../engine/reconcile/reconcile';
import { neutraliseCell } from '../store/audit-csv';

/** A reconciliation as the CLI prints it and as CSV (Excel-safe, exact decimals). */

/** "1234.5" EUR → "€1,234.50" in this machine's locale, from the exact decimal string. */
const money = (amount: string, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount as Intl.StringNumericLiteral);

const AMOUNT_COLUMNS = new Set(['source total', 'target total', 'difference']);

function groupLine(g: ReconGroup): string {
  const causes = Object.entries(g.causes)
    .map(([cause, n]) => `${n} ${cause}`)
    .join(', ');
  return `${g.label}: source ${money(g.expected, g.currency)}, target ${money(g.actual, g.currency)}, difference ${money(g.difference, g.currency)}${g.differing ? ` (${g.differing} of ${g.documents} documents differ: ${causes})` : ` (${g.documents} documents agree)`}`;
}

export function describeReconciliation(report: ReconciliationReport): string[] {
  const lines = [`${report.title} — reconciliation of ${report.generatedAt.slice(0, 19).replace('T', ' ')} UTC`];
  for (const t of report.totals) lines.push(groupLine(t));
  const differing = report.byProject.filter((g) => g.differing > 0);
  if (differing.length) {
    lines.push('', 'Per project:');
    for (const g of report.byProject) lines.push(`  ${groupLine(g)}`);
  }
  const records = report.records.filter((r) => r.cause !== null);
  if (records.length) {
    lines.push('', 'Differences:');
    for (const r of records)
      lines.push(
        `  ${r.documentType} ${r.documentNumber}${r.counterparty ? ` · ${r.counterparty}` : ''}${r.project ? ` · ${r.project}` : ''}: source ${r.expected === null ? 'none' : money(r.expected, r.currency)}, target ${r.actual === null ? 'none' : money(r.actual, r.currency)}: ${r.explanation}`,
      );
  }
  lines.push('', report.unexplained === 0 ? 'Every difference is explained.' : `${report.unexplained} difference(s) not explained: look at both records.`);
  lines.push(`API calls: ${Object.entries(report.apiCalls).filter(([, n]) => n > 0).map(([api, n]) => `${n} ${api}`).join(', ') || 'none'}`);
  return lines;
}

export function reconciliationCsv(report: ReconciliationReport): string {
  const columns = ['document type', 'document number', 'counterparty', 'project', 'currency', 'source total', 'target total', 'difference', 'cause', 'explanation', 'target key', 'target id'];
  const rows = report.records.map((r) =>
    [r.documentType, r.documentNumber, r.counterparty ?? '', r.project ?? '', r.currency, r.expected ?? '', r.actual ?? '', r.difference, r.cause ?? 'agrees', r.cause === 'target-only' ? targetOnlyWords(report.systems) : r.cause ? CAUSE_WORDS[r.cause] : '', r.targetKey, r.targetId ?? ''].map((v, i) =>
      // Amounts stay exact decimal text (a negative difference is a number, not a formula).
      AMOUNT_COLUMNS.has(columns[i]!) && /^-?\d+(\.\d+)?$/.test(v) ? v : neutraliseCell(v, columns[i]!),
    ),
  );
  return stringifyCsv(rows, { bom: true, header: true, columns, record_delimiter: 'windows' });
}
