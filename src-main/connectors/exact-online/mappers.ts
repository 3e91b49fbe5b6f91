/**
 * Pure functions: Exact Online wire rows -> source-neutral records (src-shared/domain).
 * No I/O here; lookups the client fetched (item G/L accounts, supplier and project codes) come
 * in as maps. A missing required field throws ExactMappingError naming the field and the
 * record: nothing is silently dropped or defaulted.
 */
import { DECIMAL_SCALE, Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type {
  PartyRef,
  PurchaseInvoice,
  PurchaseInvoiceLine,
  PurchaseInvoiceStatus,
  PurchaseOrder,
  PurchaseOrderLine,
  PurchaseOrderStatus,
  SalesDocumentLine,
  SalesInvoice,
  SalesInvoiceStatus,
  SalesOrder,
  SalesOrderStatus,
  SourceDeletion,
  SourceEntity,
  SourceEntityDeletion,
  Supplier,
  SupplierBankAccount,
} from '../../../src-shared/domain/records';
import type {
  DeferredLines,
  ExpandedLines,
  WireBankAccount,
  WireDeletedRow,
  WirePurchaseEntry,
  WirePurchaseEntryLine,
  WirePurchaseOrderSyncRow,
  WireSalesInvoice,
  WireSalesInvoiceRow,
  WireSalesOrder,
  WireSalesOrderLine,
  WireSupplierAccount,
} from './wire';
import { cutText } from '../../../src-shared/domain/text';

export class ExactMappingError extends Error {
  constructor(
    /** E.g. "purchase order 3f2a…" or "purchase entry line 9c1e…". */
    readonly record: string,
    readonly field: string,
    problem: string,
  ) {
    // A record named by a key the wire sent as pages of text is cut: the reason stays readable.
    super(`Exact Online ${record.length > 120 ? `${record.slice(0, 119)}…` : record}: field ${field} ${problem}`);
    this.name = 'ExactMappingError';
  }
}

// ---------------------------------------------------------------------------------------
// Scalars

/** A wire value as a finance user can read it in a reason: never raw JSON, never huge. */
export function describeWireValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a group of fields';
}

/** Fields the mappers read as text (codes, names, guids, /Date()/ values), numbers or yes/no. */
const TEXT_FIELDS = new Set([
  'ID', 'PurchaseOrderID', 'EntryID', 'InvoiceID', 'OrderID', 'Supplier', 'SupplierCode', 'SupplierName', 'Currency',
  'YourRef', 'Item', 'ItemCode', 'ItemDescription', 'Description', 'Unit', 'CostCenterCode', 'CostUnitCode', 'ProjectCode',
  'VATCode', 'CostCenterDescription', 'GLAccountCode', 'GLAccountDescription', 'CostCenter', 'CostUnit', 'Project',
  'InvoiceTo', 'InvoiceToName', 'OrderedBy', 'OrderedByName', 'GLAccount', 'Code', 'Name', 'AddressLine1', 'AddressLine2',
  'AddressLine3', 'Postcode', 'City', 'Country', 'Email', 'Phone', 'VATNumber', 'ChamberOfCommerce', 'BankAccount',
  'BankAccountHolderName', 'BICCode', 'Account', 'EntityKey', 'OrderDate', 'Modified', 'ReceiptDate', 'EntryDate',
  'DueDate', 'InvoiceDate', 'DeliveryDate', 'DeletedDate',
]);
const NUMBER_FIELDS = new Set([
  'Timestamp', 'OrderNumber', 'EntryNumber', 'InvoiceNumber', 'LineNumber', 'OrderStatus', 'Quantity',
  'UnitPrice', 'AmountFC', 'VATAmount', 'VATAmountFC', 'AmountFCExclVat', 'EntityType',
]);
// Status and Type are numbers on documents but letters on accounts and bank accounts ('C', 'A'):
// the code tables check them (an unknown value is reported, never used).
const BOOLEAN_FIELDS = new Set(['Blocked', 'Main', 'IsSupplier']);

/**
 * Refuses a row that is not a record, or a field of the wrong JSON type (a code sent as a
 * number, an amount as an object): the mappers would otherwise fail on it with a JavaScript
 * error that stops the whole read instead of parking the one document.
 */
export function checkWireRow(row: unknown, record: string): void {
  if (row === null || typeof row !== 'object' || Array.isArray(row))
    throw new ExactMappingError(record, '(the row itself)', `is ${describeWireValue(row)}, not a record`);
  for (const [field, value] of Object.entries(row as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    const expected = TEXT_FIELDS.has(field) ? 'string' : NUMBER_FIELDS.has(field) ? 'number' : BOOLEAN_FIELDS.has(field) ? 'boolean' : null;
    if (expected !== null && typeof value !== expected)
      throw new ExactMappingError(record, field, `is ${describeWireValue(value)} where Exact sends ${expected === 'string' ? 'a text' : expected === 'number' ? 'a number' : 'yes or no'}`);
  }
}

function required<T>(value: T | null | undefined, record: string, field: string): T {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === ''))
    throw new ExactMappingError(record, field, 'is missing');
  return value;
}

/** A code table's entry for a wire value: only its own entries ("toString" is no status). */
function ownEntry<T>(table: Readonly<Record<number, T>>, code: unknown): T | undefined {
  return (typeof code === 'number' || typeof code === 'string') && Object.hasOwn(table, code) ? table[code as number] : undefined;
}

/** A key as it may appear in a message, whatever the wire sent in its place. */
function idText(value: unknown, missing = '(no ID)'): string {
  return typeof value === 'string' && value.trim() !== '' ? cutText(value, 60) : typeof value === 'number' ? String(value) : missing;
}

