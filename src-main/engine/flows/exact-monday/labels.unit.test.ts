import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import { recordName, recordTitle, targetName, targetReference } from '../../../../src-shared/domain/labels';
import type { PurchaseOrder, SalesInvoice, SalesOrder } from '../../../../src-shared/domain/records';
import type { MondayColumnType } from '../../../connectors/monday';
import { documentOf } from './documents';
import { compareF4Record, describeF4Record, exactDocumentLabel, itemLabel } from './labels';
import type { BoardContext, ExactMondayMappings, Field } from './model';
import { planDeletion, planItem } from './plan';

/** F4's documents named as finance names them, and the Exact document beside its board item. */

const party = { sourceId: 'acc-30', code: '40030', name: 'Bouwmaterialen Groothandel Koster B.V.' };
const po = (extra: Partial<PurchaseOrder> = {}): PurchaseOrder => ({
  kind: 'purchase-order',
  sourceId: 'a6d34bd3-4d45-454d-a129-39b9f5b9bf58',
  number: '20011',
  supplier: party,
  orderDate: '2026-06-12',
  description: 'Metselwerk',
  currency: 'EUR',
  status: 'open',
  sourceVersion: '1',
  receiptDate: '2026-07-08',
  amount: '39854.50',
  vatAmount: '8369.45',
  webUrl: 'https://start.exactonline.nl/docs/PurPurchaseOrder.aspx?id=1',
  lines: [
    { sourceLineId: 'l1', lineNumber: 1, itemCode: 'A', glAccountCode: '4120', glAccountDescription: 'Stenen', costCenterCode: 'KST-10', costCenterDescription: 'Ruwbouw', costUnitCode: null, projectCode: 'P26-001', description: 'x', quantity: '1', unitPrice: '39000', unit: null, amount: '39000.00' },
    { sourceLineId: 'l2', lineNumber: 2, itemCode: 'B', glAccountCode: '4120', glAccountDescription: 'Stenen', costCenterCode: 'KST-10', costCenterDescription: 'Ruwbouw', costUnitCode: null, projectCode: 'P26-001', description: 'y', quantity: '1', unitPrice: '854.50', unit: null, amount: '854.50' },
  ],
  ...extra,
});
const credit: SalesInvoice = {
  kind: 'sales-invoice',
  sourceId: 'si-7',
  invoiceNumber: '26100007',
  documentType: 'credit-note',
  customer: { sourceId: 'c1', code: '20006', name: 'Logistiek Vastgoed Brabant B.V.' },
  invoiceDate: '2026-06-28',
  dueDate: '2026-07-28',
  currency: 'EUR',
  status: 'processed',
  yourRef: null,
  amount: '-1200.00',
  vatAmount: '-252.00',
  webUrl: 'https://start.exactonline.nl/docs/SlsInvoice.aspx',
  sourceVersion: '1',
  lines: [],
};
const order: SalesOrder = {
  kind: 'sales-order',
  sourceId: 'so-1',
  orderNumber: '30010',
  customer: { sourceId: 'c2', code: '20005', name: 'Riverside NHS Estates Ltd' },
  orderDate: '2025-12-14',
  deliveryDate: null,
  description: '',
  currency: 'EUR',
  status: 'open',
  yourRef: null,
  amount: '421148.04',
  vatAmount: '0.00',
  webUrl: 'https://start.exactonline.nl/docs/SlsSalesOrder.aspx',
  sourceVersion: 's',
  lines: [],
};

const COLUMNS: Partial<Record<Field, { columnId: string; columnType: MondayColumnType }>> = {
  number: { columnId: 'doc_no', columnType: 'text' },
  date: { columnId: 'doc_date', columnType: 'date' },
  amount: { columnId: 'numbers4', columnType: 'numbers' },
  party: { columnId: 'party', columnType: 'text' },
  glAccount: { columnId: 'gl_account', columnType: 'text' },
  status: { columnId: 'status', columnType: 'status' },
};
const board: BoardContext = {
  documentType: 'purchase-order',
  boardId: '1800000001',
  boardName: 'Purchase orders',
  groupId: 'topics',
  keyColumnId: 'exact_key',
  columns: new Map(Object.entries(COLUMNS) as [Field, { columnId: string; columnType: MondayColumnType }][]),
  policy: { whenCancelled: 'archive', whenDeleted: 'archive' },
};
const mappings: ExactMondayMappings = {
  version: 1,
  boards: new Map(),
  columns: new Map(),
  glAccounts: new Map([['4120', '4120 Stenen']]),
  costCenters: new Map([['KST-10', 'KST-10']]),
  statuses: new Map([['purchase-order', new Map([['open', 'Open']])]]),
};
function planned(record: PurchaseOrder) {
  const outcome = planItem(documentOf(record), board, mappings);
  if (!outcome.ok) throw new Error('planned');
  return outcome.writes[0]!;
}
const json = (v: unknown): JsonValue => v as JsonValue;

