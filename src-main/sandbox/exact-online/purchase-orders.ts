import { randomUUID } from 'node:crypto';
import type { SimClock } from '../_common/clock';
import type { SimStore } from '../_common/sim-store';
import { padAccountCode, exactDate, readDecimal, decimalNumber, ExactApiError, type ExactRecord } from './wire';
import { purchaseOrderSyncRow, recomputePurchaseOrderLine, recomputePurchaseOrderTotals } from './entities';
import { requireEndpoint as def, type ExactRepository, type EndpointDef } from './repository';
import { DELETED_ENTITY_TYPE, type SyncLog } from './sync';
import { asObject, checkSettable, readDate, readGuid, transact } from './write-input';

/**
 * The writes the demo and the tests need (fact sheet §1.4 "Write shapes", §1.6):
 *   POST   purchaseorder/PurchaseOrders            -> 201 {"d": created PO with its lines}
 *   PUT    purchaseorder/PurchaseOrders(guid'…')   -> 204; header fields and/or PurchaseOrderLines
 *                                                     (with ID = change that line, without = add one)
 *   PUT    purchaseorder/PurchaseOrderLines(guid'…') -> 204
 *   DELETE purchaseorder/PurchaseOrders(guid'…')   -> 204 and a sync/Deleted row (EntityType 22)
 *   DELETE purchaseorder/PurchaseOrderLines(guid'…') -> 204; the order's other lines are sent again
 * Each change recomputes amounts to the cent, bumps Modified and appends new sync rows (one
 * per line of the order) with fresh Timestamps. Every change is one store transaction.
 */
const HEADER_FIELDS = new Set(['Description', 'YourRef', 'Remarks', 'OrderDate', 'ReceiptDate', 'PaymentCondition', 'SupplierContact']);
const HEADER_DATE_FIELDS = new Set(['OrderDate', 'ReceiptDate']);
const LINE_FIELDS = new Set(['ID', 'Quantity', 'QuantityInPurchaseUnits', 'UnitPrice', 'NetPrice', 'Description', 'CostCenter', 'CostUnit', 'Project', 'ReceiptDate', 'Notes', 'Item']);

const LAST_ORDER_NUMBER = 'purchaseorder:lastOrderNumber';
const HEADERS = def('purchaseorder/PurchaseOrders');
const LINES = def('purchaseorder/PurchaseOrderLines');
const ACCOUNTS = def('crm/Accounts');
const ITEMS = def('logistics/Items');
const PROJECTS = def('project/Projects');
const COST_CENTERS = def('hrm/Costcenters');
const COST_UNITS = def('hrm/Costunits');

export class PurchaseOrderWriter {
  constructor(
    private readonly store: SimStore,
    private readonly repo: ExactRepository,
    private readonly sync: SyncLog,
    private readonly clock: SimClock,
    private readonly division: number,
    private readonly userId: string,
  ) {}

  private findByCode(endpoint: EndpointDef, code: string): ExactRecord | undefined {
    return this.repo.collection(endpoint).find((r) => r.Code === code);
  }

  private byCode(endpoint: EndpointDef, value: unknown, field: string): ExactRecord | null {
    if (value === null) return null;
    if (typeof value !== 'string') throw new ExactApiError(400, `${field} must be a code (text) or null.`);
    const found = this.findByCode(endpoint, value);
    if (!found) throw new ExactApiError(400, `${field} "${value}" does not exist in ${endpoint.path}.`);
    return found;
  }

