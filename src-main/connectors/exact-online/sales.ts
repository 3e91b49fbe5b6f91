/**
 * F4's sales reads: sales invoices from their line-level sync feed (folded per invoice like
 * purchase orders), sales orders detected on their two sync feeds and read whole from
 * salesorder/SalesOrders. Design and costs: README "Sales invoices" / "Sales orders".
 */
import type { SalesInvoice, SalesOrder } from '../../../src-shared/domain/records';
import type { SourcePage, UnreadableSourceRow } from '../connector';
import { inLookupWindows } from '../_kit';
import type { ExactClient } from './client';
import type { WebLinkBuilder } from './links';
import {
  SALES_INVOICE_KEY,
  expandedLinesOrNull,
  foldedLinesDisagreeWithTotal,
  mapSalesInvoice,
  mapSalesOrder,
  parseWireDate,
  salesInvoiceAsFeedRows,
  type FoldedDocument,
  type SalesDocumentContext,
} from './mappers';
import { foldedFeedPages, mapEach, parseTimestampCursor, type ExactLookups } from './streams';
import type { WireSalesInvoiceRow, WireSalesOrder, WireSalesOrderFeedRow } from './wire';

/** Sync rows gathered before their lookups (customers, G/L accounts) are resolved in one go. */
const LOOKUP_WINDOW_INVOICE_ROWS = 10_000;

export interface SalesReadDeps {
  client: ExactClient;
  lookups: ExactLookups;
  links: WebLinkBuilder;
}

function context(deps: SalesReadDeps, kind: 'salesInvoice' | 'salesOrder'): SalesDocumentContext {
  return {
    accountCodes: deps.lookups.accountCodes,
    glAccounts: deps.lookups.glAccounts,
    items: deps.lookups.items,
    webUrl: (id, number) => deps.links(kind, id, number),
  };
}

/**
 * Cursor: the sync Timestamp (Int64 as a decimal string); null = from the start. Invoices whose
 * folded lines do not add up to the header's total excl. VAT are read again whole from
 * salesinvoice/SalesInvoices (one call per 20), so a feed that re-sent only the changed line
 * cannot drop lines (README).
 */
export async function* readSalesInvoices(
  deps: SalesReadDeps,
  cursor: string | null,
): AsyncGenerator<SourcePage<SalesInvoice>> {
  const { client, lookups } = deps;
  const start = parseTimestampCursor(cursor);
  const pages = inLookupWindows(
    foldedFeedPages(client.salesInvoiceSyncPages(start.toString()), start, SALES_INVOICE_KEY),
    (page) => page.rows,
    LOOKUP_WINDOW_INVOICE_ROWS,
    async (window) => {
      const invoices = window.flatMap((page) => page.documents);
      await completeFromStandardEndpoint(client, invoices);
      await lookups.loadAccounts(invoices.flatMap((i) => (i.header.InvoiceTo ? [i.header.InvoiceTo] : [])));
      await lookups.loadGlAccounts(invoices.flatMap((i) => i.lines.flatMap((l) => (l.GLAccount ? [l.GLAccount] : []))));
    },
  );
  const ctx = context(deps, 'salesInvoice');
  for await (const page of pages) {
    const { records, unreadable } = mapSalesInvoiceDocuments(page.documents, ctx);
    yield { records, deletions: [], unreadable: [...page.unreadable, ...unreadable], cursorAfter: page.cursorAfter };
  }
}

/** A page of folded sales invoices as records, and the invoices that cannot be read (the read's mapping, pure). */
export function mapSalesInvoiceDocuments(documents: readonly FoldedDocument<WireSalesInvoiceRow>[], ctx: SalesDocumentContext) {
  return mapEach(
    documents,
    (invoice) => mapSalesInvoice(invoice, ctx),
    (invoice) => ({
      sourceId: invoice.documentId,
      label: `Sales invoice ${labelText(invoice.header.InvoiceNumber) ?? labelText(invoice.documentId) ?? invoice.documentId}`,
      raw: { header: invoice.header, lines: invoice.lines },
    }),
  );
}

/** Whole sales orders as records, and the orders that cannot be read (the read's mapping, pure). */
export function mapSalesOrders(orders: readonly WireSalesOrder[], ctx: SalesDocumentContext) {
  return mapEach(
    orders,
    (order) => mapSalesOrder(order, ctx),
    (order) => {
      // A key that is no text (a number, a group of fields) is no key: the order is named by its number.
      const id = typeof order?.OrderID === 'string' && order.OrderID.trim() !== '' ? order.OrderID : null;
      const number = labelText(order?.OrderNumber);
      return { sourceId: id ?? `sales-order-without-id:${number ?? '?'}`, label: `Sales order ${number ?? labelText(id) ?? '(no number)'}`, raw: order };
    },
  );
}

/**
 * A document number or key as a label shows it: text or a whole number, long text cut; null for
 * anything else the wire sent (a group of fields, a fraction), so a label never shows raw data.
 */
function labelText(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.length > 60 ? `${value.slice(0, 59)}…` : value;
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : null;
}

