import { describe, expect, it } from 'vitest';
import type { PurchaseOrder, SalesInvoice } from '../../../../src-shared/domain/records';
import { reconcile } from '../../reconcile/reconcile';
import { documentOf, type FinanceDocument } from './documents';
import type { DocumentType } from './model';
import { f4Comparisons, parkedKey, type BoardSeen, type F4ReconInput } from './reconcile';

/** "Do Exact and the boards agree?": each planted difference with its cause, totals to the cent. */

const po = (number: string, amount: string, extra: Partial<PurchaseOrder> = {}): FinanceDocument =>
  documentOf({
    kind: 'purchase-order',
    sourceId: `po-${number}`,
    number,
    supplier: { sourceId: 's1', code: '40001', name: 'Supplier 40001' },
    orderDate: '2026-06-01',
    description: '',
    currency: 'EUR',
    status: 'open',
    sourceVersion: '1',
    amount,
    vatAmount: '0.00',
    lines: [{ sourceLineId: `${number}-1`, lineNumber: 1, itemCode: null, glAccountCode: '4100', costCenterCode: null, costUnitCode: null, projectCode: 'P26-001', description: 'x', quantity: '1', unitPrice: amount, unit: null, amount }],
    ...extra,
  });

const invoice = (number: string, amount: string, extra: Partial<SalesInvoice> = {}): FinanceDocument =>
  documentOf({
    kind: 'sales-invoice',
    sourceId: `si-${number}`,
    invoiceNumber: number,
    documentType: 'invoice',
    customer: { sourceId: 'c1', code: '20001', name: 'Customer 20001' },
    invoiceDate: '2026-06-01',
    dueDate: null,
    currency: 'EUR',
    status: 'processed',
    yourRef: null,
    amount,
    vatAmount: '0.00',
    webUrl: '',
    sourceVersion: '1',
    lines: [],
    ...extra,
  });

const item = (id: string, amount: string | null, duplicates: { itemId: string; amount: string | null }[] = []) => ({ itemId: id, amount, duplicates });
const board = (items: [string, ReturnType<typeof item>][], extra: Partial<BoardSeen> = {}): BoardSeen => ({
  boardName: 'Purchase orders',
  policy: { whenCancelled: 'archive', whenDeleted: 'archive' },
  hasAmount: true,
  items: new Map(items),
  ...extra,
});
const written = (sourceId: string, total: string, documentType: DocumentType = 'purchase-order', action: 'upsert' | 'archive' = 'upsert') =>
  [sourceId, { documentType, action, total, currency: 'EUR', name: sourceId.slice(3), itemId: `i-${sourceId}` }] as [string, F4ReconInput['written'] extends ReadonlyMap<string, infer V> ? V : never];

const report = (i: F4ReconInput) => reconcile({ flow: 'f4', title: 'Exact Online → monday.com', generatedAt: '2026-07-01T00:00:00Z', apiCalls: {} }, f4Comparisons(i));
const causes = (i: F4ReconInput) => Object.fromEntries(report(i).records.map((r) => [r.documentNumber, [r.cause, r.difference]]));

describe('F4 reconciliation: document amounts beside the items\' amount column, each difference with its cause', () => {
  it('explains every planted difference, on two boards', () => {
    const input: F4ReconInput = {
      types: new Map([
        [
          'purchase-order',
          {
            documents: [
              po('20001', '100.00'), // agrees
              po('20002', '500.00'), // parked, no item
              po('20003', '120.00'), // edited in Exact since
              po('20004', '100.00'), // amount edited on the board
              po('20005', '75.00'), // not synced yet
              po('20006', '60.00'), // item archived by hand
              po('20007', '80.00', { status: 'cancelled' }), // cancelled, archived by the sync
              po('20008', '90.00', { status: 'cancelled' }), // cancelled before written; an item made by hand
              po('20009', '40.00'), // deleted in Exact
              po('20010', '10.00'), // agrees, plus a copy of its item
            ],
            deleted: new Set(['po-20009']),
            board: board([
              ['po-20001', item('1', '100')],
              ['po-20003', item('3', '100.00')],
              ['po-20004', item('4', '150.00')],
              ['po-20008', item('8', '90.00')],
              ['po-20009', item('9', '40.00')],
              ['po-20010', item('10', '10.00', [{ itemId: '11', amount: '10.00' }])],
            ]),
          },
        ],
        ['sales-invoice', { documents: [invoice('26100001', '-50.00', { documentType: 'credit-note' })], deleted: new Set(), board: board([['si-26100001', item('21', '-50.00')]], { boardName: 'Sales invoices' }) }],
      ]),
      unreadable: [],
      parked: new Map([[parkedKey('purchase-orders', 'po-20002'), 'the board has no group "topics" any more']]),
      written: new Map([
        written('po-20001', '100.00'),
        written('po-20003', '100.00'),
        written('po-20004', '100.00'),
        written('po-20006', '60.00'),
        written('po-20007', '80.00', 'purchase-order', 'archive'),
        written('po-20009', '40.00'),
        written('po-20010', '10.00'),
        written('si-26100001', '-50.00', 'sales-invoice'),
      ]),
    };
    expect(causes(input)).toEqual({
      '20001': [null, '0.00'],
      '20002': ['parked', '-500.00'],
      '20003': ['not-yet-synced', '-20.00'],
      '20004': ['changed-in-target', '50.00'],
      '20005': ['not-yet-synced', '-75.00'],
      '20006': ['changed-in-target', '-60.00'],
      '20007': [null, '0.00'],
      '20008 (on the board only)': ['changed-in-target', '90.00'],
      '20009': ['deleted-at-source', '40.00'],
      '20010': [null, '0.00'],
      '20010 (duplicate item 11)': ['changed-in-target', '10.00'],
      '26100001': [null, '0.00'],
    });
    const r = report(input);
    expect(r.unexplained).toBe(0);
    expect(r.records.find((x) => x.documentNumber === '26100001')?.documentType).toBe('Credit note');
    expect(r.totals).toMatchObject([{ currency: 'EUR', expected: '915.00', actual: '450.00', difference: '-465.00' }]);
  });

  it('a board without an amount column compares items by being there; a deleted document keeps its item under the "label" policy', () => {
    const input: F4ReconInput = {
      types: new Map([['purchase-order', { documents: [po('20001', '100.00'), po('20002', '50.00')], deleted: new Set(), board: board([['po-20001', item('1', null)], ['po-20009', item('9', null)]], { hasAmount: false, policy: { whenCancelled: 'label', whenDeleted: 'label' } }) }]]),
      unreadable: [{ type: 'purchase-order', sourceId: 'po-bad', label: 'Purchase order 20099', problem: 'its amount is not a number' }],
      parked: new Map(),
      written: new Map([written('po-20001', '100.00'), written('po-20009', '40.00')]),
    };
    expect(causes(input)).toEqual({ '20001': [null, '0.00'], '20002': ['not-yet-synced', '-50.00'], '20009': [null, '0.00'], '': [null, '0.00'] });
  });
});