  /** Applies a line patch (fields already checked) and recomputes the line's amounts. */
  private applyLine(line: ExactRecord, patch: Record<string, unknown>, now: string): ExactRecord {
    const next: ExactRecord = { ...line };
    for (const [field, value] of Object.entries(patch)) {
      switch (field) {
        case 'ID':
        case 'Item':
          break;
        case 'Quantity':
        case 'QuantityInPurchaseUnits': {
          const qty = readDecimal(value, field);
          if (qty.isNegative()) throw new ExactApiError(400, `${field} cannot be negative.`);
          next.Quantity = decimalNumber(qty);
          next.QuantityInPurchaseUnits = decimalNumber(qty);
          break;
        }
        case 'UnitPrice':
        case 'NetPrice': {
          const price = decimalNumber(readDecimal(value, field));
          next.UnitPrice = price;
          next.NetPrice = price;
          break;
        }
        case 'Description':
        case 'Notes':
          if (value !== null && typeof value !== 'string') throw new ExactApiError(400, `${field} must be text.`);
          next[field] = value;
          break;
        case 'CostCenter': {
          const cc = this.byCode(COST_CENTERS, value, field);
          next.CostCenter = cc ? cc.Code : null;
          next.CostCenterDescription = cc ? cc.Description : null;
          break;
        }
        case 'CostUnit': {
          const cu = this.byCode(COST_UNITS, value, field);
          next.CostUnit = cu ? cu.Code : null;
          next.CostUnitDescription = cu ? cu.Description : null;
          break;
        }
        case 'Project': {
          const project = value === null ? null : this.repo.get(PROJECTS, readGuid(value, field));
          if (value !== null && !project) throw new ExactApiError(400, `Project ${String(value)} does not exist.`);
          next.Project = project ? project.ID : null;
          next.ProjectCode = project ? project.Code : null;
          next.ProjectDescription = project ? project.Description : null;
          break;
        }
        case 'ReceiptDate':
          next.ReceiptDate = readDate(value, field);
          break;
      }
    }
    next.Modified = now;
    return recomputePurchaseOrderLine(next);
  }

  private newLine(orderId: string, lineNumber: number, patch: Record<string, unknown>, now: string): ExactRecord {
    const item = this.repo.get(ITEMS, readGuid(patch.Item, 'PurchaseOrderLines[].Item'));
    if (!item) throw new ExactApiError(400, `Item ${String(patch.Item)} does not exist.`);
    if (patch.Quantity === undefined && patch.QuantityInPurchaseUnits === undefined) throw new ExactApiError(400, 'A new purchase order line needs QuantityInPurchaseUnits (or Quantity).');
    // Exact would take the item's cost price; the sandbox items carry none, so it must be sent.
    if (patch.UnitPrice === undefined && patch.NetPrice === undefined) throw new ExactApiError(400, 'A new purchase order line needs a UnitPrice (the sandbox items have no default cost price).');
    const base: ExactRecord = {
      ID: randomUUID(),
      PurchaseOrderID: orderId,
      LineNumber: lineNumber,
      Item: item.ID,
      ItemCode: item.Code,
      ItemDescription: item.Description,
      Description: item.Description,
      Quantity: 0,
      QuantityInPurchaseUnits: 0,
      Unit: item.Unit,
      UnitPrice: 0,
      NetPrice: 0,
      Discount: 0,
      AmountDC: 0,
      AmountFC: 0,
      VATCode: null,
      VATPercentage: 0,
      VATAmount: 0,
      CostCenter: null,
      CostCenterDescription: null,
      CostUnit: null,
      CostUnitDescription: null,
      Project: null,
      ProjectCode: null,
      ProjectDescription: null,
      Expense: null,
      ReceivedQuantity: 0,
      InvoicedQuantity: 0,
      ReceiptDate: now,
      Notes: null,
      Modified: now,
      Division: this.division,
    };
    return this.applyLine(base, patch, now);
  }

  private checkFields(body: Record<string, unknown>, allowed: Set<string>, what: string): void {
    checkSettable(body, allowed, what);
  }

  /** Stores header + lines and appends one sync row per line (new Timestamps). */
  private commit(header: ExactRecord, lines: ExactRecord[]): ExactRecord {
    const finalHeader = recomputePurchaseOrderTotals(header, lines);
    this.repo.put(HEADERS, finalHeader);
    for (const line of lines) {
      this.repo.put(LINES, line);
      this.sync.append('PurchaseOrder/PurchaseOrders', (ts) => purchaseOrderSyncRow(finalHeader, line, ts));
    }
    return finalHeader;
  }