/** Replaces, in place, the lines of invoices the fold may have cut short by the invoice as Exact holds it now. */
async function completeFromStandardEndpoint(
  client: ExactClient,
  invoices: FoldedDocument<WireSalesInvoiceRow>[],
): Promise<void> {
  const suspect = invoices.filter(foldedLinesDisagreeWithTotal);
  if (suspect.length === 0) return;
  const whole = new Map((await client.salesInvoicesById(suspect.map((i) => i.documentId))).map((i) => [i.InvoiceID, i]));
  for (const invoice of suspect) {
    const current = whole.get(invoice.documentId);
    // Gone since (deleted): its deletion comes through readDeletedSalesInvoices.
    if (!current) continue;
    const rows = salesInvoiceAsFeedRows(current, invoice.maxTimestamp);
    if (rows.length === 0) continue;
    invoice.header = rows[0]!;
    invoice.lines = rows.sort((a, b) => (a.LineNumber ?? 0) - (b.LineNumber ?? 0));
  }
}

/** Sales-order cursor: `<headers Timestamp>:<lines Timestamp>`, one position per sync feed. */
interface SalesOrderCursor {
  headers: bigint;
  lines: bigint;
}

export function parseSalesOrderCursor(cursor: string | null): SalesOrderCursor {
  if (cursor === null || cursor === '') return { headers: 1n, lines: 1n };
  const match = /^(\d+):(\d+)$/.exec(cursor);
  if (!match)
    throw new RangeError(`Exact Online sales-order cursor must look like "<headers>:<lines>" (two whole numbers), got ${JSON.stringify(cursor)}`);
  return { headers: BigInt(match[1]!), lines: BigInt(match[2]!) };
}

const formatSalesOrderCursor = (c: SalesOrderCursor): string => `${c.headers}:${c.lines}`;

/**
 * Sales orders have a header feed and a separate line feed (§1.6), and a line change need not
 * re-send the header or the other lines. So the feeds only say WHICH orders changed; each
 * changed order is then read whole from salesorder/SalesOrders with its lines (20 per call).
 * First every page of the header feed, then every page of the line feed; each page's cursor
 * moves only the feed it came from. A line change already seen in an order read earlier in the
 * same run (its line carried that `Modified` or a newer one) costs no second read.
 */
export async function* readSalesOrders(
  deps: SalesReadDeps,
  cursor: string | null,
): AsyncGenerator<SourcePage<SalesOrder>> {
  const { client, lookups } = deps;
  const position = parseSalesOrderCursor(cursor);
  const ctx = context(deps, 'salesOrder');
  /** Order id -> line id -> Modified (ms) of the orders read in this run. */
  const seen = new Map<string, Map<string, number>>();

  const readWhole = async (orderIds: readonly string[]): Promise<{ records: SalesOrder[]; unreadable: UnreadableSourceRow[] }> => {
    const orders = orderIds.length === 0 ? [] : await client.salesOrdersById(orderIds);
    for (const order of orders) if (order.OrderID) seen.set(order.OrderID, lineVersions(order));
    const lines = orders.flatMap((o) => expandedLinesOrNull(o.SalesOrderLines) ?? []);
    await lookups.loadAccounts(orders.flatMap((o) => (o.OrderedBy ? [o.OrderedBy] : [])));
    await lookups.loadItems(lines.flatMap((l) => (l.Item ? [l.Item] : [])));
    return mapSalesOrders(orders, ctx);
  };

  for await (const rows of client.salesOrderHeaderFeedPages(position.headers.toString())) {
    position.headers = maxTimestamp(rows, position.headers);
    const { records, unreadable } = await readWhole(orderIdsOf(rows));
    yield { records, deletions: [], unreadable, cursorAfter: formatSalesOrderCursor(position) };
  }
  for await (const rows of client.salesOrderLineFeedPages(position.lines.toString())) {
    position.lines = maxTimestamp(rows, position.lines);
    const changed = rows.filter((row) => !alreadyRead(seen, row));
    const { records, unreadable } = await readWhole(orderIdsOf(changed));
    yield { records, deletions: [], unreadable, cursorAfter: formatSalesOrderCursor(position) };
  }
}

function orderIdsOf(rows: readonly WireSalesOrderFeedRow[]): string[] {
  return [...new Set(rows.flatMap((row) => (row.OrderID ? [row.OrderID] : [])))];
}

function maxTimestamp(rows: readonly WireSalesOrderFeedRow[], floor: bigint): bigint {
  let max = floor;
  for (const row of rows) {
    if (typeof row.Timestamp !== 'number' || !Number.isSafeInteger(row.Timestamp))
      throw new Error(`Exact Online sales-order feed: a row without a usable Timestamp (${JSON.stringify(row.Timestamp ?? null)}).`);
    if (BigInt(row.Timestamp) > max) max = BigInt(row.Timestamp);
  }
  return max;
}

function lineVersions(order: WireSalesOrder): Map<string, number> {
  const versions = new Map<string, number>();
  for (const line of expandedLinesOrNull(order.SalesOrderLines) ?? []) {
    if (!line.ID) continue;
    versions.set(line.ID, dateOr(line.Modified, Number.NEGATIVE_INFINITY));
  }
  return versions;
}

/** The line row's change is already in an order read in this run (same or newer Modified). */
function alreadyRead(seen: ReadonlyMap<string, ReadonlyMap<string, number>>, row: WireSalesOrderFeedRow): boolean {
  if (!row.OrderID || !row.ID || !row.Modified) return false;
  const read = seen.get(row.OrderID)?.get(row.ID);
  // An unreadable date never counts as already read.
  return read !== undefined && read >= dateOr(row.Modified, Number.POSITIVE_INFINITY);
}

function dateOr(value: string | null | undefined, fallback: number): number {
  try {
    return parseWireDate(value, 'sales order line', 'Modified');
  } catch {
    return fallback;
  }
}
