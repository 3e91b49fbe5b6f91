/**
 * Pure functions: Exact Online wire rows -> source-neutral records (src-shared/domain).
 * No I/O here; lookups the client fetched (item G/L accounts, supplier and project codes) come
 * in as maps. A missing required field throws ExactMappingError naming the field and the
 * record: nothing is silently dropped or defaulted.
 */
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type {
  PartyRef,
  PurchaseInvoice,
  PurchaseInvoiceLine,
  PurchaseOrder,
  PurchaseOrderLine,
  PurchaseOrderStatus,
  SourceDeletion,
} from '../../../src-shared/domain/records';
import type {
  ExpandedLines,
  WireDeletedRow,
  WirePurchaseEntry,
  WirePurchaseEntryLine,
  WirePurchaseOrderSyncRow,
} from './wire';

export class ExactMappingError extends Error {
  constructor(
    /** E.g. "purchase order 3f2a…" or "purchase entry line 9c1e…". */
    readonly record: string,
    readonly field: string,
    problem: string,
  ) {
    super(`Exact Online ${record}: field ${field} ${problem}`);
    this.name = 'ExactMappingError';
  }
}

// ---------------------------------------------------------------------------------------
// Scalars

function required<T>(value: T | null | undefined, record: string, field: string): T {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === ''))
    throw new ExactMappingError(record, field, 'is missing');
  return value;
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
  const match = WIRE_DATE.exec(text);
  if (!match)
    throw new ExactMappingError(record, field, `is not an Exact date (/Date(ms)/): ${JSON.stringify(text)}`);
  return Number(match[1]);
}

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
    throw new ExactMappingError(record, field, `is not a number: ${JSON.stringify(number)}`);
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
  const status = ORDER_STATUS[required(code, record, 'OrderStatus')];
  if (!status)
    throw new ExactMappingError(
      record,
      'OrderStatus',
      `has unknown value ${String(code)} (expected 10, 20, 30 or 40)`,
    );
  return status;
}

const poLabel = (id: string | null | undefined): string => `purchase order ${id ?? '(no PurchaseOrderID)'}`;

/** The rows of one purchase order that describe its current version. */
export interface FoldedPurchaseOrder {
  purchaseOrderId: string;
  /** Row with the highest Timestamp: the header fields as of the latest change. */
  header: WirePurchaseOrderSyncRow;
  /** Latest row per current line, ordered by LineNumber. */
  lines: WirePurchaseOrderSyncRow[];
  maxTimestamp: bigint;
}

/**
 * Fold line-level sync rows into purchase orders (§1.6):
 * - the feed appends a row per line on every change, so a line can appear several times:
 *   the row with the highest Timestamp wins;
 * - each change re-emits every line of the order with the order's new `Modified`, so a line
 *   whose latest row carries an older `Modified` than the order's newest one was removed.
 */
export function foldPurchaseOrderRows(
  rows: readonly WirePurchaseOrderSyncRow[],
): Map<string, FoldedPurchaseOrder> {
  const latestByLine = new Map<string, Map<string, { row: WirePurchaseOrderSyncRow; timestamp: bigint }>>();
  for (const row of rows) {
    const poId = required(row.PurchaseOrderID, poLabel(null), 'PurchaseOrderID');
    const lineId = required(row.ID, `purchase order ${poId} line`, 'ID');
    const timestamp = wireTimestamp(row.Timestamp, `purchase order ${poId} line ${lineId}`);
    const lines =
      latestByLine.get(poId) ?? new Map<string, { row: WirePurchaseOrderSyncRow; timestamp: bigint }>();
    latestByLine.set(poId, lines);
    const current = lines.get(lineId);
    if (!current || timestamp > current.timestamp) lines.set(lineId, { row, timestamp });
  }

  const folded = new Map<string, FoldedPurchaseOrder>();
  for (const [poId, lines] of latestByLine) {
    const latest = [...lines.values()];
    const modifiedOf = (row: WirePurchaseOrderSyncRow): number =>
      parseWireDate(row.Modified, `purchase order ${poId} line ${String(row.ID)}`, 'Modified');
    const newestModified = Math.max(...latest.map(({ row }) => modifiedOf(row)));
    const current = latest.filter(({ row }) => modifiedOf(row) === newestModified);
    const newest = latest.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
    folded.set(poId, {
      purchaseOrderId: poId,
      header: newest.row,
      lines: current.map(({ row }) => row).sort((a, b) => (a.LineNumber ?? 0) - (b.LineNumber ?? 0)),
      maxTimestamp: newest.timestamp,
    });
  }
  return folded;
}

/** Rows ready to fold and emit, rows held for the next page, and the cursor to store. */
export interface PurchaseOrderPageSplit {
  ready: WirePurchaseOrderSyncRow[];
  carried: WirePurchaseOrderSyncRow[];
  cursorAfter: bigint;
}

/**
 * Page boundaries of the line-level feed can fall inside an order (its rows are consecutive
 * Timestamps of one change). The order owning the page's newest row may continue on the next
 * page, so its rows are carried over and the cursor stays below its oldest row; it is emitted
 * with the next page (or at the end of the feed). Every other order on the page is complete:
 * the feed is in Timestamp order, so none of their rows can follow. If a run stops between two
 * pages, the stored cursor makes the next run read the carried order again, whole.
 */
