import { describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../../src-shared/domain/records';
import type { UnreadableSourceRow } from '../connector';
import { mapPurchaseEntries, mapPurchaseOrderDocuments } from './index';
import { PURCHASE_ORDER_KEY } from './mappers';
import { mapSalesOrders } from './sales';
import { foldedFeedPages } from './streams';
import type { WirePurchaseEntry, WirePurchaseOrderSyncRow, WireSalesOrder } from './wire';

/**
 * Rows the fuzz suite (test/fuzz, issue 18) found stopping a whole read or vanishing: each now
 * parks its one document with a reason that names it and says what to do, and the rest of the
 * page is read.
 */
const row = (fields: Record<string, unknown>): WirePurchaseOrderSyncRow =>
  ({ Timestamp: 5, ID: 'l1', PurchaseOrderID: 'po1', OrderNumber: 20011, OrderDate: '/Date(0)/', OrderStatus: 10, Supplier: 's', SupplierCode: '25', SupplierName: 'Koster', Currency: 'EUR', Modified: '/Date(0)/', LineNumber: 1, Quantity: 1, UnitPrice: 1, AmountFC: 1, ...fields }) as WirePurchaseOrderSyncRow;
const good = row({ Timestamp: 9, ID: 'g1', PurchaseOrderID: 'po-good', OrderNumber: 20012 });

async function read(rows: WirePurchaseOrderSyncRow[]): Promise<{ records: PurchaseOrder[]; unreadable: UnreadableSourceRow[]; cursors: string[] }> {
  const out = { records: [] as PurchaseOrder[], unreadable: [] as UnreadableSourceRow[], cursors: [] as string[] };
  for await (const page of foldedFeedPages((async function* () { yield rows; })(), 1n, PURCHASE_ORDER_KEY)) {
    const mapped = mapPurchaseOrderDocuments(page.documents, { items: new Map(), webUrl: () => '' });
    out.records.push(...mapped.records);
    out.unreadable.push(...page.unreadable, ...mapped.unreadable);
    out.cursors.push(page.cursorAfter);
  }
  return out;
}

describe('Exact purchase-order rows the fuzz suite found', () => {
  it.each([
    ['a code sent as a number (was: TypeError code.trim is not a function)', { SupplierCode: 25 }, /field SupplierCode is 25 where Exact sends a text/],
    ['a description sent as an object (was: TypeError … trim is not a function)', { Description: {} }, /field Description is a group of fields where Exact sends a text/],
    ['a date beyond what a calendar holds (was: RangeError Invalid time value)', { OrderDate: '/Date(9000000000000000)/' }, /field OrderDate is a date out of range/],
    ['a row without its Timestamp (was: the whole read stopped)', { Timestamp: null }, /field Timestamp is missing/],
    ['a row with a malformed Modified (was: the whole read stopped)', { Modified: 'yesterday' }, /field Modified is not an Exact date/],
  ])('%s: parks the order, reads the rest', async (_what, fields, reason) => {
    const result = await read([row(fields), good]);
    expect(result.records.map((r) => r.sourceId)).toEqual(['po-good']);
    expect(result.unreadable).toHaveLength(1);
    expect(result.unreadable[0]!.sourceId).toBe('po1');
    expect(result.unreadable[0]!.label).toBe('Purchase order 20011');
    expect(result.unreadable[0]!.problem).toMatch(reason);
    expect(result.unreadable[0]!.problem).toMatch(/Correct it in Exact Online/);
  });

  it('parks a row naming no purchase order (was: silently dropped) and folds no order without one of its rows', async () => {
    const result = await read([row({ PurchaseOrderID: null, ID: 'orphan' }), row({ ID: 'l2', Timestamp: 6, LineNumber: 2, AmountFC: 'x' }), row({}), good]);
    expect(result.records.map((r) => r.sourceId)).toEqual(['po-good']);
    expect(result.unreadable.map((u) => u.sourceId).sort()).toEqual(['po1', 'purchase-order-without-PurchaseOrderID:orphan']);
    expect(result.cursors.at(-1)).toBe('9');
  });
});

describe('Exact purchase entries the fuzz suite found', () => {
  const entry = (fields: Record<string, unknown>): WirePurchaseEntry =>
    ({ EntryID: 'e1', EntryNumber: 7, YourRef: 'INV-1', Supplier: 's', SupplierName: 'n', EntryDate: '/Date(0)/', Currency: 'EUR', Modified: '/Date(0)/', PurchaseEntryLines: [{ ID: 'x', LineNumber: 1, AmountFC: 1, VATAmountFC: 0 }], ...fields }) as WirePurchaseEntry;
  const lookups = { supplierCodes: new Map([['s', '25']]), projectCodes: new Map<string, string>() };

  it.each([
    ['a null line (was: TypeError reading ID of null)', { PurchaseEntryLines: [null] }, /a line without a LineNumber: field \(the row itself\) is empty, not a record/],
    ['an entry number sent as text and a supplier as a list', { Supplier: ['s'] }, /field Supplier is a list where Exact sends a text/],
  ])('%s: parks the entry', (_what, fields, reason) => {
    const result = mapPurchaseEntries([entry(fields), entry({ EntryID: 'e2', EntryNumber: 8 })], lookups);
    expect(result.records.map((r) => r.sourceId)).toEqual(['e2']);
    expect(result.unreadable[0]!.label).toBe('Purchase entry 7');
    expect(result.unreadable[0]!.problem).toMatch(reason);
  });

  it('quotes a 5,000-character key cut short (was: the whole key in the reason), and names an entry without number by its invoice', () => {
    const result = mapPurchaseEntries([entry({ Supplier: 'W'.repeat(5000), SupplierName: 'N'.repeat(5000) }), entry({ EntryID: null, EntryNumber: null, YourRef: 'INV-77' })], lookups);
    expect(result.unreadable[0]!.problem).toMatch(/refers to supplier "N{59}…", which was not found/);
    expect(result.unreadable[0]!.problem.length).toBeLessThan(300);
    expect(result.unreadable[1]!.label).toBe('Purchase entry for supplier invoice INV-77');
  });

  it('parks a null entry in the list instead of stopping the read', () => {
    const result = mapPurchaseEntries([null as unknown as WirePurchaseEntry, entry({})], lookups);
    expect(result.records).toHaveLength(1);
    expect(result.unreadable[0]!.sourceId).toBe('purchase-entry-without-id:?');
  });
});

describe('Exact code tables take only their own codes', () => {
  it('an entry Status "constructor" sets no status (was: a function taken as the status)', () => {
    const result = mapPurchaseEntries([{ EntryID: 'e1', EntryNumber: 7, YourRef: 'INV-1', Supplier: 's', SupplierName: 'n', EntryDate: '/Date(0)/', Currency: 'EUR', Modified: '/Date(0)/', Status: 'constructor', PurchaseEntryLines: [{ ID: 'x', LineNumber: 1, AmountFC: 1, VATAmountFC: 0 }] } as unknown as WirePurchaseEntry], { supplierCodes: new Map([['s', '25']]), projectCodes: new Map() });
    expect(result.records[0]!.status).toBeUndefined();
  });
});

describe('Exact sales orders the fuzz suite found', () => {
  const context = { accountCodes: new Map(), glAccounts: new Map(), items: new Map(), webUrl: () => '' };
  it('an OrderID that is no text parks the order by its number, not under the number 0 as its key (was: lost)', () => {
    const result = mapSalesOrders([{ OrderID: 0, OrderNumber: 30010 } as unknown as WireSalesOrder], context);
    expect(result.unreadable.map((u) => [u.sourceId, u.label])).toEqual([['sales-order-without-id:30010', 'Sales order 30010']]);
  });
  it('a huge OrderNumber text is cut in the label (was: 60,000 characters in Pending validation)', () => {
    const result = mapSalesOrders([{ OrderID: 'so1', OrderNumber: 'W'.repeat(60_000) } as unknown as WireSalesOrder], context);
    expect(result.unreadable[0]!.label.length).toBeLessThan(80);
    expect(`${result.unreadable[0]!.label} ${result.unreadable[0]!.problem}`.length).toBeLessThan(400);
  });
});

describe('huge keys in Exact reasons (found by the fuzz suite)', () => {
  it('a document key of pages of text is cut in the label and the reason', async () => {
    const huge = 'W'.repeat(40_000);
    const result = await read([row({ PurchaseOrderID: huge, OrderNumber: null, LineNumber: 'x' })]);
    expect(result.unreadable).toHaveLength(1);
    expect(`${result.unreadable[0]!.label} ${result.unreadable[0]!.problem}`.length).toBeLessThan(500);
  });
});
