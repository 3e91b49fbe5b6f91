import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src-shared/domain/money';
import {
  ExactMappingError,
  SALES_INVOICE_KEY,
  exactUnitPrice,
  foldLineRows,
  foldPurchaseOrderRows,
  foldedLinesDisagreeWithTotal,
  mapDeletedPurchaseOrder,
  mapDeletion,
  mapSalesInvoice,
  mapSalesOrder,
  mapSupplier,
  salesInvoiceAsFeedRows,
  splitFeedAtPageBoundary,
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
import type {
  WirePurchaseEntry,
  WirePurchaseOrderSyncRow,
  WireSalesInvoiceRow,
  WireSalesOrder,
  WireSupplierAccount,
} from './wire';

const PO = '11111111-1111-4111-8111-111111111111';
const PO2 = '22222222-2222-4222-8222-222222222222';
const ITEM = '33333333-3333-4333-8333-333333333333';
const SUPPLIER = '44444444-4444-4444-8444-444444444444';
const PROJECT = '55555555-5555-4555-8555-555555555555';
const INVOICE = '66666666-6666-4666-8666-666666666666';
const ORDER = '77777777-7777-4777-8777-777777777777';
const CUSTOMER = '88888888-8888-4888-8888-888888888888';
const GL_1 = '99999999-9999-4999-8999-999999999991';
const GL_2 = '99999999-9999-4999-8999-999999999992';
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

function salesRow(overrides: Partial<WireSalesInvoiceRow>): WireSalesInvoiceRow {
  return {
    Timestamp: 3,
    ID: 'l-1',
    InvoiceID: INVOICE,
    InvoiceNumber: 26100001,
    InvoiceDate: `/Date(${MAY_1})/`,
    DueDate: `/Date(${MAY_2})/`,
    InvoiceTo: CUSTOMER,
    InvoiceToName: 'Gemeente Zwolle ',
    Currency: 'EUR',
    Status: 20,
    Type: 8020,
    YourRef: ' ',
    AmountFCExclVat: 100.1,
    Modified: `/Date(${MAY_1})/`,
    LineNumber: 1,
    Description: 'Termijn 1',
    Quantity: 1,
    UnitPrice: 100,
    AmountFC: 100,
    VATAmountFC: 21,
    VATCode: '2',
    GLAccount: GL_1,
    GLAccountDescription: 'Omzet regel',
    CostCenter: 'KST-10',
    ...overrides,
  };
}

const glByItem = {
  items: new Map([[ITEM, { costs: { code: '4010', description: 'Inkoop staal' }, revenue: null }]]),
  webUrl: (id: string, number: string) => `https://exact.example/po/${id}?n=${number}`,
};
const noItems = { ...glByItem, items: new Map() };

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
          glAccountDescription: 'Inkoop staal',
          costCenterDescription: null,
          vatAmount: '0.00',
          vatCode: null,
        },
      ],
      sourceVersion: '7',
      receiptDate: null,
      amount: '0.30',
      vatAmount: '0.00',
      webUrl: `https://exact.example/po/${PO}?n=20001`,
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
      new ExactMappingError('purchase order 20001', 'Currency', 'is missing'),
    );
    const withoutAmount = row({});
    delete withoutAmount.AmountFC; // absent from the JSON, not null
    expect(() => mapPurchaseOrder(foldPurchaseOrderRows([withoutAmount]).get(PO)!, glByItem)).toThrow(
      'purchase order 20001 line 1: field AmountFC is missing',
    );
    expect(() => mapPurchaseOrder(folded({ SupplierCode: '   ' }), glByItem)).toThrow(
      /field SupplierCode is missing/,
    );
    expect(() => mapPurchaseOrder(folded({}), noItems)).toThrow(
      /line 1: field Item refers to item "STL-1", which was not found in logistics\/Items/,
    );
  });

  it('a line without an item has no G/L account (nothing looked up)', () => {
    const po = mapPurchaseOrder(
      foldPurchaseOrderRows([row({ Item: null, ItemCode: null })]).get(PO)!,
      noItems,
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
        glAccountDescription: null,
        costCenterDescription: null,
        quantity: null,
        unitPrice: null,
        vatCode: null,
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
        glAccountDescription: null,
        costCenterDescription: null,
        quantity: null,
        unitPrice: null,
        vatCode: null,
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
      'Exact Online purchase entry 26700038: field YourRef (supplier invoice number) is missing',
    );
    expect(() => mapPurchaseEntry(entry({ PurchaseEntryLines: null }), lookups)).toThrow(
      /field PurchaseEntryLines is missing \(the lines were not expanded\)/,
    );
    expect(() => mapPurchaseEntry(entry(), { ...lookups, supplierCodes: new Map() })).toThrow(
      /field Supplier refers to supplier "Sanitär Müller GmbH", which was not found in crm\/Accounts/,
    );
    expect(() => mapPurchaseEntry(entry(), { ...lookups, projectCodes: new Map() })).toThrow(
      /line 2: field Project refers to project 5555/,
    );
    const withoutDate = entry();
    delete withoutDate.EntryDate;
    expect(() => mapPurchaseEntry(withoutDate, lookups)).toThrow(/field EntryDate is missing/);
  });
});