  private transact<R>(fn: () => R): R {
    return transact(this.store, this.repo, fn);
  }

  /** Order numbers are never reused, not even after a delete. */
  private nextOrderNumber(): number {
    let last = this.store.getMeta<number>(LAST_ORDER_NUMBER);
    if (last === undefined) {
      last = 0;
      for (const po of this.repo.collection(HEADERS).all()) last = Math.max(last, Number(po.OrderNumber));
    }
    this.store.setMeta(LAST_ORDER_NUMBER, last + 1);
    return last + 1;
  }

  create(body: unknown): ExactRecord {
    const input = asObject(body, 'The request body');
    this.checkFields(input, new Set([...HEADER_FIELDS, 'Supplier', 'Currency', 'PurchaseOrderLines']), 'PurchaseOrders');
    const supplier = this.repo.get(ACCOUNTS, readGuid(input.Supplier, 'Supplier'));
    if (!supplier || supplier.IsSupplier !== true) throw new ExactApiError(400, `Supplier ${String(input.Supplier)} is not a supplier account.`);
    if (input.Currency !== undefined && input.Currency !== 'EUR') throw new ExactApiError(400, 'Currency must be EUR (the sandbox division currency).');
    const rawLines = input.PurchaseOrderLines;
    if (!Array.isArray(rawLines) || rawLines.length === 0) throw new ExactApiError(400, 'PurchaseOrderLines must be a non-empty array.');
    const nowMs = this.clock.now();
    const now = exactDate(nowMs);
    return this.transact(() => {
      const orderId = randomUUID();
      const lines = rawLines.map((raw, i) => {
        const patch = asObject(raw, `PurchaseOrderLines[${i}]`);
        this.checkFields(patch, LINE_FIELDS, `PurchaseOrderLines[${i}]`);
        return this.newLine(orderId, i + 1, patch, now);
      });
      const orderNumber = this.nextOrderNumber();
      const header: ExactRecord = {
        PurchaseOrderID: orderId,
        OrderNumber: orderNumber,
        Supplier: supplier.ID,
        SupplierCode: padAccountCode(String(supplier.Code).trim()),
        SupplierName: supplier.Name,
        SupplierContact: null,
        OrderDate: now,
        ReceiptDate: now,
        Description: null,
        YourRef: null,
        Remarks: null,
        Currency: 'EUR',
        ExchangeRate: 1,
        AmountDC: 0,
        AmountFC: 0,
        VATAmount: 0,
        PaymentCondition: supplier.PaymentConditionPurchase ?? null,
        OrderStatus: 10,
        OrderStatusDescription: 'Open',
        ReceiptStatus: 10,
        InvoiceStatus: 10,
        ApprovalStatus: 1,
        Approved: now,
        Approver: this.userId,
        Warehouse: null,
        Source: 11, // 11 = Rest API
        Created: now,
        Creator: this.userId,
        Modified: now,
        PurchaseOrderLineCount: 0,
        Division: this.division,
      };
      for (const field of HEADER_FIELDS) {
        if (input[field] === undefined) continue;
        header[field] = HEADER_DATE_FIELDS.has(field) ? readDate(input[field], field) : input[field];
      }
      return this.commit(header, lines);
    });
  }