/**
 * "line 2": a document line as finance knows it, by its LineNumber (Exact's line ID is a GUID,
 * never shown); a line without a usable number says so.
 */
export function lineName(row: unknown): string {
  const n = row !== null && typeof row === 'object' ? (row as { LineNumber?: unknown }).LineNumber : undefined;
  return typeof n === 'number' && Number.isSafeInteger(n) ? `line ${n}` : 'a line without a LineNumber';
}

/**
 * A reference Exact's lists do not hold, named by what the row says of it (a customer's name, a
 * G/L account's description, an item's code), never by its GUID: `"Onbekende Klant B.V."`.
 */
function referenceName(...names: unknown[]): string {
  const name = names.find((n): n is string => typeof n === 'string' && n.trim() !== '');
  return name === undefined ? '(its name was not sent)' : JSON.stringify(cutText(name.trim(), 60));
}

function optionalText(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Exact pads account codes to 18 characters, right-aligned (§1.4): "      25" -> "25". */
export function trimCode(code: string): string {
  return code.trim();
}

const WIRE_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/**
 * `/Date(ms)/` -> epoch ms. The fact sheet leaves open whether Exact's values are true UTC or
 * server-local; they are treated as UTC here (the sandbox sends UTC), see README.
 */
export function parseWireDate(value: string | null | undefined, record: string, field: string): number {
  const text = required(value, record, field);
  const match = typeof text === 'string' ? WIRE_DATE.exec(text) : null;
  if (!match)
    throw new ExactMappingError(record, field, `is not an Exact date (/Date(ms)/): ${describeWireValue(text)}`);
  const ms = Number(match[1]);
  // A JavaScript date holds ±8.64e15 ms (years -271821 to 275760); beyond that no date exists.
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_DATE_MS)
    throw new ExactMappingError(record, field, `is a date out of range (${describeWireValue(text)})`);
  return ms;
}

const MAX_DATE_MS = 8.64e15;

/** `/Date(ms)/` -> "YYYY-MM-DD" (UTC). */
export function wireDateToIsoDate(value: string | null | undefined, record: string, field: string): string {
  return new Date(parseWireDate(value, record, field)).toISOString().slice(0, 10);
}

/** `/Date(ms)/` -> full ISO timestamp (UTC, milliseconds). */
export function wireDateToIsoDateTime(
  value: string | null | undefined,
  record: string,
  field: string,
): string {
  return new Date(parseWireDate(value, record, field)).toISOString();
}

/** Exact sends amounts as JSON numbers: read their shortest text, never do float arithmetic. */
export function wireDecimal(value: number | null | undefined, record: string, field: string): Decimal {
  const number = required(value, record, field);
  if (typeof number !== 'number')
    throw new ExactMappingError(record, field, `is not a number: ${describeWireValue(number)}`);
  try {
    return Decimal.fromJsonNumber(number);
  } catch (error) {
    if (error instanceof InvalidDecimalError)
      throw new ExactMappingError(record, field, `is not a plain decimal amount (${error.message})`);
    throw error;
  }
}

/** A money amount with exactly two decimals; refuses an amount that is not whole cents. */
export function wireMoney(value: number | null | undefined, record: string, field: string): string {
  const amount = wireDecimal(value, record, field);
  if (!amount.equals(amount.roundToCents()))
    throw new ExactMappingError(
      record,
      field,
      `has more than two decimals (${amount.toString()}); refusing to round money`,
    );
  return amount.toMoneyString();
}

/** A VAT amount that may be absent (an order without VAT): absent reads as 0.00. */
export function wireMoneyOrZero(value: number | null | undefined, record: string, field: string): string {
  return value === null || value === undefined ? '0.00' : wireMoney(value, record, field);
}

/** Sum of money strings, two decimals. */
function sumMoney(amounts: readonly string[]): string {
  return Decimal.sum(amounts.map((a) => Decimal.parse(a))).toMoneyString();
}

/** An optional date: absent stays null, present must be a /Date(ms)/. */
function optionalIsoDate(value: string | null | undefined, record: string, field: string): string | null {
  return value === null || value === undefined ? null : wireDateToIsoDate(value, record, field);
}

/**
 * Sync `Timestamp` (Int64). JSON.parse turns it into a double, exact only up to 2^53; Exact's
 * values are far below that today (~1e10–1e13). A value beyond it is refused rather than rounded.
 */
export function wireTimestamp(value: number | null | undefined, record: string): bigint {
  const number = required(value, record, 'Timestamp');
  if (!Number.isSafeInteger(number))
    throw new ExactMappingError(
      record,
      'Timestamp',
      `is not an integer JSON can carry exactly: ${String(number)}`,
    );
  return BigInt(number);
}

// ---------------------------------------------------------------------------------------
// Purchase orders (line-level sync rows)

const ORDER_STATUS: Readonly<Record<number, PurchaseOrderStatus>> = {
  10: 'open',
  20: 'partial',
  30: 'complete',
  40: 'cancelled',
};

export function mapOrderStatus(code: number | null | undefined, record: string): PurchaseOrderStatus {
  const status = ownEntry(ORDER_STATUS, required(code, record, 'OrderStatus'));
  if (!status)
    throw new ExactMappingError(
      record,
      'OrderStatus',
      `has unknown value ${describeWireValue(code)} (expected 10, 20, 30 or 40)`,
    );
  return status;
}

