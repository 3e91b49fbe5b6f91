import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src-shared/domain/money';
import {
  ExactMappingError,
  foldPurchaseOrderRows,
  mapDeletedPurchaseOrder,
  mapOrderStatus,
  mapPurchaseEntry,
  mapPurchaseOrder,
  splitAtPageBoundary,
  trimCode,
  wireDateToIsoDate,
  wireDateToIsoDateTime,
  wireMoney,
  wireTimestamp,
} from './mappers';
import type { WirePurchaseEntry, WirePurchaseOrderSyncRow } from './wire';

const PO = '11111111-1111-4111-8111-111111111111';
const PO2 = '22222222-2222-4222-8222-222222222222';
const ITEM = '33333333-3333-4333-8333-333333333333';
const SUPPLIER = '44444444-4444-4444-8444-444444444444';
const PROJECT = '55555555-5555-4555-8555-555555555555';
const MAY_1 = Date.UTC(2026, 4, 1);
const MAY_2 = Date.UTC(2026, 4, 2, 13, 45, 12, 345);

function row(overrides: Partial<WirePurchaseOrderSyncRow>): WirePurchaseOrderSyncRow {
  return {
    Timestamp: 100,
    ID: 'line-a',
    PurchaseOrderID: PO,
    OrderNumber: 20001,
    OrderDate: `/Date(${MAY_1})/`,
    OrderStatus: 10,
    Supplier: SUPPLIER,
    SupplierCode: '             40006',
    SupplierName: 'Northern Steel ',
    Currency: 'EUR',
    YourRef: 'Contract 7',
    Modified: `/Date(${MAY_1})/`,
    LineNumber: 1,
    Item: ITEM,
    ItemCode: 'STL-1',
    Description: 'Steel beams',
    Quantity: 3,
    UnitPrice: 0.1,
    Unit: 'pc',
    AmountFC: 0.3,
    CostCenterCode: 'KST-1',
    CostUnitCode: null,
    ProjectCode: 'P26-004',
    ...overrides,
  };
}

const glByItem = new Map([[ITEM, '4010']]);

describe('foldPurchaseOrderRows', () => {
  it('keeps the row with the highest Timestamp when a line appears several times, whatever the row order', () => {
    const folded = foldPurchaseOrderRows([
      row({ Timestamp: 105, ID: 'line-a', Quantity: 5, AmountFC: 0.5 }),
      row({ Timestamp: 101, ID: 'line-a', Quantity: 1, AmountFC: 0.1 }),
      row({ Timestamp: 102, ID: 'line-b', LineNumber: 2 }),
    ]);
    const po = folded.get(PO)!;
    expect(po.lines.map((l) => [l.ID, l.Timestamp])).toEqual([
      ['line-a', 105],
      ['line-b', 102],
    ]);
    expect(po.maxTimestamp).toBe(105n);
    expect(po.header.Timestamp).toBe(105);
  });

  it('drops a line that the newest version of the order no longer carries (removed line absent)', () => {
    const v1 = `/Date(${MAY_1})/`;
    const v2 = `/Date(${MAY_2})/`;
    const folded = foldPurchaseOrderRows([
      row({ Timestamp: 101, ID: 'line-a', Modified: v1 }),
      row({ Timestamp: 102, ID: 'line-b', LineNumber: 2, Modified: v1 }),
      row({ Timestamp: 103, ID: 'line-c', LineNumber: 3, Modified: v1 }),
      row({ Timestamp: 201, ID: 'line-a', Modified: v2 }),
      row({ Timestamp: 202, ID: 'line-b', LineNumber: 2, Modified: v2 }),
    ]);
    expect(folded.get(PO)!.lines.map((l) => l.ID)).toEqual(['line-a', 'line-b']);
  });

  it('keeps orders apart', () => {
    const folded = foldPurchaseOrderRows([
      row({ Timestamp: 1 }),
      row({ Timestamp: 2, PurchaseOrderID: PO2, ID: 'x' }),
    ]);
    expect([...folded.keys()].sort()).toEqual([PO, PO2]);
  });

  it('refuses a row without PurchaseOrderID, naming the field', () => {
    expect(() => foldPurchaseOrderRows([row({ PurchaseOrderID: null })])).toThrow(
      /field PurchaseOrderID is missing/,
    );
  });
});