describe('foldLineRows / splitFeedAtPageBoundary on sales-invoice rows', () => {
  const inv = (overrides: Partial<WireSalesInvoiceRow>): WireSalesInvoiceRow => ({
    Timestamp: 10,
    ID: 'si-line-1',
    InvoiceID: INVOICE,
    Modified: `/Date(${MAY_1})/`,
    LineNumber: 1,
    ...overrides,
  });

  it('folds by InvoiceID and holds the invoice at a page end back for the next page', () => {
    const split = splitFeedAtPageBoundary([], [inv({ Timestamp: 11 }), inv({ Timestamp: 12, ID: 'x', InvoiceID: 'other' })], false, 5n, SALES_INVOICE_KEY);
    expect(split.ready.map((r) => r.InvoiceID)).toEqual([INVOICE]);
    expect(split.carried.map((r) => r.InvoiceID)).toEqual(['other']);
    expect(split.cursorAfter).toBe(11n);
    expect(() => foldLineRows([inv({ InvoiceID: null })], SALES_INVOICE_KEY)).toThrow(/sales invoice \(no InvoiceID\): field InvoiceID is missing/);
  });
});

describe('mapSalesInvoice', () => {
  const rows = (overrides: Partial<WireSalesInvoiceRow> = {}): WireSalesInvoiceRow[] => [
    salesRow({ ID: 'l-1', LineNumber: 1, AmountFC: 100, VATAmountFC: 21, ...overrides }),
    salesRow({ ID: 'l-2', LineNumber: 2, AmountFC: 0.1, VATAmountFC: 0.02, GLAccount: GL_2, ...overrides }),
  ];
  const context = {
    accountCodes: new Map([[CUSTOMER, '1001']]),
    glAccounts: new Map([
      [GL_1, { code: '8000', description: 'Omzet' }],
      [GL_2, { code: '8010', description: 'Meerwerk' }],
    ]),
    items: new Map(),
    webUrl: (id: string, number: string) => `https://exact.example/si/${id}/${number}`,
  };
  const folded = (list: WireSalesInvoiceRow[]) => foldLineRows(list, SALES_INVOICE_KEY).get(INVOICE)!;

  it('maps header, customer code, G/L codes by guid, totals to the cent, status and the link', () => {
    const invoice = mapSalesInvoice(folded(rows()), context);
    expect(invoice).toMatchObject({
      kind: 'sales-invoice',
      sourceId: INVOICE,
      invoiceNumber: '26100001',
      documentType: 'invoice',
      customer: { sourceId: CUSTOMER, code: '1001', name: 'Gemeente Zwolle' },
      invoiceDate: '2026-05-01',
      dueDate: '2026-05-02',
      currency: 'EUR',
      status: 'open',
      yourRef: null,
      amount: '100.10',
      vatAmount: '21.02',
      webUrl: `https://exact.example/si/${INVOICE}/26100001`,
      sourceVersion: '3',
    });
    expect(invoice.lines.map((l) => [l.glAccountCode, l.glAccountDescription, l.costCenterCode, l.vatCode])).toEqual([
      ['8000', 'Omzet regel', 'KST-10', '2'],
      ['8010', 'Omzet regel', 'KST-10', '2'],
    ]);
  });

  it('reads a credit note (Type 8021, negative amounts), and names unknown codes and references', () => {
    const credit = mapSalesInvoice(folded(rows({ Type: 8021, AmountFC: -50, VATAmountFC: -10.5 })), context);
    expect(credit.documentType).toBe('credit-note');
    expect(credit.amount).toBe('-100.00');
    expect(() => mapSalesInvoice(folded(rows({ Status: 30 })), context)).toThrow(/field Status has unknown value 30/);
    // Named as finance knows them: the invoice and line by number, the customer and G/L account by name (never a GUID).
    expect(() => mapSalesInvoice(folded(rows()), { ...context, accountCodes: new Map() })).toThrow(
      'Exact Online sales invoice 26100001: field InvoiceTo refers to customer "Gemeente Zwolle", which was not found in crm/Accounts',
    );
    expect(() => mapSalesInvoice(folded(rows()), { ...context, glAccounts: new Map() })).toThrow(
      /^Exact Online sales invoice 26100001 line 1: field GLAccount refers to G\/L account "Omzet regel", which was not found/,
    );
    expect(() => mapSalesInvoice(folded(rows({ InvoiceTo: null })), context)).toThrow('Exact Online sales invoice 26100001: field InvoiceTo is missing');
    expect(() => mapSalesInvoice(folded(rows({ AmountFC: 1.005 })), context)).toThrow(/^Exact Online sales invoice 26100001 line 1: field AmountFC has more than two decimals/);
  });

  it('flags folded lines that do not add up to the header total, and rebuilds feed rows from the whole invoice', () => {
    expect(foldedLinesDisagreeWithTotal(folded(rows({ AmountFCExclVat: 100.1 })))).toBe(false);
    expect(foldedLinesDisagreeWithTotal(folded(rows({ AmountFCExclVat: 130.1 })))).toBe(true);
    expect(foldedLinesDisagreeWithTotal(folded(rows({ AmountFCExclVat: null })))).toBe(false);
    const { ID: _id, LineNumber: _n, Timestamp: _t, ...header } = salesRow({});
    const whole = salesInvoiceAsFeedRows({ ...header, SalesInvoiceLines: { results: [salesRow({ ID: 'a' }), salesRow({ ID: 'b' })] } }, 42n);
    expect(whole.map((r) => [r.ID, r.Timestamp, r.InvoiceNumber])).toEqual([
      ['a', 42, 26100001],
      ['b', 42, 26100001],
    ]);
  });
});