/** "purchase order 20001": the number finance knows when it is readable, else the document's id. */
function documentName(what: string, id: string | null | undefined, number: unknown, field: string): string {
  const n = typeof number === 'number' && Number.isSafeInteger(number) ? String(number) : typeof number === 'string' && /^[\w-]{1,30}$/.test(number.trim()) ? number.trim() : null;
  return `${what} ${n ?? id ?? `(no ${field})`}`;
}

const poLabel = (id: string | null | undefined, number?: unknown): string => documentName('purchase order', id, number, 'PurchaseOrderID');

/** What folding needs of a line-level sync row (purchase orders, sales invoices). */
export interface FeedLineRow {
  Timestamp?: number | null;
  ID?: string | null;
  Modified?: string | null;
  LineNumber?: number | null;
}

/** The rows of one document (order, invoice) that describe its current version. */
export interface FoldedDocument<R> {
  documentId: string;
  /** Row with the highest Timestamp: the header fields as of the latest change. */
  header: R;
  /** Latest row per current line, ordered by LineNumber. */
  lines: R[];
  maxTimestamp: bigint;
}

/** How a line-level feed names its document: the key field and a label for messages. */
export interface FeedDocumentKey<R> {
  /** E.g. "purchase order", "sales invoice". */
  what: string;
  field: string;
  of(row: R): string | null | undefined;
  /** The document's number as finance knows it (OrderNumber, InvoiceNumber), for messages. */
  number(row: R): unknown;
}

export const PURCHASE_ORDER_KEY: FeedDocumentKey<WirePurchaseOrderSyncRow> = {
  what: 'purchase order',
  field: 'PurchaseOrderID',
  of: (row) => row.PurchaseOrderID,
  number: (row) => row.OrderNumber,
};

export const SALES_INVOICE_KEY: FeedDocumentKey<WireSalesInvoiceRow> = {
  what: 'sales invoice',
  field: 'InvoiceID',
  of: (row) => row.InvoiceID,
  number: (row) => row.InvoiceNumber,
};

/**
 * Fold line-level sync rows into documents (§1.6):
 * - the feed appends a row per line on every change, so a line can appear several times:
 *   the row with the highest Timestamp wins;
 * - each change re-emits every line of the document with its new `Modified`, so a line whose
 *   latest row carries an older `Modified` than the document's newest one was removed.
 */
export function foldLineRows<R extends FeedLineRow>(
  rows: readonly R[],
  key: FeedDocumentKey<R>,
): Map<string, FoldedDocument<R>> {
  const latestByLine = new Map<string, Map<string, { row: R; timestamp: bigint }>>();
  for (const row of rows) {
    const docId = required(key.of(row), `${key.what} (no ${key.field})`, key.field);
    const lineId = required(row.ID, `${key.what} ${docId} line`, 'ID');
    const timestamp = wireTimestamp(row.Timestamp, `${key.what} ${docId} ${lineName(row)}`);
    const lines = latestByLine.get(docId) ?? new Map<string, { row: R; timestamp: bigint }>();
    latestByLine.set(docId, lines);
    const current = lines.get(lineId);
    if (!current || timestamp > current.timestamp) lines.set(lineId, { row, timestamp });
  }

  const folded = new Map<string, FoldedDocument<R>>();
  for (const [docId, lines] of latestByLine) {
    const latest = [...lines.values()];
    const modifiedOf = (row: R): number =>
      parseWireDate(row.Modified, `${key.what} ${docId} ${lineName(row)}`, 'Modified');
    const newestModified = Math.max(...latest.map(({ row }) => modifiedOf(row)));
    const current = latest.filter(({ row }) => modifiedOf(row) === newestModified);
    const newest = latest.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
    folded.set(docId, {
      documentId: docId,
      header: newest.row,
      lines: current.map(({ row }) => row).sort((a, b) => (a.LineNumber ?? 0) - (b.LineNumber ?? 0)),
      maxTimestamp: newest.timestamp,
    });
  }
  return folded;
}

/** The row's document key when it is a usable one (a non-empty text), else null. */
export function feedDocumentIdOf<R extends FeedLineRow>(row: R, key: FeedDocumentKey<R>): string | null {
  if (row === null || typeof row !== 'object') return null;
  const id = key.of(row);
  return typeof id === 'string' && id.trim() !== '' ? id : null;
}

/**
 * Why the fold cannot take this row (not a record, a field of the wrong type, its document key,
 * line ID, Timestamp or Modified missing or malformed), or null. The fold needs all of them to
 * tell a line's latest version and the lines removed; a document with such a row is parked
 * whole, never folded without it.
 */
export function feedRowProblem<R extends FeedLineRow>(row: R, key: FeedDocumentKey<R>): ExactMappingError | null {
  const docId = feedDocumentIdOf(row, key);
  const record = documentName(key.what, docId, row !== null && typeof row === 'object' ? key.number(row) : undefined, key.field);
  try {
    checkWireRow(row, record);
    required(docId, record, key.field);
    required(row.ID, `${record} ${lineName(row)}`, 'ID');
    wireTimestamp(row.Timestamp, `${record} ${lineName(row)}`);
    parseWireDate(row.Modified, `${record} ${lineName(row)}`, 'Modified');
    return null;
  } catch (error) {
    if (error instanceof ExactMappingError) return error;
    throw error;
  }
}

/** The row's Timestamp, or null when it is missing or not one JSON carries exactly. */
function timestampOrNull(row: FeedLineRow): bigint | null {
  const value = row !== null && typeof row === 'object' ? row.Timestamp : null;
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : null;
}