  update(orderId: string, body: unknown): void {
    const input = asObject(body, 'The request body');
    this.checkFields(input, new Set([...HEADER_FIELDS, 'PurchaseOrderLines']), 'PurchaseOrders');
    const header = this.repo.get(HEADERS, orderId);
    if (!header) throw new ExactApiError(404, `PurchaseOrders(guid'${orderId}') does not exist.`);
    const now = exactDate(this.clock.now());
    this.transact(() => {
      const next: ExactRecord = { ...header, Modified: now };
      for (const field of HEADER_FIELDS) {
        if (input[field] === undefined) continue;
        if (!HEADER_DATE_FIELDS.has(field) && input[field] !== null && typeof input[field] !== 'string') throw new ExactApiError(400, `${field} must be text.`);
        next[field] = HEADER_DATE_FIELDS.has(field) ? readDate(input[field], field) : input[field];
      }
      const lines = this.repo.linesOf(LINES, String(header.PurchaseOrderID));
      if (input.PurchaseOrderLines !== undefined) {
        if (!Array.isArray(input.PurchaseOrderLines)) throw new ExactApiError(400, 'PurchaseOrderLines must be an array.');
        input.PurchaseOrderLines.forEach((raw, i) => {
          const patch = asObject(raw, `PurchaseOrderLines[${i}]`);
          this.checkFields(patch, LINE_FIELDS, `PurchaseOrderLines[${i}]`);
          if (patch.ID === undefined) {
            const nextNumber = lines.reduce((max, l) => Math.max(max, Number(l.LineNumber)), 0) + 1;
            lines.push(this.newLine(String(header.PurchaseOrderID), nextNumber, patch, now));
            return;
          }
          const id = readGuid(patch.ID, `PurchaseOrderLines[${i}].ID`);
          const at = lines.findIndex((l) => String(l.ID).toLowerCase() === id);
          if (at < 0) throw new ExactApiError(400, `PurchaseOrderLines[${i}].ID ${id} is not a line of this purchase order.`);
          if (patch.Item !== undefined && String(patch.Item).toLowerCase() !== String((lines[at] as ExactRecord).Item).toLowerCase()) {
            throw new ExactApiError(400, `PurchaseOrderLines[${i}].Item cannot be changed on an existing line; delete and add the line instead.`);
          }
          lines[at] = this.applyLine(lines[at] as ExactRecord, patch, now);
        });
      }
      this.commit(next, lines);
    });
  }

  updateLine(lineId: string, body: unknown): void {
    const line = this.repo.get(LINES, lineId);
    if (!line) throw new ExactApiError(404, `PurchaseOrderLines(guid'${lineId}') does not exist.`);
    const patch = asObject(body, 'The request body');
    const { ID: _ignored, ...rest } = patch;
    this.update(String(line.PurchaseOrderID), { PurchaseOrderLines: [{ ...rest, ID: line.ID }] });
  }

  /**
   * DELETE PurchaseOrderLines(guid'…'): the line leaves the order; the order's other lines are
   * sent again on the sync feed with the order's new Modified (so a reader folding the feed sees
   * the line is gone: its newest row is older than the order's). The last line cannot go.
   */
  deleteLine(lineId: string): void {
    const line = this.repo.get(LINES, lineId);
    if (!line) throw new ExactApiError(404, `PurchaseOrderLines(guid'${lineId}') does not exist.`);
    const header = this.repo.get(HEADERS, String(line.PurchaseOrderID))!;
    const others = this.repo.linesOf(LINES, String(header.PurchaseOrderID)).filter((l) => l.ID !== line.ID);
    if (others.length === 0) throw new ExactApiError(400, 'This is the only line of the purchase order; delete the purchase order instead.');
    const now = exactDate(this.clock.now());
    this.transact(() => {
      this.repo.delete(LINES, String(line.ID));
      this.commit({ ...header, Modified: now }, others);
    });
  }

  delete(orderId: string): void {
    const header = this.repo.get(HEADERS, orderId);
    if (!header) throw new ExactApiError(404, `PurchaseOrders(guid'${orderId}') does not exist.`);
    const nowMs = this.clock.now();
    this.transact(() => {
      for (const line of this.repo.linesOf(LINES, String(header.PurchaseOrderID))) this.repo.delete(LINES, String(line.ID));
      this.repo.delete(HEADERS, String(header.PurchaseOrderID));
      this.sync.append('Deleted', (ts) => ({
        Timestamp: ts,
        ID: randomUUID(),
        EntityKey: header.PurchaseOrderID,
        EntityType: DELETED_ENTITY_TYPE.PurchaseOrders,
        DeletedBy: this.userId,
        DeletedDate: exactDate(nowMs),
        Division: this.division,
      }));
    });
  }
}
