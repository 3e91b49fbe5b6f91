import type { ProcoreCommitment, ProcoreRequisition } from '../../../src-shared/domain/records';
import { mapEach, sourceIdOf } from '../../../src-main/connectors/procore/reads';
import { codingIndex, commitmentFacts, commitmentFromWire, commitmentLabel, requisitionFromWire, requisitionLabel } from '../../../src-main/connectors/procore/source-mappers';
import type { WireCodedLine, WireCommitmentRecord, WireRequisition, WireRequisitionItem } from '../../../src-main/connectors/procore/wire';
import { PROCORE_COST_CODES, PROCORE_PROJECT, type ProcoreCommitmentWire, type ProcoreRequisitionWire } from '../arbitraries/procore';
import type { Verdict } from '../fuzz-kit';
import { keyOf } from '../fuzz-kit';

/**
 * Procore's reads as its connector performs them, without the HTTP (shared by F3 and F2): a page
 * of commitments with their lines, a page of subcontractor invoices with their G703 items, each
 * mapped by the connector's own mappers and its own row-by-row wrapper (a refused row parks).
 */

const INDEX = codingIndex(
  PROCORE_COST_CODES.map((c) => ({ ...c })),
  [
    { id: 1, code: 'S', name: 'Subcontract' },
    { id: 2, code: 'M', name: 'Materials' },
  ],
);

/**
 * A reason names a bad line by its place in the document ("line 2 (Concrete, 03-300 Beton)"),
 * never by Procore's id of the line: finance cannot find "line 562949953422155" in Procore.
 */
function lineIdsNamed(problem: string, lines: readonly unknown[], verdict: Verdict, label: string): void {
  for (const line of lines) {
    const id = typeof line === 'object' && line !== null ? (line as { id?: unknown }).id : undefined;
    if ((typeof id !== 'number' && typeof id !== 'string') || !/^\d+$/.test(String(id))) continue;
    if (new RegExp(`\\b(?:line|item) ${String(id)}\\b`).test(problem)) verdict.violations.push(`${label}: the reason names a line by Procore's id ${String(id)}: ${problem.slice(0, 300)}`);
  }
}

/** Every document of the page is expected, known by its id or its place in the page. */
function expectAll(rows: readonly { id?: unknown }[], stream: string, verdict: Verdict, label: (row: never) => string): Map<string, string[]> {
  const names = new Map<string, string[]>();
  rows.forEach((row, i) => {
    const sourceId = sourceIdOf(row as never, stream, i);
    verdict.expect(sourceId);
    // Two rows of a page may share an id: the reason may name either.
    names.set(sourceId, [...(names.get(sourceId) ?? []), ...[keyOf(row.id), label(row as never)].filter((n): n is string => n !== null).map((n) => n.slice(0, 60))]);
  });
  return names;
}

export async function readProcoreCommitments(page: ProcoreCommitmentWire[], verdict: Verdict): Promise<ProcoreCommitment[]> {
  const rows = page.map((d) => d.row as WireCommitmentRecord);
  const lines = new Map(page.map((d) => [d.row as WireCommitmentRecord, d.lines as WireCodedLine[]]));
  const names = expectAll(rows, 'commitment', verdict, (row: WireCommitmentRecord) => commitmentLabel(row, 'work-order'));
  const mapped = await mapEach(
    rows,
    (row) => commitmentFromWire(row, 'work-order', PROCORE_PROJECT, lines.get(row) ?? [], INDEX),
    (row) => ({ sourceId: sourceIdOf(row, 'commitment', rows.indexOf(row)), label: commitmentLabel(row, 'work-order') }),
  );
  for (const row of mapped.unreadable) {
    verdict.unreadable({ ...row, raw: { row: row.raw, lines: page.map((d) => d.lines) } }, names.get(row.sourceId) ?? []);
    lineIdsNamed(row.problem, page.flatMap((d) => d.lines as unknown[]), verdict, row.label);
  }
  return mapped.records;
}

export async function readProcoreRequisitions(page: ProcoreRequisitionWire[], verdict: Verdict): Promise<ProcoreRequisition[]> {
  const rows = page.map((d) => d.row as WireRequisition);
  const byRow = new Map(page.map((d) => [d.row as WireRequisition, d]));
  const names = expectAll(rows, 'requisition', verdict, (row: WireRequisition) => requisitionLabel(row));
  const mapped = await mapEach(
    rows,
    (row) => {
      const d = byRow.get(row)!;
      const facts = commitmentFacts({ id: d.commitment.id, number: d.commitment.number, vendor: d.commitment.vendor }, 'work-order');
      return requisitionFromWire(row, PROCORE_PROJECT, { contract: d.lines as WireRequisitionItem[], changeOrder: [] }, facts, INDEX);
    },
    (row) => ({ sourceId: sourceIdOf(row, 'requisition', rows.indexOf(row)), label: requisitionLabel(row) }),
  );
  // The invoice's G703 items are what the source said too (the connector parks the invoice row itself).
  for (const row of mapped.unreadable) {
    verdict.unreadable({ ...row, raw: { row: row.raw, items: page.map((d) => d.lines) } }, names.get(row.sourceId) ?? []);
    lineIdsNamed(row.problem, page.flatMap((d) => d.lines as unknown[]), verdict, row.label);
  }
  return mapped.records;
}