/** The rows of one purchase order that describe its current version. */
export interface FoldedPurchaseOrder extends FoldedDocument<WirePurchaseOrderSyncRow> {
  purchaseOrderId: string;
}

export function foldPurchaseOrderRows(
  rows: readonly WirePurchaseOrderSyncRow[],
): Map<string, FoldedPurchaseOrder> {
  const folded = new Map<string, FoldedPurchaseOrder>();
  for (const [id, doc] of foldLineRows(rows, PURCHASE_ORDER_KEY)) folded.set(id, { ...doc, purchaseOrderId: id });
  return folded;
}

/** Rows ready to fold and emit, rows held for the next page, and the cursor to store. */
export interface FeedPageSplit<R> {
  ready: R[];
  carried: R[];
  cursorAfter: bigint;
}

export type PurchaseOrderPageSplit = FeedPageSplit<WirePurchaseOrderSyncRow>;

/**
 * Page boundaries of a line-level feed can fall inside a document (its rows are consecutive
 * Timestamps of one change). The document owning the page's newest row may continue on the next
 * page, so its rows are carried over and the cursor stays below its oldest row; it is emitted
 * with the next page (or at the end of the feed). Every other document on the page is complete:
 * the feed is in Timestamp order, so none of their rows can follow. If a run stops between two
 * pages, the stored cursor makes the next run read the carried document again, whole.
 */
export function splitFeedAtPageBoundary<R extends FeedLineRow>(
  carried: readonly R[],
  pageRows: readonly R[],
  isLastPage: boolean,
  previousCursor: bigint,
  key: FeedDocumentKey<R>,
): FeedPageSplit<R> {
  const rows = [...carried, ...pageRows];
  // A row without a usable Timestamp takes no part in placing the cursor; the fold parks its
  // document (feedRowProblem).
  const stamped = rows.map((row) => ({ row, timestamp: timestampOrNull(row), docId: feedDocumentIdOf(row, key) }));
  const newest = stamped.reduce<{ timestamp: bigint; docId: string | null } | null>(
    (a, b) => (b.timestamp !== null && (a === null || b.timestamp > a.timestamp) ? { timestamp: b.timestamp, docId: b.docId } : a),
    null,
  );
  const tailId = isLastPage || newest === null ? null : newest.docId;
  const held = tailId === null ? [] : stamped.filter(({ docId }) => docId === tailId);
  const heldStamps = held.flatMap(({ timestamp }) => (timestamp === null ? [] : [timestamp]));
  const candidate =
    heldStamps.length > 0
      ? heldStamps.reduce((min, timestamp) => (timestamp < min ? timestamp : min)) - 1n
      : (newest?.timestamp ?? previousCursor);
  return {
    ready: stamped.filter(({ docId }) => tailId === null || docId !== tailId).map(({ row }) => row),
    carried: held.map(({ row }) => row),
    // Never backwards: a stored cursor only moves forward.
    cursorAfter: candidate > previousCursor ? candidate : previousCursor,
  };
}

export function splitAtPageBoundary(
  carried: readonly WirePurchaseOrderSyncRow[],
  pageRows: readonly WirePurchaseOrderSyncRow[],
  isLastPage: boolean,
  previousCursor: bigint,
): PurchaseOrderPageSplit {
  return splitFeedAtPageBoundary(carried, pageRows, isLastPage, previousCursor, PURCHASE_ORDER_KEY);
}

/** An item's G/L accounts: cost (purchase lines) and revenue (sales-order lines); null parts unset. */
export interface ItemAccounts {
  costs: { code: string; description: string | null } | null;
  revenue: { code: string; description: string | null } | null;
}

/** Item guid -> its G/L accounts, as looked up in logistics/Items. */
export type ItemGlAccounts = ReadonlyMap<string, ItemAccounts>;

export interface PurchaseOrderContext {
  items: ItemGlAccounts;
  /** Web-screen link of the order (see README "Links back to Exact"). */
  webUrl(purchaseOrderId: string, orderNumber: string): string;
}

export function mapPurchaseOrder(
  po: FoldedDocument<WirePurchaseOrderSyncRow>,
  context: PurchaseOrderContext,
): PurchaseOrder {
  const h = po.header;
  const label = poLabel(po.documentId, (h as { OrderNumber?: unknown } | null)?.OrderNumber);
  checkWireRow(h, label);
  const number = String(required(h.OrderNumber, label, 'OrderNumber'));
  const lines = po.lines.map((row) => mapPurchaseOrderLine(row, label, context.items));
  return {
    kind: 'purchase-order',
    sourceId: po.documentId,
    number,
    supplier: {
      sourceId: required(h.Supplier, label, 'Supplier'),
      code: trimCode(required(h.SupplierCode, label, 'SupplierCode')),
      name: required(h.SupplierName, label, 'SupplierName').trim(),
    },
    orderDate: wireDateToIsoDate(h.OrderDate, label, 'OrderDate'),
    // The line-level feed has no separate header description; the order reference is the
    // header text finance teams key in (see README).
    description: h.YourRef?.trim() ?? '',
    currency: required(h.Currency, label, 'Currency'),
    status: mapOrderStatus(h.OrderStatus, label),
    lines,
    sourceVersion: po.maxTimestamp.toString(),
    receiptDate: optionalIsoDate(h.ReceiptDate, label, 'ReceiptDate'),
    amount: sumMoney(lines.map((l) => l.amount)),
    vatAmount: sumMoney(lines.map((l) => l.vatAmount ?? '0.00')),
    webUrl: context.webUrl(po.documentId, number),
  };
}

