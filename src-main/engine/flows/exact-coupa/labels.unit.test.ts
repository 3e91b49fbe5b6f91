import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import { recordName, recordTitle, targetName, targetReference } from '../../../../src-shared/domain/labels';
import type { PurchaseInvoice, PurchaseOrder, Supplier } from '../../../../src-shared/domain/records';
import type { CoupaSupplier } from '../../../connectors/coupa';
import { compareF5Record, coupaTargetLabel, describeF5Record, invoiceRecordLabel, purchaseOrderRecordLabel, supplierRecordLabel } from './labels';
import { DEFAULT_POLICY, type CoupaView, type F5Mappings, type PlannedWrite } from './model';
import { cancellationOf, planInvoice, planPurchaseOrder } from './plan';
import { planSupplierToCoupa } from './suppliers';

/** F5's records named as finance names them, and the Exact record beside what Coupa was sent. */

const party = { sourceId: 'guid-s30', code: '40030', name: 'Bouwmaterialen Groothandel Koster B.V.' };
const m: F5Mappings = {
  version: 1,
  policy: DEFAULT_POLICY,
  accounts: new Map([
    ['4100|KST-14', { glAccount: '4100', costCenter: 'KST-14' }],
    ['4300|', { glAccount: '4300', costCenter: null }],
  ]),
  supplierLinks: new Map(),
  remitTos: new Map(),
  creditNotes: new Map(),
};
const coupaSupplier: CoupaSupplier = {
  id: '12',
  number: '40030',
  name: 'Koster Groothandel',
  displayName: null,
  status: 'active',
  poEmail: null,
  taxId: null,
  paymentTermCode: null,
  primaryContact: null,
  remitTos: [{ id: '1', code: 'RT-40030', name: null, active: true }],
  updatedAt: null,
};
const view: CoupaView = {
  supplierByNumber: (n) => (n === '40030' ? coupaSupplier : null),
  supplierByName: () => null,
  purchaseOrder: () => null,
  invoice: () => null,
  addressCodes: () => new Set(['P26-001']),
};
const names = (n: string) => (n === '40030' ? 'Koster Groothandel' : null);

function po(extra: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    kind: 'purchase-order',
    sourceId: 'a6d34bd3-4d45-454d-a129-39b9f5b9bf58',
    number: '20011',
    supplier: party,
    orderDate: '2026-06-12',
    description: 'Metselwerk',
    currency: 'EUR',
    status: 'open',
    sourceVersion: '1',
    lines: [
      { sourceLineId: 'l-1', lineNumber: 1, itemCode: 'KZS', glAccountCode: '4100', costCenterCode: 'KST-14', costUnitCode: null, projectCode: 'P26-001', description: 'Kalkzandsteen', quantity: '1000', unitPrice: '39', unit: 'pc', amount: '39000.00' },
      // Not quantity × price (a discount): sent as an amount line, which is no difference.
      { sourceLineId: 'l-2', lineNumber: 2, itemCode: 'MRT', glAccountCode: '4300', costCenterCode: null, costUnitCode: null, projectCode: 'P26-001', description: 'Mortel', quantity: '10', unitPrice: '90', unit: 'bag', amount: '854.50' },
    ],
    ...extra,
  };
}

function invoice(extra: Partial<PurchaseInvoice> = {}): PurchaseInvoice {
  return {
    kind: 'purchase-invoice',
    sourceId: '8f217ee1-6bf8-4e80-98af-2780f7e04dca',
    entryNumber: '26700089',
    invoiceNumber: 'F2026-00089',
    supplier: party,
    invoiceDate: '2026-07-01',
    dueDate: '2026-07-31',
    description: 'Factuur F2026-00089',
    currency: 'EUR',
    documentType: 'invoice',
    purchaseOrderNumber: null,
    sourceVersion: '1',
    lines: [
      { sourceLineId: 'i-1', lineNumber: 1, glAccountCode: '4100', costCenterCode: 'KST-14', costUnitCode: null, projectCode: null, description: 'Stenen', amount: '1200.00', vatAmount: '252.00', quantity: '1', unitPrice: '1200' },
      { sourceLineId: 'i-2', lineNumber: 2, glAccountCode: '4300', costCenterCode: null, costUnitCode: null, projectCode: null, description: 'Transport', amount: '33.33', vatAmount: '7.00', quantity: '1', unitPrice: '33.33' },
    ],
    ...extra,
  };
}

