import type { JsonValue } from '../../../../src-shared/domain/audit';
import { comparedField, type ComparedField, type ComparedLine, type RecordComparison, type RecordLabel, type TargetLabel } from '../../../../src-shared/domain/labels';
import type { CellValue } from '../../../connectors/monday';
import type { SourceRecordRef, TargetState } from '../types';
import { distinct, documentOf, type ExactDocument, type FinanceDocument } from './documents';
import { DOCUMENT_LABELS, FIELDS, ITEM_ENTITY, type BoardContext, type Field, type PlannedItem } from './model';

/**
 * How F4's documents are named on every screen, command, export and notification (decision
 * 0022): "PO 20011 · Koster B.V. · € 39.854,50", "Sales invoice 26100007 · customer · amount",
 * "SO 15003 · customer · amount" (amounts excl. VAT, as the board's amount column shows them);
 * the item written as "monday.com item 20011 on board Purchase orders (id 1234567890)". And the
 * record view: the Exact document beside the item, column by column. Pure.
 */

export function documentRecordLabel(doc: FinanceDocument): RecordLabel {
  const type = doc.creditNote ? 'Credit note' : DOCUMENT_LABELS[doc.type];
  return {
    documentType: type,
    // "PO 20011" as F1 and F5 say it; sales documents in full.
    shortType: doc.type === 'purchase-order' ? 'PO' : type,
    number: doc.number,
    counterparty: doc.party.name || null,
    counterpartyCode: doc.party.code || null,
    project: distinct(doc.lines.map((l) => l.projectCode)).join(', ') || null,
    date: doc.date || null,
    amount: doc.amount,
    currency: doc.currency,
  };
}

/** The label of an Exact document as F4 reads it. */
export function exactDocumentLabel(record: ExactDocument): RecordLabel {
  return documentRecordLabel(documentOf(record));
}

/**
 * The item as monday.com shows it: its name and board ("20011 on board Purchase orders"), and
 * which field each of its column ids holds (`codes`, so the record view says "Amount excl. VAT",
 * not "numbers4", and compares it with the document's own value).
 */
export function itemLabel(plan: PlannedItem, itemId: string | null, board?: Pick<BoardContext, 'boardName' | 'columns'> | null): TargetLabel {
  const codes: Record<string, string> = {};
  for (const [field, column] of board?.columns ?? []) codes[column.columnId] = field;
  const party = plan.cells.find((c) => codes[c.columnId] === 'party')?.value;
  return {
    system: 'monday.com',
    documentType: 'Item',
    number: board ? `${plan.name} on board ${board.boardName}` : plan.name,
    id: itemId === '' ? null : itemId,
    counterparty: party?.kind === 'text' ? party.text : null,
    project: null,
    // An archived item is off the board: it counts for nothing there.
    amount: plan.action === 'archive' ? '0.00' : plan.total,
    currency: plan.currency,
    ...(Object.keys(codes).length > 0 ? { codes } : {}),
  };
}

// -------------------------------------------------------------------------------------------------
// From stored snapshots (records parked or audited before labels were stored, and the record view)

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asDocument(payload: JsonValue | null): FinanceDocument | null {
  if (!isObject(payload) || !Array.isArray(payload['lines'])) return null;
  const kind = payload['kind'];
  const ok =
    (kind === 'purchase-order' && typeof payload['number'] === 'string' && isObject(payload['supplier'])) ||
    (kind === 'sales-invoice' && typeof payload['invoiceNumber'] === 'string' && isObject(payload['customer'])) ||
    (kind === 'sales-order' && typeof payload['orderNumber'] === 'string' && isObject(payload['customer']));
  return ok ? documentOf(payload as unknown as ExactDocument) : null;
}

function asItem(payload: JsonValue): PlannedItem | null {
  return isObject(payload) && payload['entity'] === ITEM_ENTITY && Array.isArray(payload['cells']) && typeof payload['name'] === 'string' ? (payload as unknown as PlannedItem) : null;
}

/** The label of a stored F4 snapshot, or null when it is not one (the host then names it by its id). */
export function describeF4Record(_ref: SourceRecordRef, payload: JsonValue): RecordLabel | null {
  try {
    const doc = asDocument(payload);
    return doc ? documentRecordLabel(doc) : null;
  } catch {
    return null; // an amount that is not a decimal: not an F4 record after all
  }
}

