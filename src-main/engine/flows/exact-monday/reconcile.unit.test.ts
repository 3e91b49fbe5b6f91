import { describe, expect, it } from 'vitest';
import type { PurchaseOrder, SalesInvoice } from '../../../../src-shared/domain/records';
import { reconcile } from '../../reconcile/reconcile';
import { documentOf, type FinanceDocument } from './documents';
import type { DocumentType } from './model';
import { boardItemsByKey, F4_SYSTEMS, f4Comparisons, mondayOnlyCurrency, parkedKey, type BoardSeen, type F4ReconInput, type ListedItem } from './reconcile';

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

const report = (i: F4ReconInput) => reconcile({ flow: 'f4', title: 'Exact Online → monday.com', generatedAt: '2026-07-01T00:00:00Z', apiCalls: {}, systems: F4_SYSTEMS }, f4Comparisons(i));
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

const listed = (itemId: string, key: string | null, amount: string | null, name = `Item ${itemId}`, currency: string | null = null): ListedItem => ({ itemId, name, key, amount, currency });

/** A board read whole: the items by the keys the flow knows, and every live item. */
const wholeBoard = (all: ListedItem[], keys: string[], extra: Partial<BoardSeen> = {}): BoardSeen => board([], { items: boardItemsByKey(all, new Set(keys)), listed: all, ...extra });

