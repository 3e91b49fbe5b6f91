import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import { recordName, recordTitle, targetReference } from '../../../../src-shared/domain/labels';
import type { PurchaseInvoice, PurchaseOrder } from '../../../../src-shared/domain/records';
import { compareF1Record, describeF1Record, procoreLabel, purchaseInvoiceLabel, purchaseOrderLabel } from './labels';
import { DEFAULT_POLICY, type ExactProcoreMappings, type ProcoreReference } from './model';
import { planPurchaseInvoice, planPurchaseOrder } from './plan';

/** F1's documents named as finance names them, and the Exact document beside what Procore holds. */

const mappings: ExactProcoreMappings = {
  version: 1,
  projects: new Map([
    ['P26-001', '562949953421313'],
    ['P26-002', '562949953421314'],
  ]),
  costs: [{ glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null, costCode: '03-300', lineItemTypeCode: 'M' }],
  vendors: new Map([['40030', '562949953500030']]),
};
const ref: ProcoreReference = {
  projects: new Map([
    ['562949953421313', { name: 'Kantoorpand Zuidas', costCodes: new Map([['03-300', '9001']]) }],
    ['562949953421314', { name: 'Bridge Street Depot', costCodes: new Map([['03-300', '9101']]) }],
  ]),
  lineItemTypes: new Map([['M', '71']]),
  vendors: new Map([['562949953500030', 'Koster Groothandel']]),
};

const line = (id: string, project: string, amount: string, description = 'Kalkzandsteen') => ({
  sourceLineId: id,
  lineNumber: 1,
  itemCode: 'KZS',
  glAccountCode: '4000',
  costCenterCode: 'KST-10',
  costUnitCode: null,
  projectCode: project,
  description,
  quantity: '1',
  unitPrice: amount,
  unit: 'pc',
  amount,
});

function po(overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    kind: 'purchase-order',
    sourceId: 'a6d34bd3-4d45-454d-a129-39b9f5b9bf58',
    number: '20011',
    supplier: { sourceId: 's-30', code: '40030', name: 'Bouwmaterialen Groothandel Koster B.V.' },
    orderDate: '2026-06-12',
    description: 'Metselwerk',
    currency: 'EUR',
    status: 'open',
    sourceVersion: '1',
    lines: [line('l-1', 'P26-001', '39000.00'), line('l-2', 'P26-001', '854.50', 'Mortel')],
    ...overrides,
  };
}

function invoice(overrides: Partial<PurchaseInvoice> = {}): PurchaseInvoice {
  return {
    kind: 'purchase-invoice',
    sourceId: '8f217ee1-6bf8-4e80-98af-2780f7e04dca',
    entryNumber: '26700089',
    invoiceNumber: 'F2026-00089',
    supplier: { sourceId: 's-30', code: '40030', name: 'Bouwmaterialen Groothandel Koster B.V.' },
    invoiceDate: '2026-07-01',
    dueDate: '2026-07-31',
    description: 'Factuur F2026-00089',
    currency: 'EUR',
    sourceVersion: '1',
    lines: [
      { sourceLineId: 'i-1', lineNumber: 1, glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null, projectCode: 'P26-002', description: 'Stenen', amount: '1200.00', vatAmount: '252.00' },
      { sourceLineId: 'i-2', lineNumber: 2, glAccountCode: '4000', costCenterCode: 'KST-10', costUnitCode: null, projectCode: 'P26-002', description: 'Vracht', amount: '35.10', vatAmount: '7.37' },
    ],
    ...overrides,
  };
}