function cellText(value: CellValue | undefined): string | null {
  if (!value) return null;
  switch (value.kind) {
    case 'text':
      return value.text;
    case 'number':
      return value.amount.toString();
    case 'date':
      return value.date;
    case 'link':
      return value.url;
    case 'empty':
      return null;
  }
}

/** The document's own value of a field (what the column should show, before reference labels). */
function sourceValue(doc: FinanceDocument, field: Field): string | null {
  switch (field) {
    case 'number':
      return doc.number;
    case 'date':
      return doc.date;
    case 'dueDate':
      return doc.dueDate;
    case 'amount':
      return doc.amount;
    case 'vat':
      return doc.vatAmount;
    case 'currency':
      return doc.currency;
    case 'party':
      return doc.party.name;
    case 'link':
      return doc.webUrl;
    case 'glAccount':
      return distinct(doc.lines.map((l) => l.glAccountCode)).join(', ') || null;
    case 'glAccountName':
      return distinct(doc.lines.map((l) => l.glAccountDescription)).join('; ') || null;
    case 'costCenter':
      return distinct(doc.lines.map((l) => l.costCenterCode)).join(', ') || null;
    case 'project':
      return distinct(doc.lines.map((l) => l.projectCode)).join(', ') || null;
    case 'status':
      return doc.status;
    case 'key':
      return doc.sourceId;
    case 'review':
      return null;
  }
}

/** Columns whose value is the document's own (compared); the others are labels the mappings choose (shown). */
const COMPARED: ReadonlySet<Field> = new Set<Field>(['number', 'date', 'dueDate', 'amount', 'vat', 'currency', 'party', 'link']);
const KIND: Partial<Record<Field, 'amount' | 'date'>> = { amount: 'amount', vat: 'amount', date: 'date', dueDate: 'date' };

const COLUMNS: RecordComparison['lineColumns'] = [
  { id: 'column', label: 'Column', kind: 'text', compared: false },
  { id: 'value', label: 'Value', kind: 'text', compared: true },
];

/**
 * The Exact document beside its board item, column by column (one line per mapped column: the
 * document's value and what the item was sent). Values the mappings translate (GL account,
 * cost center, status labels) and the review column are shown, not compared.
 */
export function compareF4Record(_ref: SourceRecordRef, source: JsonValue | null, targets: readonly TargetState[], sourceLabel?: RecordLabel | null): RecordComparison | null {
  const doc = asDocument(source);
  const items = targets.flatMap((t) => {
    const plan = asItem(t.payload);
    return plan ? [{ plan, label: t.label }] : [];
  });
  if (!doc && items.length === 0) return null;
  const label = sourceLabel ?? (doc ? documentRecordLabel(doc) : null);
  const item = items[0] ?? null;
  const currency = doc?.currency ?? item?.plan.currency ?? null;
  const fields: ComparedField[] = [
    comparedField('Document', 'text', label ? `${label.documentType} ${label.number ?? ''}`.trim() : null, item ? `Item ${item.label?.number ?? item.plan.name}` : null, { compared: false }),
    comparedField('Item name', 'text', doc ? (doc.creditNote ? `${doc.number} (credit note)` : doc.number) : null, item?.plan.name ?? null),
    comparedField('Supplier / customer', 'text', doc ? `${doc.party.code} ${doc.party.name}` : null, item?.label?.counterparty ?? null, { compared: false }),
    comparedField('Status', 'text', doc?.status ?? null, item ? (item.plan.action === 'archive' ? 'archived' : 'on the board') : null, { compared: false }),
    comparedField('Amount excl. VAT', 'amount', doc?.amount ?? null, item ? item.plan.total : null, { currency }),
  ];
  const codes = item?.label?.codes ?? {};
  // One line per column the item was sent; the document's value beside it (its field from the board's mapping).
  const lines: ComparedLine[] = (item?.plan.cells ?? []).map((c) => {
    const field = codes[c.columnId] as Field | undefined;
    const known = field !== undefined && field in FIELDS;
    const column = known ? FIELDS[field].label : `column ${c.columnId}`;
    const target = { column, value: cellText(c.value) };
    const sourceCells = doc && known ? { column, value: sourceValue(doc, field) } : null;
    const compared = known && COMPARED.has(field) && sourceCells !== null;
    const differs = compared && comparedField('', KIND[field] ?? 'text', sourceCells.value, target.value).differs;
    return { key: c.columnId, source: sourceCells, target, differs: differs ? ['value'] : [] };
  });
  return { sourceTitle: 'Exact Online', targetTitle: 'monday.com', fields, lineColumns: COLUMNS, lines, currency };
}
