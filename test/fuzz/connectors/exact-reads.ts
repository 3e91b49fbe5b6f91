import fc from 'fast-check';
import { Decimal } from '../../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder, SalesInvoice, SalesOrder } from '../../../src-shared/domain/records';
import { mapPurchaseEntries, mapPurchaseOrderDocuments } from '../../../src-main/connectors/exact-online';
import { PURCHASE_ORDER_KEY, SALES_INVOICE_KEY, type ItemAccounts, type SalesDocumentContext } from '../../../src-main/connectors/exact-online/mappers';
import { mapSalesInvoiceDocuments, mapSalesOrders } from '../../../src-main/connectors/exact-online/sales';
import { foldedFeedPages } from '../../../src-main/connectors/exact-online/streams';
import type { WirePurchaseEntry, WirePurchaseOrderSyncRow, WireSalesInvoiceRow, WireSalesOrder } from '../../../src-main/connectors/exact-online/wire';
import { EXACT_PROJECTS, EXACT_SUPPLIERS, exactPurchaseEntryPage, exactPurchaseOrderPage, type ExactPoDocument } from '../arbitraries/exact';
import { domainPurchaseInvoice, domainPurchaseOrder } from '../arbitraries/records';
import { EXACT_CUSTOMERS, EXACT_GL_ACCOUNTS } from '../arbitraries/exact-sales';
import type { Json } from '../arbitraries/hostile';
import { Verdict, type FuzzStream } from '../fuzz-kit';
import { keyOf, onePage } from '../fuzz-kit';

/**
 * Exact Online's reads as its connector performs them, without the HTTP (shared by every flow
 * that reads Exact: F1, F4, F5): a page of sync rows folded and mapped, a page of purchase
 * entries mapped. Each record's money is compared with the wire amounts; each unreadable row's
 * reason is judged. The flow's planner then takes the records.
 */

const ITEMS: ReadonlyMap<string, ItemAccounts> = new Map([
  ['item-1', { costs: { code: '4000', description: 'Materialen' }, revenue: { code: '8000', description: 'Omzet' } }],
  ['item-2', { costs: { code: '4100', description: 'Onderaanneming' }, revenue: null }],
]);

const SALES_CONTEXT: SalesDocumentContext = {
  accountCodes: new Map(Object.entries(EXACT_CUSTOMERS)),
  glAccounts: new Map(Object.entries(EXACT_GL_ACCOUNTS)),
  items: ITEMS,
  webUrl: (id: string) => `https://start.exactonline.nl/docs/SlsInvoice.aspx?ID=${id}`,
};

/** The wire amounts of a document's lines, when every one is a JSON number (else the read must park it). */
function wireSum(lines: readonly Json[]): Decimal | null {
  if (!lines.every((l) => typeof l['AmountFC'] === 'number')) return null;
  return Decimal.sum(lines.map((l) => Decimal.fromJsonNumber(l['AmountFC'] as number)));
}

/** Reads a page of purchase-order sync rows: records and verdicts on what could not be read. */
export async function readExactPurchaseOrders(page: { rows: Json[] }, verdict: Verdict): Promise<PurchaseOrder[]> {
  const rows = page.rows as WirePurchaseOrderSyncRow[];
  const numbers = new Map<string, string[]>();
  for (const row of rows) {
    const id = keyOf(row.PurchaseOrderID);
    if (id === null || typeof row.PurchaseOrderID !== 'string') continue;
    verdict.expect(id);
    numbers.set(id, [...(numbers.get(id) ?? [id]), keyOf(row.OrderNumber) ?? id]);
  }
  const withoutDocument = rows.filter((r) => typeof r.PurchaseOrderID !== 'string' || !r.PurchaseOrderID.trim()).length;
  const records: PurchaseOrder[] = [];
  let parkedWithoutDocument = 0;
  const context = { items: ITEMS, webUrl: (id: string) => `https://start.exactonline.nl/docs/PurPurchaseOrder.aspx?ID=${id}` };
  for await (const feedPage of foldedFeedPages(onePage(rows), 1n, PURCHASE_ORDER_KEY)) {
    const mapped = mapPurchaseOrderDocuments(feedPage.documents, context);
    for (const row of [...feedPage.unreadable, ...mapped.unreadable]) {
      if (!numbers.has(row.sourceId)) parkedWithoutDocument += 1;
      verdict.unreadable(row, numbers.get(row.sourceId) ?? []);
    }
    for (const po of mapped.records) {
      for (const line of po.lines) {
        const wire = rows.find((r) => r.ID === line.sourceLineId && r.PurchaseOrderID === po.sourceId && typeof r.AmountFC === 'number');
        if (wire) verdict.sameMoney(`purchase order ${po.number} line ${line.lineNumber}`, wire.AmountFC!, line.amount);
      }
      records.push(po);
    }
  }
  if (withoutDocument > 0 && parkedWithoutDocument === 0) verdict.violations.push(`${withoutDocument} row(s) without a purchase order were neither read nor parked`);
  return records;
}

