import { describe, expect, it } from 'vitest';
import type { PurchaseInvoice, PurchaseOrder } from '../../../../src-shared/domain/records';
import type { CoupaInvoice, CoupaPurchaseOrder } from '../../../connectors/coupa';
import { reconcile } from '../../reconcile/reconcile';
import { DEFAULT_POLICY, type PlannedInvoice, type PlannedPurchaseOrder } from './model';
import { f5Comparisons, parkedKey, writtenKey, type F5ReconInput } from './reconcile';

/** "Do Exact and Coupa agree?": each planted difference with its cause, totals to the cent. */

const party = (code: string) => ({ sourceId: `s-${code}`, code, name: `Supplier ${code}` });

function po(number: string, amounts: string[], extra: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    kind: 'purchase-order',
    sourceId: `po-${number}`,
    number,
    supplier: party('40001'),
    orderDate: '2026-06-01',
    description: '',
    currency: 'EUR',
    status: 'open',
    sourceVersion: '1',
    lines: amounts.map((amount, i) => ({ sourceLineId: `${number}-${i}`, lineNumber: i + 1, itemCode: null, glAccountCode: '4100', costCenterCode: null, costUnitCode: null, projectCode: 'P26-001', description: 'x', quantity: '1', unitPrice: amount, unit: null, amount })),
    ...extra,
  };
}

function entry(number: string, net: string, vat: string, extra: Partial<PurchaseInvoice> = {}): PurchaseInvoice {
  return {
    kind: 'purchase-invoice',
    sourceId: `pe-${number}`,
    entryNumber: `267${number}`,
    invoiceNumber: number,
    supplier: party('40001'),
    invoiceDate: '2026-07-01',
    dueDate: null,
    description: '',
    currency: 'EUR',
    documentType: 'invoice',
    status: 'open',
    sourceVersion: '1',
    lines: [{ sourceLineId: `${number}-1`, lineNumber: 1, glAccountCode: '4100', costCenterCode: null, costUnitCode: null, projectCode: null, description: 'x', amount: net, vatAmount: vat }],
    ...extra,
  };
}

const coupaPo = (poNumber: string, total: string, status = 'draft'): CoupaPurchaseOrder => ({
  id: `c-${poNumber}`,
  poNumber,
  status,
  version: 1,
  exported: false,
  supplier: { id: '1', number: '40001', name: 'Supplier 40001' },
  currency: 'EUR',
  shipToUserLogin: null,
  shipToAddressCode: null,
  lines: [],
  total,
  updatedAt: null,
});

const coupaInvoice = (invoiceNumber: string, gross: string, status = 'pending_approval'): CoupaInvoice => ({
  id: `ci-${invoiceNumber}`,
  invoiceNumber,
  invoiceDate: '2026-07-01',
  supplier: { id: '1', number: '40001', name: null },
  currency: 'EUR',
  status,
  paid: false,
  exported: false,
  isCreditNote: false,
  originalInvoiceNumber: null,
  originalInvoiceDate: null,
  lineLevelTaxation: true,
  remitToCode: null,
  billToLocationCode: null,
  net: gross,
  tax: '0.00',
  gross,
  lines: [],
  updatedAt: null,
});

type Written = [string, { sourceId: string; containerId: string | null; payload: PlannedPurchaseOrder | PlannedInvoice }];
const writtenPo = (number: string, total: string, containerId: 'open' | 'cancelled' = 'open'): Written =>
  [writtenKey('purchase-order', `EX-${number}`), { sourceId: `po-${number}`, containerId, payload: { entity: 'purchase-order', originId: `EX-${number}`, orderNumber: number, total, currency: 'EUR', lines: [{ originId: '1', amount: total }] } as unknown as PlannedPurchaseOrder }];
const writtenInvoice = (number: string, total: string): Written =>
  [writtenKey('purchase-invoice', `40001/${number}`), { sourceId: `pe-${number}`, containerId: 'coupa', payload: { entity: 'purchase-invoice', originId: `40001/${number}`, total, currency: 'EUR', input: { invoiceNumber: number, supplier: { number: '40001' }, creditNote: null }, lines: [] } as unknown as PlannedInvoice }];

