import fc from 'fast-check';
import { anyWireDate, centsText, corruptRows, decimalText, extremeNumber, hostileText, unknownCurrency, wrongType, type Json } from './hostile';
import { EXACT_COST_CENTERS } from './exact';

/**
 * Exact Online's sales documents as its API sends them (F4): line-level sales-invoice sync rows
 * (header fields repeated on every line, like purchase orders) and whole sales orders with their
 * expanded lines; valid first, then corrupted. Amounts are JSON numbers.
 */

/** Customer account guids the fuzz lookups know (cust-3 is unknown to crm/Accounts: its documents park). */
export const EXACT_CUSTOMERS = { 'cust-1': 'C100', 'cust-2': 'C200' } as const;
/** G/L account guids the fuzz lookups know; gl-9 is not in financial/GLAccounts. */
export const EXACT_GL_ACCOUNTS = { 'gl-1': { code: '8000', description: 'Omzet' }, 'gl-2': { code: '8100', description: 'Omzet diensten' } } as const;
/** Items with a revenue account (sales-order lines take it). */
export const EXACT_SALES_ITEMS = ['item-1', 'item-2'] as const;

const guid = fc.uuid();
const exactDate = fc.integer({ min: 946_684_800_000, max: 1_893_456_000_000 }).map((ms) => `/Date(${ms})/`);
const amountNumber = fc.oneof({ weight: 4, arbitrary: centsText(true) }, { weight: 1, arbitrary: decimalText({ negative: true }) }).map(Number);
const customer = fc.constantFrom('cust-1', 'cust-1', 'cust-2', 'cust-3');
const currency = fc.oneof({ weight: 5, arbitrary: fc.constant('EUR') }, { weight: 1, arbitrary: unknownCurrency });
const fieldValues = fc.oneof(wrongType, anyWireDate, extremeNumber, unknownCurrency, fc.constantFrom(0, -1, 99, 10.1234567), hostileText);

export const SI_ROW_FIELDS = ['Timestamp', 'ID', 'InvoiceID', 'InvoiceNumber', 'InvoiceDate', 'DueDate', 'InvoiceTo', 'InvoiceToName', 'Currency', 'Status', 'Type', 'YourRef', 'Modified', 'LineNumber', 'ItemCode', 'Description', 'Quantity', 'UnitPrice', 'AmountFC', 'VATAmountFC', 'GLAccount', 'GLAccountDescription', 'CostCenter', 'CostCenterDescription'] as const;