/** Reads a page of purchase entries (with their lines): records and verdicts. */
export function readExactPurchaseEntries(entries: Json[], verdict: Verdict): PurchaseInvoice[] {
  const names = new Map<string, string[]>();
  entries.forEach((entry) => {
    const id = keyOf(entry?.['EntryID']);
    const number = keyOf(entry?.['EntryNumber']);
    const sourceId = id ?? `purchase-entry-without-id:${number ?? '?'}`;
    verdict.expect(sourceId);
    // Known by its id or number; without both, by the supplier's invoice number when it has one.
    const ref = keyOf(entry?.['YourRef']);
    names.set(sourceId, [id, number].filter((n): n is string => n !== null).concat(id || number || !ref ? [] : [ref.slice(0, 60)]));
  });
  const lookups = {
    supplierCodes: new Map(Object.entries(EXACT_SUPPLIERS)),
    projectCodes: new Map(Object.entries(EXACT_PROJECTS)),
  };
  const mapped = mapPurchaseEntries(entries as WirePurchaseEntry[], lookups);
  for (const row of mapped.unreadable) verdict.unreadable(row, names.get(row.sourceId) ?? []);
  for (const invoice of mapped.records) {
    const wire = entries.find((e) => e['EntryID'] === invoice.sourceId)!;
    const rawLines = wire['PurchaseEntryLines'] as { results?: Json[] } | Json[];
    const wireLines = Array.isArray(rawLines) ? rawLines : (rawLines.results ?? []);
    for (const line of invoice.lines) {
      const w = wireLines.find((l) => l['ID'] === line.sourceLineId);
      if (w && typeof w['AmountFC'] === 'number') verdict.sameMoney(`purchase entry ${invoice.entryNumber} line ${line.lineNumber}`, w['AmountFC'], line.amount);
    }
  }
  return mapped.records;
}

/** Reads a page of the sales-invoice sync feed (folded per invoice, as the connector does): records and verdicts. */
export async function readExactSalesInvoices(page: { rows: Json[] }, verdict: Verdict): Promise<SalesInvoice[]> {
  const rows = page.rows as WireSalesInvoiceRow[];
  const numbers = new Map<string, string[]>();
  for (const row of rows) {
    const id = keyOf(row.InvoiceID);
    if (id === null || typeof row.InvoiceID !== 'string') continue;
    verdict.expect(id);
    numbers.set(id, [...(numbers.get(id) ?? [id]), keyOf(row.InvoiceNumber) ?? id]);
  }
  const records: SalesInvoice[] = [];
  for await (const feedPage of foldedFeedPages(onePage(rows), 1n, SALES_INVOICE_KEY)) {
    const mapped = mapSalesInvoiceDocuments(feedPage.documents, SALES_CONTEXT);
    for (const row of [...feedPage.unreadable, ...mapped.unreadable]) verdict.unreadable(row, numbers.get(row.sourceId) ?? []);
    for (const invoice of mapped.records) {
      const folded = feedPage.documents.find((d) => d.documentId === invoice.sourceId)!;
      const sum = wireSum(folded.lines as Json[]);
      if (sum) verdict.sameMoney(`sales invoice ${invoice.invoiceNumber}`, sum, invoice.amount);
      records.push(invoice);
    }
  }
  return records;
}

/** Reads a page of whole sales orders (salesorder/SalesOrders): records and verdicts. */
export function readExactSalesOrders(orders: Json[], verdict: Verdict): SalesOrder[] {
  const names = new Map<string, string[]>();
  for (const order of orders) {
    const id = typeof order?.['OrderID'] === 'string' ? keyOf(order['OrderID']) : null;
    const number = keyOf(order?.['OrderNumber']);
    const sourceId = id ?? `sales-order-without-id:${number === null ? '?' : number.length > 60 ? `${number.slice(0, 59)}…` : number}`;
    verdict.expect(sourceId);
    // Known by its number or id (a long one as the label cuts it).
    names.set(sourceId, [id, number].filter((n): n is string => n !== null).map((n) => n.slice(0, 59)));
  }
  const mapped = mapSalesOrders(orders as WireSalesOrder[], SALES_CONTEXT);
  for (const row of mapped.unreadable) verdict.unreadable(row, names.get(row.sourceId) ?? []);
  for (const order of mapped.records) {
    const wire = orders.find((o) => o['OrderID'] === order.sourceId)!;
    const raw = wire['SalesOrderLines'] as { results?: Json[] } | Json[];
    const sum = wireSum(Array.isArray(raw) ? raw : (raw.results ?? []));
    if (sum) verdict.sameMoney(`sales order ${order.orderNumber}`, sum, order.amount);
  }
  return mapped.records;
}

export type { ExactPoDocument };

/**
 * The three streams every flow reading Exact's purchase side is fuzzed on (F1, F5): generated
 * purchase-order sync pages and purchase entries read by the connector's own mappers, and records
 * handed to the planner directly (0–6 decimals, zero and negative quantities). `plan` plans one
 * record into the verdict; `targets` names what the flow makes of orders and entries.
 */
export function exactPurchaseStreams(targets: { orders: string; entries: string }, plan: (record: PurchaseOrder | PurchaseInvoice, verdict: Verdict) => void): FuzzStream<never>[] {
  const stream = <I>(s: FuzzStream<I>): FuzzStream<never> => s as unknown as FuzzStream<never>;
  return [
    stream({
      name: `purchase orders (Exact sync feed → ${targets.orders})`,
      page: exactPurchaseOrderPage,
      async run(page) {
        const verdict = new Verdict('Exact Online');
        for (const po of await readExactPurchaseOrders(page, verdict)) plan(po, verdict);
        return verdict.finish();
      },
    }),
    stream({
      name: `purchase entries (Exact → ${targets.entries})`,
      page: exactPurchaseEntryPage,
      run(entries) {
        const verdict = new Verdict('Exact Online');
        for (const inv of readExactPurchaseEntries(entries, verdict)) plan(inv, verdict);
        return verdict.finish();
      },
    }),
    stream({
      name: 'planner only (records with 0–6 decimals, zero and negative quantities)',
      page: fc.array(fc.oneof(domainPurchaseOrder, domainPurchaseInvoice), { minLength: 1, maxLength: 5 }),
      run(records) {
        const verdict = new Verdict('Exact Online');
        for (const r of records) {
          verdict.expect(r.sourceId);
          plan(r, verdict);
        }
        return verdict.finish();
      },
    }),
  ];
}