describe('mapPurchaseOrder', () => {
  it('maps header, status, trimmed supplier code, ISO date, the item G/L account and exact line amounts', () => {
    const po = mapPurchaseOrder(
      foldPurchaseOrderRows([row({ Timestamp: 7, OrderStatus: 20 })]).get(PO)!,
      glByItem,
    );
    expect(po).toEqual({
      kind: 'purchase-order',
      sourceId: PO,
      number: '20001',
      supplier: { sourceId: SUPPLIER, code: '40006', name: 'Northern Steel' },
      orderDate: '2026-05-01',
      description: 'Contract 7',
      currency: 'EUR',
      status: 'partial',
      lines: [
        {
          sourceLineId: 'line-a',
          lineNumber: 1,
          itemCode: 'STL-1',
          glAccountCode: '4010',
          costCenterCode: 'KST-1',
          costUnitCode: null,
          projectCode: 'P26-004',
          description: 'Steel beams',
          quantity: '3',
          unitPrice: '0.1',
          unit: 'pc',
          amount: '0.30',
        },
      ],
      sourceVersion: '7',
    });
  });

  it('sums line amounts to the cent where float arithmetic would not (0.1 + 0.2)', () => {
    const po = mapPurchaseOrder(
      foldPurchaseOrderRows([
        row({ Timestamp: 1, ID: 'a', AmountFC: 0.1 }),
        row({ Timestamp: 2, ID: 'b', LineNumber: 2, AmountFC: 0.2 }),
        row({ Timestamp: 3, ID: 'c', LineNumber: 3, AmountFC: 1234567.89 }),
      ]).get(PO)!,
      glByItem,
    );
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(po.lines.map((l) => l.amount)).toEqual(['0.10', '0.20', '1234567.89']);
    expect(Decimal.sum(po.lines.map((l) => Decimal.parse(l.amount))).toMoneyString()).toBe('1234568.19');
  });

  it('names the record and field when a required field is missing, and an unknown item', () => {
    const folded = (overrides: Partial<WirePurchaseOrderSyncRow>) =>
      foldPurchaseOrderRows([row(overrides)]).get(PO)!;
    expect(() => mapPurchaseOrder(folded({ Currency: null }), glByItem)).toThrow(
      new ExactMappingError(`purchase order ${PO}`, 'Currency', 'is missing'),
    );
    const withoutAmount = row({});
    delete withoutAmount.AmountFC; // absent from the JSON, not null
    expect(() => mapPurchaseOrder(foldPurchaseOrderRows([withoutAmount]).get(PO)!, glByItem)).toThrow(
      `purchase order ${PO} line line-a: field AmountFC is missing`,
    );
    expect(() => mapPurchaseOrder(folded({ SupplierCode: '   ' }), glByItem)).toThrow(
      /field SupplierCode is missing/,
    );
    expect(() => mapPurchaseOrder(folded({}), new Map())).toThrow(
      /refers to item 3333.*not found in logistics\/Items/,
    );
  });

  it('a line without an item has no G/L account (nothing looked up)', () => {
    const po = mapPurchaseOrder(
      foldPurchaseOrderRows([row({ Item: null, ItemCode: null })]).get(PO)!,
      new Map(),
    );
    expect(po.lines[0]?.glAccountCode).toBeNull();
  });
});

