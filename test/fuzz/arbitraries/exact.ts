import fc from 'fast-check';
import { anyWireDate, centsText, corruptRows, decimalText, extremeNumber, hostileText, unknownCurrency, wrongType, type Json } from './hostile';

/**
 * Exact Online wire rows as its API sends them (shared/api/exact-online-procore.md §1.4–§1.6):
 * line-level purchase-order sync rows (header fields repeated on every line) and purchase
 * entries with their expanded lines; valid first, then corrupted. Amounts are JSON numbers.
 */

export const EXACT_ITEMS = ['item-1', 'item-2'] as const;
/** sup-3 has no Procore/Coupa vendor in the fuzz mappings: its documents park. */
export const EXACT_SUPPLIERS = { 'sup-1': '25', 'sup-2': '1001', 'sup-3': '77' } as const;
export const EXACT_PROJECTS = { 'prj-1': 'P100', 'prj-2': 'P200' } as const;
export const EXACT_GL = ['4000', '4100'] as const;
export const EXACT_COST_CENTERS = ['CC1', 'CC2'] as const;

const guid = fc.uuid();
const exactDate = fc.integer({ min: 946_684_800_000, max: 1_893_456_000_000 }).map((ms) => `/Date(${ms})/`);
/** An amount as a JSON number with 0–6 decimals (most with whole cents), sometimes negative. */
const amountNumber = fc.oneof({ weight: 4, arbitrary: centsText(true) }, { weight: 1, arbitrary: decimalText({ negative: true }) }).map(Number);

/** Fields of a purchase-order sync row the corrupter may spoil. */
export const PO_ROW_FIELDS = ['Timestamp', 'ID', 'PurchaseOrderID', 'OrderNumber', 'OrderDate', 'OrderStatus', 'Supplier', 'SupplierCode', 'SupplierName', 'Currency', 'YourRef', 'Modified', 'LineNumber', 'Item', 'ItemCode', 'Description', 'Quantity', 'UnitPrice', 'AmountFC', 'CostCenterCode', 'CostUnitCode', 'ProjectCode', 'ReceiptDate', 'VATAmount', 'VATCode'] as const;

/** The values a purchase-order field may take when spoiled: wrong types plus the field's own hostile kind. */
const poFieldValues = fc.oneof(wrongType, anyWireDate, extremeNumber, unknownCurrency, fc.constantFrom(0, -1, -0.5, 99, 10.1234567, 0.000001), hostileText);

export interface ExactPoDocument {
  id: string;
  rows: Json[];
}