export function splitAtPageBoundary(
  carried: readonly WirePurchaseOrderSyncRow[],
  pageRows: readonly WirePurchaseOrderSyncRow[],
  isLastPage: boolean,
  previousCursor: bigint,
): PurchaseOrderPageSplit {
  const rows = [...carried, ...pageRows];
  const stamped = rows.map((row) => ({
    row,
    timestamp: wireTimestamp(
      row.Timestamp,
      `purchase order ${String(row.PurchaseOrderID)} line ${String(row.ID)}`,
    ),
  }));
  const newest = stamped.reduce<(typeof stamped)[number] | null>(
    (a, b) => (a === null || b.timestamp > a.timestamp ? b : a),
    null,
  );
  const tailOrderId = isLastPage || newest === null ? null : newest.row.PurchaseOrderID;
  const held = stamped.filter(({ row }) => row.PurchaseOrderID === tailOrderId);
  const candidate =
    held.length > 0
      ? held.reduce((min, { timestamp }) => (timestamp < min ? timestamp : min), held[0]!.timestamp) - 1n
      : (newest?.timestamp ?? previousCursor);
  return {
    ready: stamped.filter(({ row }) => row.PurchaseOrderID !== tailOrderId).map(({ row }) => row),
    carried: held.map(({ row }) => row),
    // Never backwards: a stored cursor only moves forward.
    cursorAfter: candidate > previousCursor ? candidate : previousCursor,
  };
}

/** Item guid -> the item's cost G/L account code (null when the item has none). */
export type ItemGlAccounts = ReadonlyMap<string, string | null>;

export function mapPurchaseOrder(po: FoldedPurchaseOrder, itemGlAccounts: ItemGlAccounts): PurchaseOrder {
  const label = poLabel(po.purchaseOrderId);
  const h = po.header;
  return {
    kind: 'purchase-order',
    sourceId: po.purchaseOrderId,
    number: String(required(h.OrderNumber, label, 'OrderNumber')),
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
    lines: po.lines.map((row) => mapPurchaseOrderLine(row, po.purchaseOrderId, itemGlAccounts)),
    sourceVersion: po.maxTimestamp.toString(),
  };
}

function mapPurchaseOrderLine(
  row: WirePurchaseOrderSyncRow,
  poId: string,
  itemGlAccounts: ItemGlAccounts,
): PurchaseOrderLine {
  const label = `purchase order ${poId} line ${String(row.ID)}`;
  const itemId = optionalText(row.Item);
  let glAccountCode: string | null = null;
  if (itemId !== null) {
    if (!itemGlAccounts.has(itemId))
      throw new ExactMappingError(
        label,
        'Item',
        `refers to item ${itemId}, which was not found in logistics/Items`,
      );
    glAccountCode = itemGlAccounts.get(itemId) ?? null;
  }
  return {
    sourceLineId: required(row.ID, label, 'ID'),
    lineNumber: required(row.LineNumber, label, 'LineNumber'),
    itemCode: optionalText(row.ItemCode),
    glAccountCode,
    costCenterCode: optionalText(row.CostCenterCode),
    costUnitCode: optionalText(row.CostUnitCode),
    projectCode: optionalText(row.ProjectCode),
    description: (row.Description ?? row.ItemDescription ?? '').trim(),
    quantity: wireDecimal(row.Quantity, label, 'Quantity').toString(),
    unitPrice: wireDecimal(row.UnitPrice, label, 'UnitPrice').toString(),
    unit: optionalText(row.Unit),
    amount: wireMoney(row.AmountFC, label, 'AmountFC'),
  };
}

// ---------------------------------------------------------------------------------------
// Deletions

export function mapDeletedPurchaseOrder(row: WireDeletedRow): SourceDeletion {
  const label = `deleted record ${row.EntityKey ?? '(no EntityKey)'}`;
  return {
    kind: 'deletion',
    entity: 'purchase-order',
    sourceId: required(row.EntityKey, label, 'EntityKey'),
    deletedAt: wireDateToIsoDateTime(row.DeletedDate, label, 'DeletedDate'),
    sourceVersion: wireTimestamp(row.Timestamp, label).toString(),
  };
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
  const entryId = required(entry.EntryID, 'purchase entry (no EntryID)', 'EntryID');
  const label = `purchase entry ${entryId}`;
  const supplierId = required(entry.Supplier, label, 'Supplier');
  const supplierCode = lookups.supplierCodes.get(supplierId);
  if (supplierCode === undefined)
    throw new ExactMappingError(
      label,
      'Supplier',
      `refers to account ${supplierId}, which was not found in crm/Accounts`,
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
      .map((line) => mapPurchaseEntryLine(line, entryId, lookups))
      .sort((a, b) => a.lineNumber - b.lineNumber),
    sourceVersion: wireDateToIsoDateTime(entry.Modified, label, 'Modified'),
  };
}

function mapPurchaseEntryLine(
  line: WirePurchaseEntryLine,
  entryId: string,
  lookups: PurchaseEntryLookups,
): PurchaseInvoiceLine {
  const label = `purchase entry ${entryId} line ${line.ID ?? '(no ID)'}`;
  const projectId = optionalText(line.Project);
  let projectCode: string | null = null;
  if (projectId !== null) {
    const code = lookups.projectCodes.get(projectId);
    if (code === undefined)
      throw new ExactMappingError(
        label,
        'Project',
        `refers to project ${projectId}, which was not found in project/Projects`,
      );
    projectCode = code;
  }
  return {
    sourceLineId: required(line.ID, label, 'ID'),
    lineNumber: required(line.LineNumber, label, 'LineNumber'),
    glAccountCode: optionalText(line.GLAccountCode),
    costCenterCode: optionalText(line.CostCenter),
    costUnitCode: optionalText(line.CostUnit),
    projectCode,
    description: line.Description?.trim() ?? '',
    amount: wireMoney(line.AmountFC, label, 'AmountFC'),
    vatAmount: wireMoney(line.VATAmountFC, label, 'VATAmountFC'),
  };
}