describe('scalars', () => {
  it('maps OrderStatus 10/20/30/40 and refuses anything else', () => {
    expect([10, 20, 30, 40].map((code) => mapOrderStatus(code, 'po'))).toEqual([
      'open',
      'partial',
      'complete',
      'cancelled',
    ]);
    expect(() => mapOrderStatus(15, 'po')).toThrow(/OrderStatus has unknown value 15/);
    expect(() => mapOrderStatus(null, 'po')).toThrow(/OrderStatus is missing/);
  });

  it('trims 18-character padded codes', () => {
    expect(trimCode('                25')).toBe('25');
  });

  it('converts /Date(ms)/ to ISO dates and instants, and refuses other formats', () => {
    expect(wireDateToIsoDate(`/Date(${MAY_2})/`, 'r', 'EntryDate')).toBe('2026-05-02');
    expect(wireDateToIsoDateTime(`/Date(${MAY_2})/`, 'r', 'Modified')).toBe('2026-05-02T13:45:12.345Z');
    expect(wireDateToIsoDate('/Date(-86400000)/', 'r', 'X')).toBe('1969-12-31');
    expect(() => wireDateToIsoDate('2026-05-02', 'entry 9', 'EntryDate')).toThrow(
      /entry 9: field EntryDate is not an Exact date/,
    );
  });

  it('reads JSON-number amounts exactly and refuses sub-cent money instead of rounding it', () => {
    expect(wireMoney(1.1, 'r', 'AmountFC')).toBe('1.10');
    expect(() => wireMoney(0.1 + 0.2, 'line 4', 'AmountFC')).toThrow(
      /line 4: field AmountFC is not a plain decimal amount/,
    );
    expect(() => wireMoney(1.005, 'r', 'AmountFC')).toThrow(/more than two decimals \(1\.005\)/);
    expect(wireMoney(-12.5, 'r', 'AmountFC')).toBe('-12.50');
  });

  it('refuses a Timestamp JSON cannot carry exactly', () => {
    expect(wireTimestamp(9_007_199_254_740_991, 'r')).toBe(9_007_199_254_740_991n);
    expect(() => wireTimestamp(2 ** 53 + 2, 'r')).toThrow(/not an integer JSON can carry exactly/);
  });
});

describe('splitAtPageBoundary', () => {
  const a1 = row({ Timestamp: 11, ID: 'a1', PurchaseOrderID: PO });
  const a2 = row({ Timestamp: 12, ID: 'a2', PurchaseOrderID: PO, LineNumber: 2 });
  const b1 = row({ Timestamp: 13, ID: 'b1', PurchaseOrderID: PO2 });
  const b2 = row({ Timestamp: 14, ID: 'b2', PurchaseOrderID: PO2, LineNumber: 2 });

  it('holds back the order at the end of a page and keeps the cursor below it, then emits it whole', () => {
    const first = splitAtPageBoundary([], [a1, a2, b1], false, 10n);
    expect(first.ready.map((r) => r.ID)).toEqual(['a1', 'a2']);
    expect(first.carried.map((r) => r.ID)).toEqual(['b1']);
    expect(first.cursorAfter).toBe(12n); // a restart re-reads b1

    const second = splitAtPageBoundary(first.carried, [b2], true, first.cursorAfter);
    expect(second.ready.map((r) => r.ID)).toEqual(['b1', 'b2']);
    expect(second.carried).toEqual([]);
    expect(second.cursorAfter).toBe(14n);
    const folded = foldPurchaseOrderRows(second.ready).get(PO2)!;
    expect(folded.lines.map((l) => l.ID)).toEqual(['b1', 'b2']);
  });

  it('a page holding only one unfinished order emits nothing and does not move the cursor', () => {
    const split = splitAtPageBoundary([], [a1, a2], false, 10n);
    expect(split.ready).toEqual([]);
    expect(split.cursorAfter).toBe(10n);
  });

  it('an empty last page keeps the cursor', () => {
    expect(splitAtPageBoundary([], [], true, 42n)).toEqual({ ready: [], carried: [], cursorAfter: 42n });
  });
});

describe('mapDeletedPurchaseOrder', () => {
  it('maps a sync/Deleted row', () => {
    expect(
      mapDeletedPurchaseOrder({
        Timestamp: 99,
        EntityKey: PO,
        EntityType: 22,
        DeletedDate: `/Date(${MAY_2})/`,
      }),
    ).toEqual({
      kind: 'deletion',
      entity: 'purchase-order',
      sourceId: PO,
      deletedAt: '2026-05-02T13:45:12.345Z',
      sourceVersion: '99',
    });
  });
});