/** The item's accounts, or a mapping error when the item was not found in logistics/Items. */
function itemAccountsOf(items: ItemGlAccounts, itemId: string | null, label: string, itemName: readonly unknown[] = []): ItemAccounts | null {
  if (itemId === null) return null;
  const accounts = items.get(itemId);
  if (!accounts)
    throw new ExactMappingError(label, 'Item', `refers to item ${referenceName(...itemName)}, which was not found in logistics/Items`);
  return accounts;
}

function mapPurchaseOrderLine(
  row: WirePurchaseOrderSyncRow,
  poLabel: string,
  items: ItemGlAccounts,
): PurchaseOrderLine {
  const label = `${poLabel} ${lineName(row)}`;
  checkWireRow(row, label);
  const costs = itemAccountsOf(items, optionalText(row.Item), label, [row.ItemCode, row.ItemDescription])?.costs ?? null;
  return {
    sourceLineId: required(row.ID, label, 'ID'),
    lineNumber: required(row.LineNumber, label, 'LineNumber'),
    itemCode: optionalText(row.ItemCode),
    glAccountCode: costs?.code ?? null,
    costCenterCode: optionalText(row.CostCenterCode),
    costUnitCode: optionalText(row.CostUnitCode),
    projectCode: optionalText(row.ProjectCode),
    description: (row.Description ?? row.ItemDescription ?? '').trim(),
    quantity: wireDecimal(row.Quantity, label, 'Quantity').toString(),
    unitPrice: wireDecimal(row.UnitPrice, label, 'UnitPrice').toString(),
    unit: optionalText(row.Unit),
    amount: wireMoney(row.AmountFC, label, 'AmountFC'),
    glAccountDescription: costs?.description ?? null,
    costCenterDescription: optionalText(row.CostCenterDescription),
    vatAmount: wireMoneyOrZero(row.VATAmount, label, 'VATAmount'),
    vatCode: optionalText(row.VATCode),
  };
}

// ---------------------------------------------------------------------------------------
// Deletions

/** A sync/Deleted row (§1.6) as the deletion of `entity`. */
export function mapDeletion<E extends SourceEntity>(row: WireDeletedRow, entity: E): SourceEntityDeletion<E> {
  const label = `deleted record ${idText(row?.EntityKey, '(no EntityKey)')}`;
  checkWireRow(row, label);
  return {
    kind: 'deletion',
    entity,
    sourceId: required(row.EntityKey, label, 'EntityKey'),
    deletedAt: wireDateToIsoDateTime(row.DeletedDate, label, 'DeletedDate'),
    sourceVersion: wireTimestamp(row.Timestamp, label).toString(),
  };
}

export function mapDeletedPurchaseOrder(row: WireDeletedRow): SourceDeletion {
  return mapDeletion(row, 'purchase-order');
}

// ---------------------------------------------------------------------------------------
// Purchase entries (booked supplier invoices)

export interface PurchaseEntryLookups {
  /** Account guid -> trimmed account code. */
  supplierCodes: ReadonlyMap<string, string>;
  /** Project guid -> project code. */
  projectCodes: ReadonlyMap<string, string>;
}

/** The lines of an `$expand`ed navigation property, or null when they were not expanded. */
export function expandedLinesOrNull<T>(lines: ExpandedLines<T> | null | undefined): T[] | null {
  if (Array.isArray(lines)) return lines;
  if (lines && Array.isArray(lines.results)) return lines.results;
  return null;
}

export function expandedLines<T>(
  lines: ExpandedLines<T> | null | undefined,
  record: string,
  field: string,
): T[] {
  const expanded = expandedLinesOrNull(lines);
  if (expanded === null) throw new ExactMappingError(record, field, 'is missing (the lines were not expanded)');
  return expanded;
}

export function mapPurchaseEntry(entry: WirePurchaseEntry, lookups: PurchaseEntryLookups): PurchaseInvoice {
  const entryNumber = entry !== null && typeof entry === 'object' ? (entry as { EntryNumber?: unknown }).EntryNumber : undefined;
  checkWireRow(entry, documentName('purchase entry', idText(entry?.EntryID, '(no EntryID)'), entryNumber, 'EntryID'));
  const entryId = required(entry.EntryID, documentName('purchase entry', null, entryNumber, 'EntryID'), 'EntryID');
  const label = documentName('purchase entry', entryId, entryNumber, 'EntryID');
  const supplierId = required(entry.Supplier, label, 'Supplier');
  const supplierCode = lookups.supplierCodes.get(supplierId);
  if (supplierCode === undefined)
    throw new ExactMappingError(
      label,
      'Supplier',
      `refers to supplier ${referenceName(entry.SupplierName)}, which was not found in crm/Accounts`,
    );
  const supplier: PartyRef = {
    sourceId: supplierId,
    code: supplierCode,
    name: required(entry.SupplierName, label, 'SupplierName').trim(),
  };
  return {
    kind: 'purchase-invoice',
    sourceId: entryId,
    entryNumber: String(required(entry.EntryNumber, label, 'EntryNumber')),
    invoiceNumber: required(entry.YourRef, label, 'YourRef (supplier invoice number)').trim(),
    supplier,
    invoiceDate: wireDateToIsoDate(entry.EntryDate, label, 'EntryDate'),
    dueDate: entry.DueDate ? wireDateToIsoDate(entry.DueDate, label, 'DueDate') : null,
    description: entry.Description?.trim() ?? '',
    currency: required(entry.Currency, label, 'Currency'),
    lines: expandedLines(entry.PurchaseEntryLines, label, 'PurchaseEntryLines')
      .map((line) => mapPurchaseEntryLine(line, label, lookups))
      .sort((a, b) => a.lineNumber - b.lineNumber),
    sourceVersion: wireDateToIsoDateTime(entry.Modified, label, 'Modified'),
    // Type 31 = purchase credit note; an entry without a Type is an ordinary entry (§1.5).
    documentType: entry.Type === 31 ? 'credit-note' : 'invoice',
    purchaseOrderNumber: entry.OrderNumber === null || entry.OrderNumber === undefined ? null : String(entry.OrderNumber),
    ...(ownEntry(ENTRY_STATUS, entry.Status) !== undefined
      ? { status: ownEntry(ENTRY_STATUS, entry.Status)! }
      : {}),
  };
}