function input(extra: Partial<F5ReconInput>): F5ReconInput {
  return {
    mappings: { policy: DEFAULT_POLICY, supplierLinks: new Map() },
    orders: [],
    deletedOrders: new Set(),
    invoices: [],
    unreadable: [],
    coupaOrders: new Map(),
    coupaInvoices: new Map(),
    parked: new Map(),
    written: new Map(),
    ...extra,
  };
}

const report = (i: F5ReconInput) => reconcile({ flow: 'f5', title: 'Exact Online → Coupa', generatedAt: '2026-07-01T00:00:00Z', apiCalls: {} }, f5Comparisons(i));
const causes = (i: F5ReconInput) => Object.fromEntries(report(i).records.map((r) => [r.documentNumber, [r.cause, r.difference]]));

describe('F5 reconciliation: Exact totals beside Coupa PO totals and invoice gross, each difference with its cause', () => {
  it('explains every planted difference', () => {
    const i = input({
      orders: [
        po('20001', ['100.00', '20.50']), // agrees
        po('20002', ['500.00']), // parked, never written
        po('20003', ['120.00']), // edited in Exact since the sync
        po('20004', ['100.00']), // edited in Coupa by hand
        po('20005', ['75.00']), // never synced, not in Coupa
        po('20006', ['60.00']), // written, gone from Coupa
        po('20007', ['80.00'], { status: 'cancelled' }), // cancelled, and cancelled in Coupa
        po('20008', ['90.00'], { status: 'cancelled' }), // cancelled before sent; keyed in Coupa by hand
        po('20009', ['40.00']), // deleted in Exact (sync/Deleted)
      ],
      deletedOrders: new Set(['po-20009']),
      invoices: [
        entry('F-1', '1000.00', '210.00'), // agrees (gross)
        entry('F-2', '100.00', '21.00'), // approved in Coupa before the sync: parked, same amount
        entry('F-3', '50.00', '10.50', { status: 'rejected' }), // rejected before sent, in Coupa
      ],
      coupaOrders: new Map([
        ['EX-20001', coupaPo('EX-20001', '120.50')],
        ['EX-20003', coupaPo('EX-20003', '100.00')],
        ['EX-20004', coupaPo('EX-20004', '150.00')],
        ['EX-20007', coupaPo('EX-20007', '80.00', 'cancelled')],
        ['EX-20008', coupaPo('EX-20008', '90.00')],
        ['EX-20009', coupaPo('EX-20009', '40.00')],
      ]),
      coupaInvoices: new Map([
        ['40001/F-1', coupaInvoice('F-1', '1210.00')],
        ['40001/F-2', coupaInvoice('F-2', '121.00', 'approved')],
        ['40001/F-3', coupaInvoice('F-3', '60.50')],
      ]),
      parked: new Map([
        [parkedKey('purchase-orders', 'po-20002'), 'GL 4999 has no Coupa account mapping'],
        [parkedKey('purchase-invoices', 'pe-F-2'), 'already in Coupa and approved there'],
      ]),
      written: new Map([
        writtenPo('20001', '120.50'),
        writtenPo('20003', '100.00'),
        writtenPo('20004', '100.00'),
        writtenPo('20006', '60.00'),
        writtenPo('20007', '80.00', 'cancelled'),
        writtenPo('20009', '40.00'),
        writtenInvoice('F-1', '1210.00'),
      ]),
    });
    expect(causes(i)).toEqual({
      '20001': [null, '0.00'],
      '20002': ['parked', '-500.00'],
      '20003': ['not-yet-synced', '-20.00'],
      '20004': ['changed-in-target', '50.00'],
      '20005': ['not-yet-synced', '-75.00'],
      '20006': ['changed-in-target', '-60.00'],
      '20007': [null, '0.00'],
      '20008 (in Coupa only)': ['changed-in-target', '90.00'],
      '20009': ['deleted-at-source', '40.00'],
      'F-1': [null, '0.00'],
      'F-2': [null, '0.00'],
      'F-3 (in Coupa only)': ['changed-in-target', '60.50'],
    });
    const r = report(i);
    expect(r.unexplained).toBe(0);
    expect(r.records.find((x) => x.documentNumber === '20002')!.explanation).toBe('waits in Pending validation: GL 4999 has no Coupa account mapping');
    // Totals per currency, exactly: Exact (what Coupa should hold) vs Coupa.
    expect(r.totals).toMatchObject([{ currency: 'EUR', expected: '2306.50', actual: '1892.00', difference: '-414.50' }]);
    // Coupa's ids, and a cancelled PO says so.
    expect(r.records.find((x) => x.documentNumber === '20007')!.targetId).toBe('c-EX-20007, cancelled');
    expect(r.byCounterparty.map((g) => g.label)).toEqual(['Supplier 40001', '(no counterparty)']);
  });

  it('a credit note is expected negative; a PO line amount counts to the cent; linked suppliers key invoices by their Coupa number', () => {
    const credit = entry('CN-1', '100.00', '21.00', { documentType: 'credit-note' });
    const i = input({
      mappings: { policy: DEFAULT_POLICY, supplierLinks: new Map([['40001', 'C-9']]) },
      orders: [po('20010', ['10.004', '10.004'])],
      invoices: [credit],
      coupaOrders: new Map([['EX-20010', coupaPo('EX-20010', '20.00')]]),
      coupaInvoices: new Map([['C-9/CN-1', { ...coupaInvoice('CN-1', '-121.00'), isCreditNote: true }]]),
    });
    const r = report(i);
    expect(r.records.map((x) => [x.documentNumber, x.targetKey, x.expected, x.actual, x.cause])).toEqual([
      ['CN-1', 'C-9/CN-1', '-121.00', '-121.00', null],
      ['20010', 'EX-20010', '20.00', '20.00', null],
    ]);
  });

  it('under the "leave" policy a cancelled or deleted PO is expected as it was last written', () => {
    const i = input({
      mappings: { policy: { ...DEFAULT_POLICY, cancelledPurchaseOrders: 'leave' }, supplierLinks: new Map() },
      orders: [po('20007', ['80.00'], { status: 'cancelled' })],
      coupaOrders: new Map([
        ['EX-20007', coupaPo('EX-20007', '80.00')],
        ['EX-20009', coupaPo('EX-20009', '40.00')],
      ]),
      written: new Map([writtenPo('20007', '80.00'), writtenPo('20009', '40.00')]),
    });
    expect(causes(i)).toEqual({ '20007': [null, '0.00'], '20009': [null, '0.00'] });
  });

  it('a Coupa PO or invoice under a number no Exact document has and the app never wrote is "in Coupa only", changed there by hand; a cancelled one commits nothing', () => {
    const i = input({
      orders: [po('20001', ['100.00'])],
      coupaOrders: new Map([
        ['EX-20001', coupaPo('EX-20001', '100.00')],
        ['EX-HAND-1', coupaPo('EX-HAND-1', '250.00')],
        ['EX-HAND-2', coupaPo('EX-HAND-2', '75.00', 'cancelled')],
      ]),
      coupaInvoices: new Map([['40001/F-HAND', coupaInvoice('F-HAND', '121.00')]]),
    });
    const records = report(i).records.filter((r) => r.cause !== null);
    expect(records.map((r) => [r.documentType, r.documentNumber, r.expected, r.actual, r.cause, r.counterparty, r.sourceId])).toEqual([
      ['Purchase order', 'EX-HAND-1 (in Coupa only)', '0.00', '250.00', 'changed-in-target', 'Supplier 40001', 'coupa:purchase-order:c-EX-HAND-1'],
      ['Supplier invoice', 'F-HAND (in Coupa only)', '0.00', '121.00', 'changed-in-target', null, 'coupa:purchase-invoice:ci-F-HAND'],
    ]);
  });
});