const supplier: Supplier = {
  kind: 'supplier',
  sourceId: 'guid-s30',
  code: '40030',
  name: party.name,
  addressLine1: 'Industrieweg 4',
  addressLine2: null,
  addressLine3: null,
  postcode: '3044 AS',
  city: 'Rotterdam',
  country: 'NL',
  email: 'inkoop@koster.nl',
  phone: null,
  vatNumber: 'NL001234567B01',
  chamberOfCommerce: null,
  bankAccounts: [],
  blocked: false,
  modifiedAt: '2026-06-01T10:00:00Z',
  webUrl: 'https://start.exactonline.nl/x',
  sourceVersion: '1',
};

const json = (v: unknown): JsonValue => v as JsonValue;
function planned<P extends PlannedWrite>(result: { ok: true; writes: P[] } | { ok: false }): P {
  if (!result.ok) throw new Error('planned');
  return result.writes[0]!;
}

describe('F5 records as finance names them', () => {
  it('a purchase order: "PO 20011 · supplier · € amount", with its project and date', () => {
    const label = purchaseOrderRecordLabel(po());
    expect(label).toEqual({
      documentType: 'Purchase order',
      shortType: 'PO',
      number: '20011',
      counterparty: party.name,
      counterpartyCode: '40030',
      project: 'P26-001',
      date: '2026-06-12',
      amount: '39854.50',
      currency: 'EUR',
    });
    expect(recordTitle(label, 'nl-NL')).toBe('PO 20011 · Bouwmaterialen Groothandel Koster B.V. · €\u00a039.854,50');
    // A header total wins over the lines (Exact's own), as a decimal string.
    expect(purchaseOrderRecordLabel(po({ amount: '39854.5' })).amount).toBe('39854.50');
  });

  it('a supplier invoice by its own number with the amount incl. VAT; a credit note negative, as Coupa holds it', () => {
    const label = invoiceRecordLabel(invoice());
    expect(recordName(label)).toBe(`Supplier invoice F2026-00089 · ${party.name}`);
    expect(label).toMatchObject({ amount: '1492.33', currency: 'EUR', date: '2026-07-01', counterpartyCode: '40030' });
    const credit = invoiceRecordLabel(invoice({ documentType: 'credit-note', invoiceNumber: 'CN-7' }));
    expect(recordName(credit)).toBe(`Credit note CN-7 · ${party.name}`);
    expect(credit.amount).toBe('-1492.33');
    // Booked negative in Exact already: kept as it is.
    const negative = invoice({ documentType: 'credit-note', lines: [{ ...invoice().lines[0]!, amount: '-100.00', vatAmount: '-21.00' }] });
    expect(invoiceRecordLabel(negative).amount).toBe('-121.00');
  });

  it('suppliers by code and name, without an amount', () => {
    expect(recordName(supplierRecordLabel(supplier))).toBe(`Supplier 40030 · ${party.name}`);
    expect(supplierRecordLabel(supplier)).toMatchObject({ amount: null, currency: null, counterpartyCode: '40030' });
  });

  it('what is written in Coupa: "Coupa purchase order EX-20011 (id 123)", invoices, cancellations and suppliers', () => {
    const order = planned(planPurchaseOrder(po(), m, view, new Map()));
    const target = coupaTargetLabel(order, '123', names);
    expect(targetName(target)).toBe('Coupa purchase order EX-20011 (id 123)');
    expect(targetReference(target)).toBe('purchase order 123');
    expect(target).toMatchObject({ counterparty: 'Koster Groothandel', amount: '39854.50', currency: 'EUR', project: 'P26-001' });
    // Before it is written: by its number.
    expect(targetReference(coupaTargetLabel(order, null))).toBe('purchase order EX-20011');
    // Cancelled in Coupa: it commits nothing; a cancellation Coupa had nothing for has no id.
    expect(coupaTargetLabel(cancellationOf(order, order.sourceId), '', names)).toMatchObject({ amount: '0.00', id: null, number: 'EX-20011' });

    const inv = planned(planInvoice(invoice(), m, view, new Map(), new Map()));
    expect(targetName(coupaTargetLabel(inv, '88', names))).toBe('Coupa invoice F2026-00089 (id 88)');
    expect(coupaTargetLabel(inv, '88', names)).toMatchObject({ amount: '1492.33', counterparty: 'Koster Groothandel' });

    const s = planned(planSupplierToCoupa(supplier, m, { ...view, supplierByNumber: () => null }, null));
    expect(targetName(coupaTargetLabel(s, '12'))).toBe('Coupa supplier 40030 (id 12)');
    expect(coupaTargetLabel(s, '12')).toMatchObject({ amount: null, currency: null, counterparty: party.name });
  });

  it('describes stored snapshots of each kind, and nothing else', () => {
    expect(describeF5Record({ stream: 'purchase-orders' }, json(po()))?.number).toBe('20011');
    expect(describeF5Record({ entity: 'purchase-invoice' }, json(invoice()))?.number).toBe('F2026-00089');
    expect(describeF5Record({ stream: 'suppliers' }, json(supplier))?.number).toBe('40030');
    expect(describeF5Record({ stream: 'coupa-suppliers' }, json({ ...coupaSupplier, sourceId: '12' }))).toMatchObject({ documentType: 'Coupa supplier', number: '40030', counterparty: 'Koster Groothandel' });
    expect(describeF5Record({}, { OrderNumber: 'PO-26-0007' })).toBeNull();
    expect(describeF5Record({}, json({ ...po(), lines: [{ amount: '1,5' }] }))).toBeNull();
  });
});