describe('F4 documents as finance names them', () => {
  it('purchase orders, sales invoices (credit notes) and sales orders, with counterparty, date and amount excl. VAT', () => {
    const label = exactDocumentLabel(po());
    expect(label).toEqual({ documentType: 'Purchase order', shortType: 'PO', number: '20011', counterparty: party.name, counterpartyCode: '40030', project: 'P26-001', date: '2026-06-12', amount: '39854.50', currency: 'EUR' });
    expect(recordTitle(label, 'en-US')).toBe(`PO 20011 · ${party.name} · €39,854.50`);
    expect(recordName(exactDocumentLabel(credit))).toBe('Credit note 26100007 · Logistiek Vastgoed Brabant B.V.');
    expect(exactDocumentLabel(credit)).toMatchObject({ amount: '-1200.00', documentType: 'Credit note' });
    expect(recordName(exactDocumentLabel({ ...credit, documentType: 'invoice' }))).toBe('Sales invoice 26100007 · Logistiek Vastgoed Brabant B.V.');
    expect(recordName(exactDocumentLabel(order))).toBe('Sales order 30010 · Riverside NHS Estates Ltd');
  });

  it('the item: "monday.com item 20011 on board Purchase orders (id …)"; archived it counts for nothing', () => {
    const item = planned(po());
    const target = itemLabel(item, '1234567890', board);
    expect(targetName(target)).toBe('monday.com item 20011 on board Purchase orders (id 1234567890)');
    expect(targetReference(target)).toBe('item 1234567890');
    expect(target).toMatchObject({ counterparty: party.name, amount: '39854.50', currency: 'EUR' });
    expect(target.codes).toMatchObject({ numbers4: 'amount', doc_no: 'number' });
    // Without the board (not read this run): by its name.
    expect(targetName(itemLabel(item, null))).toBe('monday.com item 20011');
    const [archived] = planDeletion([item], () => board, mappings);
    expect(itemLabel(archived!, '', board)).toMatchObject({ amount: '0.00', id: null });
  });

  it('describes stored snapshots of its three documents, and nothing else', () => {
    expect(describeF4Record({ stream: 'purchase-orders' }, json(po()))?.number).toBe('20011');
    expect(describeF4Record({ stream: 'sales-invoices' }, json(credit))?.documentType).toBe('Credit note');
    expect(describeF4Record({ stream: 'sales-orders' }, json(order))?.number).toBe('30010');
    expect(describeF4Record({}, { OrderNumber: 'x' })).toBeNull();
    expect(describeF4Record({}, json({ ...po(), amount: '1,5' }))).toBeNull();
  });
});

describe('F4 record view: the Exact document beside its board item', () => {
  it('column by column: the document\'s own values compared, translated ones shown', () => {
    const item = planned(po());
    const view = compareF4Record({ entity: 'purchase-order' }, json(po()), [{ entity: 'monday-item', targetId: '1', payload: json(item), label: itemLabel(item, '1', board) }])!;
    expect(view).toMatchObject({ sourceTitle: 'Exact Online', targetTitle: 'monday.com', currency: 'EUR' });
    expect(view.fields.filter((f) => f.differs)).toEqual([]);
    expect(view.lines.map((l) => [l.source?.['column'], l.source?.['value'], l.target?.['value'], l.differs])).toEqual([
      ['Document number', '20011', '20011', []],
      ['Document date', '2026-06-12', '2026-06-12', []],
      ['Amount excl. VAT', '39854.50', '39854.50', []],
      ['Supplier or customer', party.name, party.name, []],
      // The board shows the reference value, Exact the code: shown, not compared.
      ['GL account (reference value)', '4120', '4120 Stenen', []],
      ['Status', 'open', 'Open', []],
    ]);
  });

  it('marks an amount changed in Exact since it was written; a parked document shows no item', () => {
    const item = planned(po());
    const edited = po({ amount: '40000.00' });
    const view = compareF4Record({ entity: 'purchase-order' }, json(edited), [{ entity: 'monday-item', targetId: '1', payload: json(item), label: itemLabel(item, '1', board) }])!;
    expect(view.fields.filter((f) => f.differs).map((f) => f.label)).toEqual(['Amount excl. VAT']);
    expect(view.lines.filter((l) => l.differs.length > 0).map((l) => l.key)).toEqual(['numbers4']);
    const parked = compareF4Record({ stream: 'purchase-orders' }, json(po()), [])!;
    expect(parked.fields.every((f) => f.target === null && !f.differs)).toBe(true);
    expect(parked.lines).toEqual([]);
    expect(compareF4Record({}, { x: 1 }, [])).toBeNull();
  });
});