describe('F4 reconciliation: a board read whole lists the items in monday.com only', () => {
  it('boardItemsByKey: the oldest live item under a known key is its item, the others copies; unknown and empty keys are no document\'s', () => {
    const byKey = boardItemsByKey([listed('1000', 'po-2', '5.00'), listed('999', 'po-2', '6.00'), listed('7', 'po-1', null), listed('8', null, '1.00'), listed('9', 'typed', '2.00')], new Set(['po-1', 'po-2']));
    expect(Object.fromEntries(byKey)).toEqual({
      'po-1': { itemId: '7', amount: null, duplicates: [] },
      'po-2': { itemId: '999', amount: '6.00', duplicates: [{ itemId: '1000', amount: '5.00' }] },
    });
  });

  it('an item typed in by hand, one whose key was cleared, one under a deleted document\'s key: each once, with name, board, key and amount', () => {
    const all = [
      listed('1', 'po-20001', '100.00'), // agrees
      listed('3', null, '50.00', '20002'), // its key cleared by hand: the document has no item, the item shows with no key
      listed('4', 'po-20001', '100.00'), // a copy: compared under its document, not listed again
      listed('5', 'PO 7777', '12.34', 'Typed by hand'), // typed in by hand
      listed('6', 'po-20009', '40.00'), // a document deleted in Exact before the app wrote it
      listed('7', null, null, 'Empty row'), // no key, no amount
    ];
    const input: F4ReconInput = {
      types: new Map([['purchase-order', { documents: [po('20001', '100.00'), po('20002', '50.00'), po('20009', '40.00')], deleted: new Set(['po-20009']), board: wholeBoard(all, ['po-20001', 'po-20002', 'po-20009']) }]]),
      unreadable: [],
      parked: new Map(),
      written: new Map([written('po-20001', '100.00'), written('po-20002', '50.00')]),
    };
    const r = report(input);
    expect(causes(input)).toEqual({
      '20001': [null, '0.00'],
      '20001 (duplicate item 4)': ['changed-in-target', '100.00'],
      '20002': ['changed-in-target', '-50.00'],
      '20002 on board Purchase orders (no key)': ['target-only', '50.00'],
      'Typed by hand on board Purchase orders (key PO 7777)': ['target-only', '12.34'],
      'Item 6 on board Purchase orders (key of Purchase order 20009)': ['target-only', '40.00'],
      'Empty row on board Purchase orders (no key)': ['target-only', '0.00'],
    });
    const only = r.records.filter((x) => x.cause === 'target-only');
    expect(only.map((x) => [x.documentType, x.targetId, x.targetKey, x.expected, x.actual, x.currency, x.explanation])).toEqual([
      ['monday.com item', '3', '', null, '50.00', 'EUR', 'in monday.com only — not from Exact Online'],
      ['monday.com item', '7', '', null, '0.00', 'EUR', 'in monday.com only — not from Exact Online'],
      ['monday.com item', '6', 'po-20009', null, '40.00', 'EUR', 'in monday.com only — not from Exact Online'],
      ['monday.com item', '5', 'PO 7777', null, '12.34', 'EUR', 'in monday.com only — not from Exact Online'],
    ]);
    // Explained, not unexplained; each its own document in the totals.
    expect(r.unexplained).toBe(0);
    expect(r.totals).toMatchObject([{ expected: '150.00', actual: '302.34', documents: 6, differing: 6, causes: { 'changed-in-target': 2, 'target-only': 4 } }]);
  });

  it('a clean board read whole lists nothing in monday.com only', () => {
    const all = [listed('1', 'po-20001', '100.00'), listed('2', 'po-20002', '50.00')];
    const input: F4ReconInput = {
      types: new Map([['purchase-order', { documents: [po('20001', '100.00'), po('20002', '50.00')], deleted: new Set(), board: wholeBoard(all, ['po-20001', 'po-20002']) }]]),
      unreadable: [],
      parked: new Map(),
      written: new Map([written('po-20001', '100.00'), written('po-20002', '50.00')]),
    };
    expect(report(input).records.map((x) => x.cause)).toEqual([null, null]);
  });

  it('the currency of an item in monday.com only: its own currency column, else the board\'s matched items\' majority, else EUR', () => {
    expect(mondayOnlyCurrency({ currency: 'USD' }, new Map([['EUR', 5]]))).toBe('USD');
    expect(mondayOnlyCurrency({ currency: null }, new Map([['EUR', 1], ['GBP', 3]]))).toBe('GBP');
    expect(mondayOnlyCurrency({ currency: null }, new Map([['USD', 2], ['GBP', 2]]))).toBe('GBP');
    expect(mondayOnlyCurrency({ currency: null }, new Map())).toBe('EUR');
    // In the comparisons: a USD board's hand-typed item is in USD; a board without a matched item falls back to EUR.
    const usd = (n: string, a: string) => po(n, a, { currency: 'USD' });
    const input: F4ReconInput = {
      types: new Map([
        ['purchase-order', { documents: [usd('20001', '10.00'), usd('20002', '20.00'), po('20003', '30.00')], deleted: new Set(), board: wholeBoard([listed('1', 'po-20001', '10.00'), listed('2', 'po-20002', '20.00'), listed('3', 'po-20003', '30.00'), listed('4', 'x', '1.00'), listed('5', 'y', '2.00', 'Priced', 'CHF')], ['po-20001', 'po-20002', 'po-20003']) }],
        ['sales-invoice', { documents: [], deleted: new Set(), board: wholeBoard([listed('21', null, '3.00')], [], { boardName: 'Sales invoices' }) }],
      ]),
      unreadable: [],
      parked: new Map(),
      written: new Map(),
    };
    expect(report(input).records.filter((x) => x.cause === 'target-only').map((x) => [x.targetId, x.currency])).toEqual(
      expect.arrayContaining([
        ['4', 'USD'],
        ['5', 'CHF'],
        ['21', 'EUR'],
      ]),
    );
  });

  it('a board without an amount column lists its monday-only items at 0.00 (there, nothing to total)', () => {
    const input: F4ReconInput = {
      types: new Map([['purchase-order', { documents: [], deleted: new Set(), board: wholeBoard([listed('1', 'typed', null)], [], { hasAmount: false }) }]]),
      unreadable: [],
      parked: new Map(),
      written: new Map(),
    };
    expect(causes(input)).toEqual({ 'Item 1 on board Purchase orders (key typed)': ['target-only', '0.00'] });
  });
});
