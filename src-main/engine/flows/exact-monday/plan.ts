import type { ValidationIssue } from '../../../../src-shared/domain/validation';
import type { CellValue, CellWrite, MondayColumnType } from '../../../connectors/monday';
import type { PlanOutcome } from '../../sync/types';
import { distinct, mainValue, type DocumentLine, type FinanceDocument } from './documents';
import { f4MappingKey, statusLabel } from './mappings';
import { DELETED_STATUS, DOCUMENT_LABELS, ITEM_ENTITY, type BoardContext, type ExactMondayMappings, type Field, type PlannedItem } from './model';
import { isKnownCurrency } from '../../../../src-shared/domain/money';
import { formatMoney } from '../../../../src-shared/domain/labels';
import { cutText } from '../../../../src-shared/domain/text';
import type { BoardNumbersView, NumberHolder } from './numbers';

/**
 * Pure planning for F4: one board item per Exact document, every mapped column filled from the
 * document. Unlike F1, a GL account or cost center that is not among the reference values does
 * not stop the document: the item is created with the Exact code and FLAGGED ("created, needs
 * review"), and the review column (when mapped) says why; so is a document whose number another
 * document of its kind already carries on the board (numbers.ts). No I/O here.
 */

/** Columns that hold one label: a document coded to several values shows its main one there. */
const ONE_LABEL: ReadonlySet<MondayColumnType> = new Set<MondayColumnType>(['status', 'dropdown']);

const text = (value: string): CellValue => (value.trim() === '' ? { kind: 'empty' } : { kind: 'text', text: value });

/** "Purchase order 20001 (Brightline Electrical Services Ltd, EUR 42731.01)": how audit and Pending name it. */
export function documentLabel(doc: FinanceDocument): string {
  return `${doc.label} (${doc.party.name}, ${doc.currency} ${doc.amount})`;
}


/** GL accounts and cost centers that are not among the reference values, in finance words. */
export function referenceFlags(doc: FinanceDocument, m: ExactMondayMappings): ValidationIssue[] {
  const flags: ValidationIssue[] = [];
  /** "4990 (Diverse projectkosten)": the code with Exact's name for it, from the first line that has one. */
  const describe = (code: string, nameOf: (l: DocumentLine) => string | null): string => {
    const name = doc.lines.map(nameOf).find((n) => n !== null && n.trim() !== '');
    return name ? `${cutText(code)} (${cutText(name)})` : cutText(code);
  };
  for (const code of distinct(doc.lines.map((l) => l.glAccountCode)))
    if (!m.glAccounts.has(code))
      flags.push({
        code: 'unmapped-gl-account',
        message: `GL account ${describe(code, (l) => (l.glAccountCode === code ? l.glAccountDescription : null))} of ${doc.label} is not among the GL account reference values; the item shows the Exact code until it is added`,
        mappingKeys: [f4MappingKey.glAccount(code)],
      });
  const withoutGl = doc.lines.filter((l) => l.glAccountCode === null || l.glAccountCode.trim() === '');
  if (withoutGl.length > 0)
    flags.push({
      code: 'missing-gl-account',
      message: `${doc.label} has ${withoutGl.length === 1 ? `a line (line ${withoutGl[0]!.lineNumber})` : `${withoutGl.length} lines`} without a GL account in Exact`,
      mappingKeys: [],
    });
  for (const code of distinct(doc.lines.map((l) => l.costCenterCode)))
    if (!m.costCenters.has(code))
      flags.push({
        code: 'unmapped-cost-center',
        message: `Cost center ${describe(code, (l) => (l.costCenterCode === code ? l.costCenterDescription : null))} of ${doc.label} is not among the cost center reference values; the item shows the Exact code until it is added`,
        mappingKeys: [f4MappingKey.costCenter(code)],
      });
  // The board shows what Exact says; a code that is no currency in use is shown as it is and flagged.
  if (!isKnownCurrency(doc.currency))
    flags.push({
      code: 'currency-mismatch',
      message: `${doc.label} is in "${cutText(doc.currency, 20)}", which is not a currency (such as EUR); the item shows it as Exact has it until its currency is corrected in Exact Online`,
      mappingKeys: [],
    });
  return flags;
}

/** "€1,234.56"; a code that is no currency as Exact has it ("XXX 12.50"). */
function moneyText(amount: string | null, currency: string | null): string {
  if (amount === null || amount === '') return '';
  if (currency === null || !isKnownCurrency(currency)) return `${currency ? `${cutText(currency, 20)} ` : ''}${amount}`;
  return formatMoney(amount, currency, 'en-GB');
}