describe('F1 record labels', () => {
  it('names a purchase order by number, supplier, project, date and amount excl. VAT; never by its guid', () => {
    const label = purchaseOrderLabel(po(), (code) => (code === 'P26-001' ? 'Kantoorpand Zuidas' : null));
    expect(label).toEqual({
      documentType: 'Purchase order',
      shortType: 'PO',
      number: '20011',
      counterparty: 'Bouwmaterialen Groothandel Koster B.V.',
      counterpartyCode: '40030',
      project: 'P26-001 Kantoorpand Zuidas',
      date: '2026-06-12',
      amount: '39854.50',
      currency: 'EUR',
    });
    expect(recordTitle(label, 'nl-NL')).toBe('PO 20011 · Bouwmaterialen Groothandel Koster B.V. · €\u00a039.854,50');
    expect(recordTitle(label, 'en-US')).toBe('PO 20011 · Bouwmaterialen Groothandel Koster B.V. · €39,854.50');
    expect(recordName(label)).not.toContain(po().sourceId);
  });

  it("names a purchase invoice by the supplier's invoice number, a credit note as one, several projects joined", () => {
    expect(recordName(purchaseInvoiceLabel(invoice()))).toBe('Invoice F2026-00089 · Bouwmaterialen Groothandel Koster B.V.');
    expect(purchaseInvoiceLabel(invoice()).amount).toBe('1235.10');
    const credit = purchaseInvoiceLabel(invoice({ documentType: 'credit-note', lines: [{ ...invoice().lines[0]!, amount: '-1200.00' }, { ...invoice().lines[1]!, projectCode: 'P26-001' }] }));
    expect(credit).toMatchObject({ documentType: 'Credit note', shortType: 'Credit note', amount: '-1164.90', project: 'P26-002, P26-001' });
  });

  it('names the Procore document by its own id once written, and by its number before', () => {
    const plan = planPurchaseOrder(po(), mappings, ref, DEFAULT_POLICY);
    if (!plan.ok) throw new Error('planned');
    const written = procoreLabel(plan.writes[0]!, '562949953421312', ref, () => 'P26-001');
    expect(written).toEqual({
      system: 'Procore',
      documentType: 'Commitment',
      number: '20011',
      id: '562949953421312',
      counterparty: 'Koster Groothandel',
      project: 'P26-001 Kantoorpand Zuidas',
      amount: '39854.50',
      currency: 'EUR',
      codes: { '9001': '03-300', '71': 'M' },
    });
    expect(targetReference(written)).toBe('commitment 562949953421312');
    expect(targetReference(procoreLabel(plan.writes[0]!, null))).toBe('commitment 20011');
  });

  it('reads a stored snapshot, and declines what is not an F1 record', () => {
    expect(describeF1Record({ stream: 'purchase-orders' }, po() as unknown as JsonValue)?.number).toBe('20011');
    expect(describeF1Record({ entity: 'purchase-invoice' }, invoice() as unknown as JsonValue)?.number).toBe('F2026-00089');
    expect(describeF1Record({ stream: 'purchase-orders' }, { OrderNumber: 'PO-26-0007', Supplier: 'SUP-0042' })).toBeNull();
    expect(describeF1Record({ stream: 'purchase-orders' }, { ...(po() as unknown as Record<string, JsonValue>), lines: [{ amount: '1,5' }] })).toBeNull();
  });
});