describe('mapSalesOrder', () => {
  const order = (overrides: Partial<WireSalesOrder> = {}): WireSalesOrder => ({
    OrderID: ORDER,
    OrderNumber: 30001,
    OrderDate: `/Date(${MAY_1})/`,
    DeliveryDate: `/Date(${MAY_2})/`,
    OrderedBy: CUSTOMER,
    OrderedByName: 'Gemeente Zwolle',
    Description: ' Verkooporder ',
    YourRef: null,
    Currency: 'EUR',
    Status: 20,
    Modified: `/Date(${MAY_1})/`,
    SalesOrderLines: {
      results: [
        { ID: 'o-2', LineNumber: 2, Item: ITEM, ItemCode: 'OMZET-8000', Description: null, ItemDescription: 'Omzet', Quantity: 2, UnitPrice: 0.15, AmountFC: 0.3, VATAmount: null, Modified: `/Date(${MAY_2})/` },
        { ID: 'o-1', LineNumber: 1, Item: null, Description: 'Vrije regel', Quantity: 1, UnitPrice: 10, AmountFC: 10, VATAmount: 2.1, VATCode: '2', CostCenter: 'KST-11' },
      ],
    },
    ...overrides,
  });
  const context = {
    accountCodes: new Map([[CUSTOMER, '1001']]),
    glAccounts: new Map(),
    items: new Map([[ITEM, { costs: null, revenue: { code: '8000', description: 'Omzet aanneming' } }]]),
    webUrl: (id: string) => `https://exact.example/so/${id}`,
  };

  it('maps the order with lines in order, the revenue G/L from the item, VAT absent as 0.00 and the newest Modified as version', () => {
    const mapped = mapSalesOrder(order(), context);
    expect(mapped).toMatchObject({
      kind: 'sales-order',
      orderNumber: '30001',
      customer: { code: '1001' },
      deliveryDate: '2026-05-02',
      description: 'Verkooporder',
      status: 'partial',
      amount: '10.30',
      vatAmount: '2.10',
      sourceVersion: '2026-05-02T13:45:12.345Z',
    });
    expect(mapped.lines.map((l) => [l.sourceLineId, l.glAccountCode, l.description, l.vatAmount, l.costCenterCode])).toEqual([
      ['o-1', null, 'Vrije regel', '2.10', 'KST-11'],
      ['o-2', '8000', 'Omzet', '0.00', null],
    ]);
  });

  it('refuses an order without expanded lines or with an unknown status', () => {
    expect(() => mapSalesOrder(order({ SalesOrderLines: null }), context)).toThrow(/SalesOrderLines is missing/);
    expect(() => mapSalesOrder(order({ Status: 99 }), context)).toThrow(/Status has unknown value 99/);
  });

  it('names the order by its number, a line by its line number and an unknown item by its code, never by a GUID', () => {
    expect(() => mapSalesOrder(order({ OrderedBy: null }), context)).toThrow('Exact Online sales order 30001: field OrderedBy is missing');
    expect(() => mapSalesOrder(order(), { ...context, items: new Map() })).toThrow(
      'Exact Online sales order 30001 line 2: field Item refers to item "OMZET-8000", which was not found in logistics/Items',
    );
    const unnumbered = order();
    (unnumbered.SalesOrderLines as { results: Record<string, unknown>[] }).results[1]!['LineNumber'] = null;
    expect(() => mapSalesOrder(unnumbered, context)).toThrow('Exact Online sales order 30001 a line without a LineNumber: field LineNumber is missing');
    // No number: the OrderID is all there is.
    expect(() => mapSalesOrder(order({ OrderNumber: null }), context)).toThrow(`sales order ${ORDER}: field OrderNumber is missing`);
  });
});