const ENTRY_STATUS: Readonly<Record<number, PurchaseInvoiceStatus>> = { 5: 'rejected', 20: 'open', 50: 'processed' };

/**
 * amount ÷ quantity when it divides exactly within the decimal scale (6 places), else null:
 * a rounded unit price would not multiply back to the booked amount.
 */
export function exactUnitPrice(amount: string, quantity: string | null): string | null {
  if (quantity === null) return null;
  const q = Decimal.parse(quantity);
  if (q.isZero()) return null;
  const a = Decimal.parse(amount);
  const scaled = a.units * 10n ** BigInt(DECIMAL_SCALE);
  if (scaled % q.units !== 0n) return null;
  return Decimal.fromUnits(scaled / q.units).toString();
}

function mapPurchaseEntryLine(
  line: WirePurchaseEntryLine,
  entryLabel: string,
  lookups: PurchaseEntryLookups,
): PurchaseInvoiceLine {
  const label = `${entryLabel} ${lineName(line)}`;
  checkWireRow(line, label);
  const projectId = optionalText(line.Project);
  let projectCode: string | null = null;
  if (projectId !== null) {
    const code = lookups.projectCodes.get(projectId);
    if (code === undefined)
      throw new ExactMappingError(
        label,
        'Project',
        `refers to project ${cutText(projectId, 60)}, which was not found in project/Projects`,
      );
    projectCode = code;
  }
  const amount = wireMoney(line.AmountFC, label, 'AmountFC');
  const quantity =
    line.Quantity === null || line.Quantity === undefined ? null : wireDecimal(line.Quantity, label, 'Quantity').toString();
  return {
    sourceLineId: required(line.ID, label, 'ID'),
    lineNumber: required(line.LineNumber, label, 'LineNumber'),
    glAccountCode: optionalText(line.GLAccountCode),
    costCenterCode: optionalText(line.CostCenter),
    costUnitCode: optionalText(line.CostUnit),
    projectCode,
    description: line.Description?.trim() ?? '',
    amount,
    vatAmount: wireMoney(line.VATAmountFC, label, 'VATAmountFC'),
    glAccountDescription: optionalText(line.GLAccountDescription),
    costCenterDescription: optionalText(line.CostCenterDescription),
    quantity,
    unitPrice: exactUnitPrice(amount, quantity),
    vatCode: optionalText(line.VATCode),
  };
}

// ---------------------------------------------------------------------------------------
// Sales invoices (line-level sync rows) and sales orders (standard endpoint, lines expanded)

export interface SalesDocumentContext {
  /** Account guid -> trimmed account code (customers). */
  accountCodes: ReadonlyMap<string, string>;
  /** G/L account guid -> code and description (sales-invoice lines name the guid only). */
  glAccounts: ReadonlyMap<string, { code: string; description: string | null }>;
  /** Item guid -> its G/L accounts (sales-order lines take the revenue account). */
  items: ItemGlAccounts;
  webUrl(id: string, number: string): string;
}

const SALES_INVOICE_STATUS: Readonly<Record<number, SalesInvoiceStatus>> = { 10: 'draft', 20: 'open', 50: 'processed' };
/** 8020 invoice, 8021 credit note, 8023 direct invoice, 8024 direct credit note (§1.5). */
const SALES_INVOICE_TYPE: Readonly<Record<number, 'invoice' | 'credit-note'>> = {
  8020: 'invoice',
  8021: 'credit-note',
  8023: 'invoice',
  8024: 'credit-note',
};
const SALES_ORDER_STATUS: Readonly<Record<number, SalesOrderStatus>> = { 12: 'open', 20: 'partial', 21: 'complete', 45: 'cancelled' };

function coded<T>(table: Readonly<Record<number, T>>, code: number | null | undefined, record: string, field: string): T {
  const value = ownEntry(table, required(code, record, field));
  if (value === undefined)
    throw new ExactMappingError(record, field, `has unknown value ${describeWireValue(code)} (expected ${Object.keys(table).join(', ')})`);
  return value;
}

function customerOf(
  accountId: string | null | undefined,
  name: string | null | undefined,
  context: SalesDocumentContext,
  record: string,
  idField: string,
  nameField: string,
): PartyRef {
  const id = required(accountId, record, idField);
  const code = context.accountCodes.get(id);
  if (code === undefined)
    throw new ExactMappingError(record, idField, `refers to customer ${referenceName(name)}, which was not found in crm/Accounts`);
  return { sourceId: id, code, name: required(name, record, nameField).trim() };
}