/** A page of the sales-invoice sync feed: 1–5 invoices of 1–3 line rows in Timestamp order, some spoiled. */
export const exactSalesInvoicePage = fc
  .array(
    fc.record({
      id: guid,
      number: fc.integer({ min: 1, max: 99_999_999 }),
      date: exactDate,
      due: fc.option(exactDate),
      modified: exactDate,
      customer,
      name: fc.oneof(fc.constant('Gemeente Utrecht'), hostileText.filter((t) => t.trim() !== '')),
      currency,
      status: fc.constantFrom(10, 20, 50),
      type: fc.constantFrom(8020, 8021, 8023, 8024),
      lines: fc.array(
        fc.record({
          id: guid,
          gl: fc.option(fc.constantFrom('gl-1', 'gl-2', 'gl-1', 'gl-9'), { freq: 6 }),
          cc: fc.option(fc.constantFrom(...EXACT_COST_CENTERS, 'CC9'), { freq: 4 }),
          quantity: fc.oneof(decimalText({ negative: true }).map(Number), fc.constantFrom(0, -2, 1)),
          unitPrice: decimalText().map(Number),
          amount: amountNumber,
          vat: centsText(true).map(Number),
          description: fc.oneof(fc.constant('Meerwerk'), hostileText),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .chain((invoices) => {
    let ts = 1_000;
    const rows: Json[] = invoices.flatMap((inv) =>
      inv.lines.map((l, i) => ({
        Timestamp: ts++,
        ID: l.id,
        InvoiceID: inv.id,
        InvoiceNumber: inv.number,
        InvoiceDate: inv.date,
        DueDate: inv.due,
        InvoiceTo: inv.customer,
        InvoiceToName: inv.name,
        Currency: inv.currency,
        Status: inv.status,
        Type: inv.type,
        Modified: inv.modified,
        LineNumber: i + 1,
        Description: l.description,
        Quantity: l.quantity,
        UnitPrice: l.unitPrice,
        AmountFC: l.amount,
        VATAmountFC: l.vat,
        GLAccount: l.gl,
        CostCenter: l.cc,
      })),
    );
    return corruptRows(rows, SI_ROW_FIELDS, fieldValues, 4).map(({ rows: spoiled }) => ({ rows: spoiled }));
  });

export const SO_FIELDS = ['OrderID', 'OrderNumber', 'OrderDate', 'DeliveryDate', 'OrderedBy', 'OrderedByName', 'Description', 'YourRef', 'Currency', 'Status', 'Modified', 'SalesOrderLines'] as const;
export const SO_LINE_FIELDS = ['ID', 'LineNumber', 'Item', 'ItemCode', 'ItemDescription', 'Description', 'Quantity', 'UnitPrice', 'AmountFC', 'VATAmount', 'CostCenter', 'CostCenterDescription', 'Modified'] as const;

/** A page of whole sales orders (salesorder/SalesOrders with expanded lines), order and line fields spoiled. */
export const exactSalesOrderPage = fc
  .array(
    fc
      .record({
        id: guid,
        number: fc.integer({ min: 1, max: 99_999_999 }),
        date: exactDate,
        delivery: fc.option(exactDate),
        modified: exactDate,
        customer,
        name: fc.oneof(fc.constant('Gemeente Utrecht'), hostileText.filter((t) => t.trim() !== '')),
        description: fc.oneof(fc.constant('Order'), hostileText),
        currency,
        status: fc.constantFrom(12, 20, 21, 45),
        bare: fc.boolean(),
        lines: fc.array(
          fc.record({
            id: guid,
            item: fc.option(fc.constantFrom(...EXACT_SALES_ITEMS), { freq: 6 }),
            cc: fc.option(fc.constantFrom(...EXACT_COST_CENTERS), { freq: 4 }),
            quantity: fc.oneof(decimalText({ negative: true }).map(Number), fc.constantFrom(0, -2, 1)),
            unitPrice: decimalText().map(Number),
            amount: amountNumber,
            vat: centsText(true).map(Number),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      })
      .map((o): Json => {
        const lines = o.lines.map((l, i) => ({ ID: l.id, LineNumber: i + 1, Item: l.item, ItemCode: l.item, Description: 'Stelpost', Quantity: l.quantity, UnitPrice: l.unitPrice, AmountFC: l.amount, VATAmount: l.vat, CostCenter: l.cc, Modified: o.modified }));
        return {
          OrderID: o.id,
          OrderNumber: o.number,
          OrderDate: o.date,
          DeliveryDate: o.delivery,
          OrderedBy: o.customer,
          OrderedByName: o.name,
          Description: o.description,
          Currency: o.currency,
          Status: o.status,
          Modified: o.modified,
          SalesOrderLines: o.bare ? lines : { results: lines },
        };
      }),
    { minLength: 1, maxLength: 5 },
  )
  .chain((orders) =>
    fc
      .tuple(
        corruptRows(orders, SO_FIELDS, fieldValues, 2),
        fc.array(fc.record({ order: fc.nat({ max: orders.length - 1 }), field: fc.constantFrom(...SO_LINE_FIELDS), value: fc.oneof(wrongType, extremeNumber, anyWireDate, decimalText({ negative: true }).map(Number)) }), { maxLength: 3 }),
      )
      .map(([{ rows: spoiled }, lineEdits]) => {
        const rows = structuredClone(spoiled);
        for (const edit of lineEdits) {
          const lines = rows[edit.order]!['SalesOrderLines'];
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