describe('mapSupplier', () => {
  const account = (overrides: Partial<WireSupplierAccount> = {}): WireSupplierAccount => ({
    Timestamp: 501,
    ID: SUPPLIER,
    Code: '             40006',
    Name: ' Northern Steel ',
    IsSupplier: true,
    Blocked: null,
    AddressLine1: 'Kade 1',
    Postcode: '1011 AA',
    City: 'Amsterdam',
    Country: 'NL',
    Email: '',
    Modified: `/Date(${MAY_2})/`,
    BankAccounts: { results: [{ ID: 'b-1', BankAccount: ' NL91ABNA0417164300 ', BICCode: 'ABNANL2A', Main: true }] },
    ...overrides,
  });
  const context = { bankAccounts: new Map(), webUrl: (id: string, code: string) => `https://exact.example/acc/${id}/${code}` };

  it('maps the supplier with trimmed code, empty text as null, inline bank accounts and the feed Timestamp as version', () => {
    expect(mapSupplier(account(), context)).toEqual({
      kind: 'supplier',
      sourceId: SUPPLIER,
      code: '40006',
      name: 'Northern Steel',
      addressLine1: 'Kade 1',
      addressLine2: null,
      addressLine3: null,
      postcode: '1011 AA',
      city: 'Amsterdam',
      country: 'NL',
      email: null,
      phone: null,
      vatNumber: null,
      chamberOfCommerce: null,
      bankAccounts: [{ sourceId: 'b-1', accountNumber: 'NL91ABNA0417164300', holderName: null, bic: 'ABNANL2A', isMain: true }],
      blocked: false,
      modifiedAt: '2026-05-02T13:45:12.345Z',
      webUrl: `https://exact.example/acc/${SUPPLIER}/40006`,
      sourceVersion: '501',
    });
  });

  it('takes deferred bank accounts from the lookup, and refuses a row whose bank accounts are nowhere', () => {
    const deferred = account({ BankAccounts: { __deferred: { uri: 'x' } }, Timestamp: null });
    expect(mapSupplier(deferred, { ...context, bankAccounts: new Map([[SUPPLIER, []]]) })).toMatchObject({ bankAccounts: [], sourceVersion: '2026-05-02T13:45:12.345Z' });
    expect(() => mapSupplier(deferred, context)).toThrow(/BankAccounts is missing/);
  });
});

describe('purchase entries: F5 fields', () => {
  it('reads a credit note (Type 31), the referenced PO number, status, quantity and an exact unit price', () => {
    const invoice = mapPurchaseEntry(
      {
        EntryID: 'e-9',
        EntryNumber: 1,
        YourRef: 'CN-1',
        Supplier: SUPPLIER,
        SupplierName: 'S',
        EntryDate: `/Date(${MAY_1})/`,
        Currency: 'EUR',
        Modified: `/Date(${MAY_1})/`,
        Type: 31,
        OrderNumber: 20001,
        Status: 50,
        PurchaseEntryLines: [{ ID: 'l', LineNumber: 1, AmountFC: -30, VATAmountFC: -6.3, Quantity: 4, GLAccountDescription: 'Staal', VATCode: '2' }],
      },
      { supplierCodes: new Map([[SUPPLIER, '40006']]), projectCodes: new Map() },
    );
    expect(invoice).toMatchObject({ documentType: 'credit-note', purchaseOrderNumber: '20001', status: 'processed' });
    expect(invoice.lines[0]).toMatchObject({ quantity: '4', unitPrice: '-7.5', glAccountDescription: 'Staal', vatCode: '2' });
  });

  it('exactUnitPrice divides exactly or gives null', () => {
    expect(exactUnitPrice('10.00', '4')).toBe('2.5');
    expect(exactUnitPrice('10.00', '3')).toBeNull();
    expect(exactUnitPrice('10.00', '0')).toBeNull();
    expect(exactUnitPrice('10.00', null)).toBeNull();
  });
});

describe('mapDeletion', () => {
  it('names the entity it was asked for', () => {
    expect(mapDeletion({ Timestamp: 7, EntityKey: ORDER, EntityType: 32, DeletedDate: `/Date(${MAY_2})/` }, 'sales-order')).toEqual({
      kind: 'deletion',
      entity: 'sales-order',
      sourceId: ORDER,
      deletedAt: '2026-05-02T13:45:12.345Z',
      sourceVersion: '7',
    });
  });
});