export function mapSalesInvoice(invoice: FoldedDocument<WireSalesInvoiceRow>, context: SalesDocumentContext): SalesInvoice {
  const h = invoice.header;
  const label = salesInvoiceLabel(invoice.documentId, (h as { InvoiceNumber?: unknown } | null)?.InvoiceNumber);
  checkWireRow(h, label);
  const number = String(required(h.InvoiceNumber, label, 'InvoiceNumber'));
  const lines = invoice.lines.map((row) => mapSalesInvoiceLine(row, label, context));
  return {
    kind: 'sales-invoice',
    sourceId: invoice.documentId,
    invoiceNumber: number,
    documentType: coded(SALES_INVOICE_TYPE, h.Type, label, 'Type'),
    customer: customerOf(h.InvoiceTo, h.InvoiceToName, context, label, 'InvoiceTo', 'InvoiceToName'),
    invoiceDate: wireDateToIsoDate(h.InvoiceDate, label, 'InvoiceDate'),
    dueDate: optionalIsoDate(h.DueDate, label, 'DueDate'),
    currency: required(h.Currency, label, 'Currency'),
    status: coded(SALES_INVOICE_STATUS, h.Status, label, 'Status'),
    yourRef: optionalText(h.YourRef),
    amount: sumMoney(lines.map((l) => l.amount)),
    vatAmount: sumMoney(lines.map((l) => l.vatAmount)),
    lines,
    webUrl: context.webUrl(invoice.documentId, number),
    sourceVersion: invoice.maxTimestamp.toString(),
  };
}

/** "sales invoice 26100007": by its number when readable, else by its InvoiceID. */
const salesInvoiceLabel = (id: string | null | undefined, number: unknown): string => documentName('sales invoice', id, number, 'InvoiceID');
/** "sales order 14003": by its number when readable, else by its OrderID. */
const salesOrderLabel = (id: string | null | undefined, number: unknown): string => documentName('sales order', id, number, 'OrderID');

function mapSalesInvoiceLine(row: WireSalesInvoiceRow, invoiceLabel: string, context: SalesDocumentContext): SalesDocumentLine {
  const label = `${invoiceLabel} ${lineName(row)}`;
  checkWireRow(row, label);
  const glId = optionalText(row.GLAccount);
  let gl: { code: string; description: string | null } | null = null;
  if (glId !== null) {
    gl = context.glAccounts.get(glId) ?? null;
    if (gl === null)
      throw new ExactMappingError(label, 'GLAccount', `refers to G/L account ${referenceName(row.GLAccountDescription)}, which was not found in financial/GLAccounts`);
  }
  return {
    sourceLineId: required(row.ID, label, 'ID'),
    lineNumber: required(row.LineNumber, label, 'LineNumber'),
    itemCode: optionalText(row.ItemCode),
    glAccountCode: gl?.code ?? null,
    glAccountDescription: optionalText(row.GLAccountDescription) ?? gl?.description ?? null,
    costCenterCode: optionalText(row.CostCenter),
    costCenterDescription: optionalText(row.CostCenterDescription),
    costUnitCode: optionalText(row.CostUnit),
    description: row.Description?.trim() ?? '',
    quantity: wireDecimal(row.Quantity, label, 'Quantity').toString(),
    unitPrice: wireDecimal(row.UnitPrice, label, 'UnitPrice').toString(),
    amount: wireMoney(row.AmountFC, label, 'AmountFC'),
    vatAmount: wireMoneyOrZero(row.VATAmountFC, label, 'VATAmountFC'),
    vatCode: optionalText(row.VATCode),
  };
}

/**
 * True when the folded lines do not add up to the header's total excl. VAT (when the feed
 * carries it): the fold's removed-line rule met a feed that re-sent only part of the lines, and
 * the invoice must be read whole from salesinvoice/SalesInvoices (README).
 */
export function foldedLinesDisagreeWithTotal(invoice: FoldedDocument<WireSalesInvoiceRow>): boolean {
  const total = invoice.header.AmountFCExclVat;
  if (typeof total !== 'number') return false;
  try {
    const sum = Decimal.sum(invoice.lines.map((l) => wireDecimal(l.AmountFC, 'sales invoice line', 'AmountFC')));
    return !sum.equals(Decimal.fromJsonNumber(total));
  } catch {
    return false; // an unreadable amount is reported when the invoice is mapped
  }
}

/** The standard endpoint's invoice as feed rows (header fields on each line), at the feed's version. */
export function salesInvoiceAsFeedRows(
  invoice: WireSalesInvoice,
  timestamp: bigint,
): WireSalesInvoiceRow[] {
  const { SalesInvoiceLines: rawLines, ...header } = invoice;
  const lines = expandedLinesOrNull(rawLines) ?? [];
  return lines.map((line) => ({ ...header, ...line, Timestamp: Number(timestamp) }));
}