/** "Bouwbedrijf Jansen, €1,234.56": who and how much, as far as it is known. */
function partyAndAmount(party: string | null, amount: string | null, currency: string | null): string {
  const parts = [party && party.trim() !== '' ? cutText(party) : null, moneyText(amount, currency) || null].filter((p) => p !== null);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/**
 * The document carries a number that another document of its kind (a different Exact id)
 * already has on the same board, written there first: both items stay (nothing is lost), this
 * one is flagged so finance can tell them apart. The same document written again is no duplicate.
 */
export function duplicateNumberFlag(doc: FinanceDocument, boardId: string, numbers: BoardNumbersView): ValidationIssue | null {
  const other: NumberHolder | null = numbers.earlierHolder(doc.type, boardId, doc.number, doc.sourceId);
  if (!other) return null;
  const ownKind = doc.creditNote ? 'Credit note' : DOCUMENT_LABELS[doc.type];
  const otherKind = other.label.documentType.toLowerCase();
  return {
    code: 'duplicate-number',
    message: `${cutText(doc.label)}${partyAndAmount(doc.party.name, doc.amount, doc.currency)} has the same number as ${otherKind === ownKind.toLowerCase() ? 'another' : 'a'} ${otherKind} already on the board${partyAndAmount(other.label.counterparty, other.label.amount, other.label.currency)}; both are on the board — check the number in Exact Online`,
    mappingKeys: [],
  };
}

/** A reference column: every value (mapped label, else the Exact code) in a text column; the main mapped one in a one-label column. */
function referenceCell(doc: FinanceDocument, type: MondayColumnType, pick: (l: DocumentLine) => string | null, labels: ReadonlyMap<string, string>): CellValue {
  if (ONE_LABEL.has(type)) {
    const main = mainValue(doc.lines, pick);
    // An unmapped code is no label of the column (monday would refuse the whole item): left empty, and flagged.
    return text(main === null ? '' : (labels.get(main) ?? ''));
  }
  return text(distinct(doc.lines.map(pick)).map((c) => labels.get(c) ?? c).join(', '));
}

function cellValue(field: Exclude<Field, 'key'>, type: MondayColumnType, doc: FinanceDocument, m: ExactMondayMappings, review: string, status: string): CellValue {
  switch (field) {
    case 'number':
      return text(doc.number);
    case 'date':
      return { kind: 'date', date: doc.date };
    case 'dueDate':
      return doc.dueDate ? { kind: 'date', date: doc.dueDate } : { kind: 'empty' };
    case 'amount':
      return { kind: 'number', amount: doc.amount };
    case 'vat':
      return { kind: 'number', amount: doc.vatAmount };
    case 'currency':
      return text(doc.currency);
    case 'party':
      return text(doc.party.name);
    case 'glAccount':
      return referenceCell(doc, type, (l) => l.glAccountCode, m.glAccounts);
    case 'glAccountName':
      return text(distinct(doc.lines.map((l) => l.glAccountDescription)).join('; '));
    case 'costCenter':
      return referenceCell(doc, type, (l) => l.costCenterCode, m.costCenters);
    case 'project':
      return ONE_LABEL.has(type) ? text(mainValue(doc.lines, (l) => l.projectCode) ?? '') : text(distinct(doc.lines.map((l) => l.projectCode)).join(', '));
    case 'status':
      return text(status);
    case 'link':
      return doc.webUrl ? { kind: 'link', url: doc.webUrl, text: `${doc.label} in Exact Online` } : { kind: 'empty' };
    case 'review':
      return text(review);
  }
}

/** The marker recovery checks (model.ts PlannedItem.lines). */
const marker = (sourceId: string, amount: string): PlannedItem['lines'] => [{ originId: `${sourceId}#item`, amount }];

/**
 * The item for a document, or no write (a cancelled document never written, under an archive
 * policy). `previous` = what was last confirmed for it: a cancelled one that was written is archived.
 */
export function planItem(
  doc: FinanceDocument,
  ctx: BoardContext,
  m: ExactMondayMappings,
  previous: ReadonlyMap<string, PlannedItem> = new Map(),
  numbers: BoardNumbersView | null = null,
): PlanOutcome<PlannedItem> {
  const duplicate = numbers && duplicateNumberFlag(doc, ctx.boardId, numbers);
  const flags = [...referenceFlags(doc, m), ...(duplicate ? [duplicate] : [])];
  const review = flags.map((f) => f.message).join('; ');
  const status = statusLabel(m, doc.type, doc.status) ?? '';
  const cells: CellWrite[] = [...ctx.columns].map(([field, column]) => ({
    columnId: column.columnId,
    columnType: column.columnType,
    value: cellValue(field as Exclude<Field, 'key'>, column.columnType, doc, m, review, status),
  }));
  const item: PlannedItem = {
    entity: ITEM_ENTITY,
    documentType: doc.type,
    originId: doc.sourceId,
    sourceId: doc.sourceId,
    containerId: ctx.boardId,
    groupId: ctx.groupId,
    keyColumnId: ctx.keyColumnId,
    name: doc.creditNote ? `${doc.number} (credit note)` : doc.number,
    cells,
    action: 'upsert',
    total: doc.amount,
    currency: doc.currency,
    lines: marker(doc.sourceId, doc.amount),
  };
  if (doc.status === 'cancelled' && ctx.policy.whenCancelled === 'archive') {
    // Never a delete: an item that exists is archived (it stays readable in monday's archive).
    const written = previous.get(doc.sourceId);
    return { ok: true, writes: written ? [{ ...item, action: 'archive' }] : [] };
  }
  return { ok: true, writes: [item], ...(flags.length > 0 ? { flags } : {}) };
}

/**
 * A document deleted in Exact: its item is archived, or keeps its columns with the status label
 * mapped for "deleted" (per the board's policy). Never a delete.
 */
export function planDeletion(written: readonly PlannedItem[], contextOf: (item: PlannedItem) => BoardContext | undefined, m: ExactMondayMappings): PlannedItem[] {
  return written.map((item) => {
    const ctx = contextOf(item);
    const status = ctx?.columns.get('status');
    const label = statusLabel(m, item.documentType, DELETED_STATUS);
    if (!ctx || ctx.policy.whenDeleted === 'archive' || !status || label === null) return { ...item, action: 'archive' };
    return {
      ...item,
      action: 'upsert',
      cells: item.cells.map((c) => (c.columnId === status.columnId ? { ...c, columnType: status.columnType, value: { kind: 'text', text: label } } : c)),
    };
  });
}