/** One purchase order as 1–4 line rows of the sync feed (consecutive Timestamps from `firstTimestamp`). */
export const exactPurchaseOrder = (firstTimestamp: number) =>
  fc
    .record({
      id: guid,
      number: fc.integer({ min: 1, max: 99_999_999 }),
      date: exactDate,
      modified: exactDate,
      status: fc.constantFrom(10, 20, 30, 40),
      supplier: fc.constantFrom<keyof typeof EXACT_SUPPLIERS>('sup-1', 'sup-1', 'sup-2', 'sup-2', 'sup-3'),
      name: fc.oneof(fc.constant('Bouwmaterialen Koster B.V.'), hostileText.filter((t) => t.trim() !== '')),
      currency: fc.oneof({ weight: 5, arbitrary: fc.constant('EUR') }, { weight: 1, arbitrary: unknownCurrency }),
      yourRef: fc.option(hostileText),
      lines: fc.array(
        fc.record({
          id: guid,
          item: fc.option(fc.constantFrom(...EXACT_ITEMS), { freq: 6 }),
          quantity: fc.oneof(decimalText({ negative: true }).map(Number), fc.constantFrom(0, -3, 1, 1e6)),
          unitPrice: decimalText().map(Number),
          amount: amountNumber,
          vat: fc.option(centsText().map(Number)),
          costCenter: fc.option(fc.constantFrom(...EXACT_COST_CENTERS), { freq: 6 }),
          project: fc.option(fc.constantFrom(...Object.values(EXACT_PROJECTS)), { freq: 6 }),
          description: fc.oneof(fc.constant('Beton C30/37'), hostileText),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map((po): ExactPoDocument => ({
      id: po.id,
      rows: po.lines.map((line, i) => ({
        Timestamp: firstTimestamp + i,
        ID: line.id,
        PurchaseOrderID: po.id,
        OrderNumber: po.number,
        OrderDate: po.date,
        OrderStatus: po.status,
        Supplier: po.supplier,
        SupplierCode: `${' '.repeat(16)}${EXACT_SUPPLIERS[po.supplier]}`.slice(-18),
        SupplierName: po.name,
        Currency: po.currency,
        YourRef: po.yourRef,
        Modified: po.modified,
        LineNumber: i + 1,
        Item: line.item,
        ItemCode: line.item,
        Description: line.description,
        Quantity: line.quantity,
        UnitPrice: line.unitPrice,
        AmountFC: line.amount,
        CostCenterCode: line.costCenter,
        ProjectCode: line.project,
        VATAmount: line.vat,
      })),
    }));

/** A page of the purchase-order sync feed: 1–6 orders in Timestamp order, some rows spoiled. */
export const exactPurchaseOrderPage = fc
  .array(exactPurchaseOrder(0), { minLength: 1, maxLength: 6 })
  .chain((docs) => {
    let ts = 1_000;
    const rows = docs.flatMap((d) => d.rows.map((r) => ({ ...r, Timestamp: ts++ })));
    return corruptRows(rows, PO_ROW_FIELDS, poFieldValues, 4).map(({ rows: spoiled, corrupted }) => ({ rows: spoiled, documents: docs.map((d) => d.id), corrupted }));
  });

export const PE_FIELDS = ['EntryID', 'EntryNumber', 'YourRef', 'Supplier', 'SupplierName', 'EntryDate', 'DueDate', 'Description', 'Currency', 'Modified', 'PurchaseEntryLines', 'Type', 'OrderNumber', 'Status'] as const;
export const PE_LINE_FIELDS = ['ID', 'LineNumber', 'GLAccountCode', 'Description', 'AmountFC', 'VATAmountFC', 'CostCenter', 'CostUnit', 'Project', 'Quantity', 'VATCode'] as const;

/** One purchase entry with 1–3 expanded lines (valid), `{results: […]}` or a bare array. */
export const exactPurchaseEntry = fc
  .record({
    id: guid,
    number: fc.integer({ min: 1, max: 99_999_999 }),
    yourRef: fc.oneof(fc.constant('INV-2024-001'), hostileText.filter((t) => t.trim() !== '')),
    supplier: fc.constantFrom<keyof typeof EXACT_SUPPLIERS>('sup-1', 'sup-1', 'sup-2', 'sup-2', 'sup-3'),
    date: exactDate,
    due: fc.option(exactDate),
    modified: exactDate,
    currency: fc.oneof({ weight: 5, arbitrary: fc.constant('EUR') }, { weight: 1, arbitrary: unknownCurrency }),
    type: fc.constantFrom(30, 31, undefined),
    orderNumber: fc.option(fc.integer({ min: 1, max: 99_999 })),
    bare: fc.boolean(),
    lines: fc.array(
      fc.record({
        id: guid,
        gl: fc.option(fc.constantFrom(...EXACT_GL), { freq: 6 }),
        cc: fc.option(fc.constantFrom(...EXACT_COST_CENTERS), { freq: 6 }),
        project: fc.option(fc.constantFrom(...Object.keys(EXACT_PROJECTS)), { freq: 6 }),
        amount: amountNumber,
        vat: centsText(true).map(Number),
        quantity: fc.option(fc.oneof(decimalText({ negative: true }).map(Number), fc.constant(0))),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map((e): Json => {
    const lines = e.lines.map((l, i) => ({ ID: l.id, LineNumber: i + 1, GLAccountCode: l.gl, Description: 'Huur kraan', AmountFC: l.amount, VATAmountFC: l.vat, CostCenter: l.cc, Project: l.project, Quantity: l.quantity }));
    return {
      EntryID: e.id,
      EntryNumber: e.number,
      YourRef: e.yourRef,
      Supplier: e.supplier,
      SupplierName: 'Kraanverhuur De Vries',
      EntryDate: e.date,
      DueDate: e.due,
      Description: 'Factuur',
      Currency: e.currency,
      Modified: e.modified,
      PurchaseEntryLines: e.bare ? lines : { results: lines },
      ...(e.type === undefined ? {} : { Type: e.type }),
      OrderNumber: e.orderNumber,
      Status: 20,
    };
  });

/** A page of purchase entries (entry fields and line fields spoiled). */
export const exactPurchaseEntryPage = fc.array(exactPurchaseEntry, { minLength: 1, maxLength: 5 }).chain((entries) =>
  fc
    .tuple(
      corruptRows(entries, PE_FIELDS, fc.oneof(wrongType, anyWireDate, extremeNumber, unknownCurrency), 2),
      fc.array(fc.record({ entry: fc.nat({ max: entries.length - 1 }), field: fc.constantFrom(...PE_LINE_FIELDS), value: fc.oneof(wrongType, extremeNumber, decimalText({ negative: true }).map(Number)) }), { maxLength: 3 }),
    )
    .map(([{ rows: spoiled }, lineEdits]) => {
      const rows = structuredClone(spoiled);
      for (const edit of lineEdits) {
        const lines = rows[edit.entry]!['PurchaseEntryLines'];
        const list = Array.isArray(lines) ? lines : (lines as { results?: unknown } | null)?.results;
        if (!Array.isArray(list) || list.length === 0) continue;
        const line = { ...(list[0] as Json) };
        if (typeof edit.value === 'symbol') delete line[edit.field];
        else line[edit.field] = edit.value;
        list[0] = line;
      }
      return rows;
    }),
);