describe('F1 record view: Exact beside Procore', () => {
  it('agrees field by field and line by line with what was written', () => {
    const plan = planPurchaseOrder(po(), mappings, ref, DEFAULT_POLICY);
    if (!plan.ok) throw new Error('planned');
    const view = compareF1Record({ entity: 'purchase-order' }, po() as unknown as JsonValue, [
      { entity: 'commitment', targetId: '562949953421312', payload: plan.writes[0] as unknown as JsonValue, label: procoreLabel(plan.writes[0]!, '562949953421312', ref) },
    ])!;
    expect(view.sourceTitle).toBe('Exact Online');
    expect(view.fields.filter((f) => f.differs)).toEqual([]);
    expect(view.fields.find((f) => f.label === 'Supplier / vendor')).toMatchObject({ source: '40030 Bouwmaterialen Groothandel Koster B.V.', target: 'Koster Groothandel', compared: false });
    expect(view.fields.find((f) => f.label === 'Total excl. VAT')).toMatchObject({ source: '39854.50', target: '39854.50', currency: 'EUR' });
    expect(view.lines.map((l) => [l.key, l.differs])).toEqual([
      ['l-1', []],
      ['l-2', []],
    ]);
    // Coding by the codes people know on both sides, not by Procore ids.
    expect(view.lines[0]!.source!['coding']).toBe('GL 4000 · cost center KST-10 · project P26-001');
    expect(view.lines[0]!.target!['coding']).toBe('cost code 03-300 · cost type M');
  });

  it('marks what differs: an edited amount and description, a line removed in Exact (zeroed in Procore)', () => {
    const plan = planPurchaseOrder(po(), mappings, ref, DEFAULT_POLICY);
    if (!plan.ok) throw new Error('planned');
    const edited = po({ description: 'Metselwerk fase 2', lines: [line('l-1', 'P26-001', '39100.00')] });
    const view = compareF1Record({ entity: 'purchase-order' }, edited as unknown as JsonValue, [{ entity: 'commitment', targetId: '1', payload: plan.writes[0] as unknown as JsonValue, label: null }])!;
    expect(view.fields.filter((f) => f.differs).map((f) => f.label)).toEqual(['Description', 'Total excl. VAT']);
    expect(view.lines.map((l) => [l.key, l.differs, l.source === null])).toEqual([
      ['l-1', ['unitPrice', 'amount'], false],
      ['l-2', ['description', 'quantity', 'unitPrice', 'amount', 'coding'], true],
    ]);
    // Amounts compare as decimals: "854.5" is "854.50".
    const same = compareF1Record({}, po({ lines: [line('l-1', 'P26-001', '39000'), line('l-2', 'P26-001', '854.5', 'Mortel')] }) as unknown as JsonValue, [{ entity: 'commitment', targetId: '1', payload: plan.writes[0] as unknown as JsonValue, label: null }])!;
    expect(same.fields.filter((f) => f.differs)).toEqual([]);
  });

  it('compares one commitment of a split order with the lines of its project only', () => {
    const split = po({ lines: [line('l-1', 'P26-001', '39000.00'), line('l-2', 'P26-002', '854.50', 'Mortel')] });
    const plan = planPurchaseOrder(split, mappings, ref, DEFAULT_POLICY);
    if (!plan.ok) throw new Error('planned');
    expect(plan.writes).toHaveLength(2);
    const second = plan.writes.find((w) => w.originId.endsWith('/P26-002'))!;
    const view = compareF1Record({ entity: 'purchase-order' }, split as unknown as JsonValue, [{ entity: 'commitment', targetId: '2', payload: second as unknown as JsonValue, label: null }])!;
    expect(view.lines.map((l) => l.key)).toEqual(['l-2']);
    expect(view.fields.filter((f) => f.differs)).toEqual([]);
  });

  it('shows a parked record (nothing written) without marking anything, and an invoice beside its direct cost', () => {
    const parked = compareF1Record({ stream: 'purchase-invoices' }, invoice() as unknown as JsonValue, [])!;
    expect(parked.fields.every((f) => f.target === null && !f.differs)).toBe(true);
    expect(parked.lines.every((l) => l.differs.length === 0)).toBe(true);
    const plan = planPurchaseInvoice(invoice(), mappings, ref, DEFAULT_POLICY);
    if (!plan.ok) throw new Error('planned');
    const view = compareF1Record({ entity: 'purchase-invoice' }, invoice() as unknown as JsonValue, [{ entity: 'direct-cost', targetId: '7', payload: plan.writes[0] as unknown as JsonValue, label: null }])!;
    expect(view.fields.find((f) => f.label === 'Number')).toMatchObject({ source: 'F2026-00089', target: 'F2026-00089', differs: false });
    expect(view.fields.filter((f) => f.differs)).toEqual([]);
    // A direct cost keeps amounts per line, not quantities: those are not compared.
    expect(view.lineColumns.map((c) => c.id)).toEqual(['description', 'amount', 'coding']);
    expect(view.lines.map((l) => l.differs)).toEqual([[], []]);
    expect(compareF1Record({}, { OrderNumber: 1 }, [])).toBeNull();
  });
});