describe('F5 record view: Exact beside Coupa', () => {
  it('a purchase order agrees field by field and line by line with what was sent', () => {
    const order = planned(planPurchaseOrder(po(), m, view, new Map()));
    const viewed = compareF5Record({ entity: 'purchase-order' }, json(po()), [{ entity: 'purchase-order', targetId: '123', payload: json(order), label: coupaTargetLabel(order, '123', names) }])!;
    expect(viewed).toMatchObject({ sourceTitle: 'Exact Online', targetTitle: 'Coupa', currency: 'EUR' });
    expect(viewed.fields.filter((f) => f.differs)).toEqual([]);
    expect(viewed.fields.find((f) => f.label === 'Supplier')).toMatchObject({ source: `40030 ${party.name}`, target: '40030 Koster Groothandel', compared: false });
    expect(viewed.fields.find((f) => f.label === 'Total excl. VAT')).toMatchObject({ source: '39854.50', target: '39854.50' });
    expect(viewed.lines.map((l) => [l.key, l.differs])).toEqual([
      ['1', []],
      ['2', []],
    ]);
    // The amount line shows no quantity in Coupa, which is not marked.
    expect(viewed.lines[1]!.target).toMatchObject({ quantity: null, amount: '854.50', coding: 'GL 4300' });
    expect(viewed.lines[0]!.source!['coding']).toBe('GL 4100 · cost center KST-14');
  });

  it('marks what changed in Exact since it was sent: an amount, a description, a line added', () => {
    const order = planned(planPurchaseOrder(po(), m, view, new Map()));
    const edited = po({ lines: [{ ...po().lines[0]!, amount: '39100.00', quantity: '1000', unitPrice: '39.10' }, { ...po().lines[1]!, description: 'Mortel (zakken)' }, { ...po().lines[1]!, lineNumber: 3, sourceLineId: 'l-3' }] });
    const viewed = compareF5Record({ entity: 'purchase-order' }, json(edited), [{ entity: 'purchase-order', targetId: '123', payload: json(order), label: null }])!;
    expect(viewed.fields.filter((f) => f.differs).map((f) => f.label)).toEqual(['Total excl. VAT']);
    expect(viewed.lines.map((l) => [l.key, l.differs])).toEqual([
      ['1', ['amount']],
      ['2', ['description']],
      ['3', ['description', 'quantity', 'unitPrice', 'amount', 'coding']],
    ]);
  });

  it('an invoice: numbers, dates, net, VAT and gross beside Coupa; a parked one shows nothing marked', () => {
    const inv = planned(planInvoice(invoice(), m, view, new Map(), new Map()));
    const viewed = compareF5Record({ entity: 'purchase-invoice' }, json(invoice()), [{ entity: 'purchase-invoice', targetId: '88', payload: json(inv), label: null }])!;
    expect(viewed.fields.filter((f) => f.differs)).toEqual([]);
    expect(viewed.fields.find((f) => f.label === 'Total incl. VAT')).toMatchObject({ source: '1492.33', target: '1492.33' });
    expect(viewed.lines.map((l) => l.differs)).toEqual([[], []]);
    const late = compareF5Record({ entity: 'purchase-invoice' }, json(invoice({ dueDate: '2026-08-15' })), [{ entity: 'purchase-invoice', targetId: '88', payload: json(inv), label: null }])!;
    expect(late.fields.filter((f) => f.differs).map((f) => f.label)).toEqual(['Due date']);

    const parked = compareF5Record({ stream: 'purchase-invoices' }, json(invoice()), [])!;
    expect(parked.fields.every((f) => f.target === null && !f.differs)).toBe(true);
    expect(parked.lines.every((l) => l.differs.length === 0)).toBe(true);
  });

  it('a credit note compares signed as Coupa holds it', () => {
    const credit = invoice({ documentType: 'credit-note', invoiceNumber: 'CN-7' });
    const originals = new Map([[credit.sourceId, { ok: true as const, invoiceNumber: 'F2026-00089', invoiceDate: '2026-07-01', via: 'mapping' as const }]]);
    const plan = planned(planInvoice(credit, m, view, originals, new Map()));
    const viewed = compareF5Record({ entity: 'purchase-invoice' }, json(credit), [{ entity: 'purchase-invoice', targetId: '89', payload: json(plan), label: null }])!;
    expect(viewed.fields.filter((f) => f.differs)).toEqual([]);
    expect(viewed.fields.find((f) => f.label === 'Corrects invoice')?.target).toBe('F2026-00089');
    expect(viewed.lines.map((l) => [l.source!['amount'], l.target!['amount'], l.differs])).toEqual([
      ['-1200.00', '-1200.00', []],
      ['-33.33', '-33.33', []],
    ]);
  });

  it('a supplier beside the Coupa supplier written for it', () => {
    const s = planned(planSupplierToCoupa(supplier, m, { ...view, supplierByNumber: () => null }, null));
    const viewed = compareF5Record({ entity: 'supplier' }, json(supplier), [{ entity: 'supplier', targetId: '12', payload: json(s), label: null }])!;
    expect(viewed.fields.map((f) => [f.label, f.source, f.differs])).toEqual([
      ['Code / number', '40030', false],
      ['Name', party.name, false],
      ['E-mail', 'inkoop@koster.nl', false],
      ['VAT number', 'NL001234567B01', false],
      ['Blocked', 'not blocked', false],
      ['Remit-to', null, false],
    ]);
    expect(compareF5Record({}, { OrderNumber: 1 }, [])).toBeNull();
  });
});