export function mapSalesOrder(order: WireSalesOrder, context: SalesDocumentContext): SalesOrder {
  const orderNumber = order !== null && typeof order === 'object' ? (order as { OrderNumber?: unknown }).OrderNumber : undefined;
  checkWireRow(order, salesOrderLabel(idText(order?.OrderID, '(no OrderID)'), orderNumber));
  const orderId = required(order.OrderID, salesOrderLabel(null, orderNumber), 'OrderID');
  const label = salesOrderLabel(orderId, orderNumber);
  const number = String(required(order.OrderNumber, label, 'OrderNumber'));
  const wireLines = expandedLines(order.SalesOrderLines, label, 'SalesOrderLines');
  const lines = wireLines
    .map((line) => mapSalesOrderLine(line, label, context))
    .sort((a, b) => a.lineNumber - b.lineNumber);
  const modified = Math.max(
    parseWireDate(order.Modified, label, 'Modified'),
    ...wireLines.map((l) => (l.Modified ? parseWireDate(l.Modified, `${label} ${lineName(l)}`, 'Modified') : 0)),
  );
  return {
    kind: 'sales-order',
    sourceId: orderId,
    orderNumber: number,
    customer: customerOf(order.OrderedBy, order.OrderedByName, context, label, 'OrderedBy', 'OrderedByName'),
    orderDate: wireDateToIsoDate(order.OrderDate, label, 'OrderDate'),
    deliveryDate: optionalIsoDate(order.DeliveryDate, label, 'DeliveryDate'),
    description: order.Description?.trim() ?? '',
    currency: required(order.Currency, label, 'Currency'),
    status: coded(SALES_ORDER_STATUS, order.Status, label, 'Status'),
    yourRef: optionalText(order.YourRef),
    amount: sumMoney(lines.map((l) => l.amount)),
    vatAmount: sumMoney(lines.map((l) => l.vatAmount)),
    lines,
    webUrl: context.webUrl(orderId, number),
    // The newest change of header or lines: the two feeds have separate Timestamps.
    sourceVersion: new Date(modified).toISOString(),
  };
}

function mapSalesOrderLine(line: WireSalesOrderLine, orderLabel: string, context: SalesDocumentContext): SalesDocumentLine {
  const label = `${orderLabel} ${lineName(line)}`;
  checkWireRow(line, label);
  const revenue = itemAccountsOf(context.items, optionalText(line.Item), label, [line.ItemCode, line.ItemDescription])?.revenue ?? null;
  return {
    sourceLineId: required(line.ID, label, 'ID'),
    lineNumber: required(line.LineNumber, label, 'LineNumber'),
    itemCode: optionalText(line.ItemCode),
    glAccountCode: revenue?.code ?? null,
    glAccountDescription: revenue?.description ?? null,
    costCenterCode: optionalText(line.CostCenter),
    costCenterDescription: optionalText(line.CostCenterDescription),
    costUnitCode: optionalText(line.CostUnit),
    description: (line.Description ?? line.ItemDescription ?? '').trim(),
    quantity: wireDecimal(line.Quantity, label, 'Quantity').toString(),
    unitPrice: wireDecimal(line.UnitPrice, label, 'UnitPrice').toString(),
    amount: wireMoney(line.AmountFC, label, 'AmountFC'),
    vatAmount: wireMoneyOrZero(line.VATAmount, label, 'VATAmount'),
    vatCode: optionalText(line.VATCode),
  };
}

// ---------------------------------------------------------------------------------------
// Suppliers (crm/Accounts, sync/CRM/Accounts)

/** The bank accounts inline on the row, or null when they came deferred (or not at all). */
export function inlineBankAccounts(
  value: ExpandedLines<WireBankAccount> | DeferredLines | null | undefined,
): WireBankAccount[] | null {
  if (value === null || value === undefined || (!Array.isArray(value) && '__deferred' in value)) return null;
  return expandedLinesOrNull(value);
}

export interface SupplierContext {
  /** Bank accounts looked up for rows that did not carry them inline (account guid -> rows). */
  bankAccounts: ReadonlyMap<string, readonly WireBankAccount[]>;
  webUrl(accountId: string, code: string): string;
}

export function mapSupplier(row: WireSupplierAccount, context: SupplierContext): Supplier {
  checkWireRow(row, `supplier ${idText(row?.ID, '(no ID)')}`);
  const id = required(row.ID, 'supplier (no ID)', 'ID');
  const label = `supplier ${id}`;
  const code = trimCode(required(row.Code, label, 'Code'));
  const banks = inlineBankAccounts(row.BankAccounts) ?? context.bankAccounts.get(id.toLowerCase());
  if (banks === undefined)
    throw new ExactMappingError(label, 'BankAccounts', 'is missing (neither sent with the account nor found in crm/BankAccounts)');
  const modifiedMs = parseWireDate(row.Modified, label, 'Modified');
  return {
    kind: 'supplier',
    sourceId: id,
    code,
    name: required(row.Name, label, 'Name').trim(),
    addressLine1: optionalText(row.AddressLine1),
    addressLine2: optionalText(row.AddressLine2),
    addressLine3: optionalText(row.AddressLine3),
    postcode: optionalText(row.Postcode),
    city: optionalText(row.City),
    country: optionalText(row.Country),
    email: optionalText(row.Email),
    phone: optionalText(row.Phone),
    vatNumber: optionalText(row.VATNumber),
    chamberOfCommerce: optionalText(row.ChamberOfCommerce),
    bankAccounts: banks.map((bank) => mapBankAccount(bank, label)),
    blocked: row.Blocked === true,
    modifiedAt: new Date(modifiedMs).toISOString(),
    webUrl: context.webUrl(id, code),
    // Feed rows carry their Timestamp; an account read from crm/Accounts has only Modified.
    sourceVersion:
      row.Timestamp === null || row.Timestamp === undefined
        ? new Date(modifiedMs).toISOString()
        : wireTimestamp(row.Timestamp, label).toString(),
  };
}

function mapBankAccount(bank: WireBankAccount, supplierLabel: string): SupplierBankAccount {
  const label = `${supplierLabel} bank account ${idText(bank?.ID)}`;
  checkWireRow(bank, label);
  return {
    sourceId: required(bank.ID, label, 'ID'),
    accountNumber: required(bank.BankAccount, label, 'BankAccount').trim(),
    holderName: optionalText(bank.BankAccountHolderName),
    bic: optionalText(bank.BICCode),
    isMain: bank.Main === true,
  };
}