describe('mapPurchaseEntry', () => {
  const entry = (overrides: Partial<WirePurchaseEntry> = {}): WirePurchaseEntry => ({
    EntryID: 'e-1',
    EntryNumber: 26700038,
    YourRef: ' F2026-00038 ',
    Supplier: SUPPLIER,
    SupplierName: 'Sanitär Müller GmbH',
    EntryDate: `/Date(${MAY_1})/`,
    DueDate: null,
    Description: 'May works',
    Currency: 'EUR',
    Modified: `/Date(${MAY_2})/`,
    PurchaseEntryLines: {
      results: [
        {
          ID: 'l-2',
          LineNumber: 2,
          GLAccountCode: '4010',
          Description: 'b',
          AmountFC: 0.2,
          VATAmountFC: 0.04,
          CostCenter: 'KST-1',
          CostUnit: 'KDR-2',
          Project: PROJECT,
        },
        {
          ID: 'l-1',
          LineNumber: 1,
          GLAccountCode: '4020',
          Description: 'a',
          AmountFC: 0.1,
          VATAmountFC: 0.02,
          CostCenter: null,
          CostUnit: null,
          Project: null,
        },
      ],
    },
    ...overrides,
  });
  const lookups = {
    supplierCodes: new Map([[SUPPLIER, '40006']]),
    projectCodes: new Map([[PROJECT, 'P26-004']]),
  };

  it('maps header and lines (ordered, exact amounts, project code resolved)', () => {
    const invoice = mapPurchaseEntry(entry(), lookups);
    expect(invoice).toMatchObject({
      kind: 'purchase-invoice',
      sourceId: 'e-1',
      entryNumber: '26700038',
      invoiceNumber: 'F2026-00038',
      supplier: { sourceId: SUPPLIER, code: '40006', name: 'Sanitär Müller GmbH' },
      invoiceDate: '2026-05-01',
      dueDate: null,
      currency: 'EUR',
      sourceVersion: '2026-05-02T13:45:12.345Z',
    });
    expect(invoice.lines).toEqual([
      {
        sourceLineId: 'l-1',
        lineNumber: 1,
        glAccountCode: '4020',
        costCenterCode: null,
        costUnitCode: null,
        projectCode: null,
        description: 'a',
        amount: '0.10',
        vatAmount: '0.02',
      },
      {
        sourceLineId: 'l-2',
        lineNumber: 2,
        glAccountCode: '4010',
        costCenterCode: 'KST-1',
        costUnitCode: 'KDR-2',
        projectCode: 'P26-004',
        description: 'b',
        amount: '0.20',
        vatAmount: '0.04',
      },
    ]);
  });

  it('accepts lines as a bare array', () => {
    const lines = (
      entry().PurchaseEntryLines as {
        results: NonNullable<WirePurchaseEntry['PurchaseEntryLines']> & unknown[];
      }
    ).results;
    expect(mapPurchaseEntry(entry({ PurchaseEntryLines: lines }), lookups).lines).toHaveLength(2);
  });

  it('names the record and field for missing data instead of dropping anything', () => {
    expect(() => mapPurchaseEntry(entry({ YourRef: null }), lookups)).toThrow(
      'Exact Online purchase entry e-1: field YourRef (supplier invoice number) is missing',
    );
    expect(() => mapPurchaseEntry(entry({ PurchaseEntryLines: null }), lookups)).toThrow(
      /field PurchaseEntryLines is missing \(the lines were not expanded\)/,
    );
    expect(() => mapPurchaseEntry(entry(), { ...lookups, supplierCodes: new Map() })).toThrow(
      /field Supplier refers to account 4444.*crm\/Accounts/,
    );
    expect(() => mapPurchaseEntry(entry(), { ...lookups, projectCodes: new Map() })).toThrow(
      /line l-2: field Project refers to project 5555/,
    );
    const withoutDate = entry();
    delete withoutDate.EntryDate;
    expect(() => mapPurchaseEntry(withoutDate, lookups)).toThrow(/field EntryDate is missing/);
  });
});
