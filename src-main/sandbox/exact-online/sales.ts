import { randomUUID } from 'node:crypto';
import type { SimClock } from '../_common/clock';
import type { SimStore } from '../_common/sim-store';
import { entitySyncRow, salesInvoiceSyncRow } from './entities';
import { requireEndpoint, type ExactRepository } from './repository';
import { DELETED_ENTITY_TYPE, type SyncLog } from './sync';
import { ExactApiError, exactDate, type ExactRecord } from './wire';
import { asObject, checkSettable, readDate, readText, transact } from './write-input';

/**
 * The sales-side writes the tests need to move the sync feeds (fact sheet §1.5, §1.6):
 *   PUT    salesinvoice/SalesInvoices(guid'…')   Description, YourRef, DueDate -> 204; one new
 *          sync/SalesInvoice/SalesInvoices row per line (the feed is line level, header fields
 *          repeated, so a header change re-sends every line)
 *   DELETE salesinvoice/SalesInvoices(guid'…')   -> 204; sync/Deleted EntityType 13
 *   PUT    salesorder/SalesOrders(guid'…')       Description, YourRef, DeliveryDate -> 204; one new
 *          sync/SalesOrder/SalesOrderHeaders row
 *   PUT    salesorder/SalesOrderLines(guid'…')   Description -> 204; one new SalesOrderLines row
 *          only (the header is not touched: the feeds are separate)
 *   DELETE salesorder/SalesOrders(guid'…')       -> 204; sync/Deleted EntityType 32 for the order
 *          and 33 for each of its lines
 * Processed sales invoices (Status 50) cannot be changed or deleted; only open (12) or cancelled
 * (45) sales orders can be deleted (one with deliveries cannot).
 */
const INVOICES = requireEndpoint('salesinvoice/SalesInvoices');
const INVOICE_LINES = requireEndpoint('salesinvoice/SalesInvoiceLines');
const ORDERS = requireEndpoint('salesorder/SalesOrders');
const ORDER_LINES = requireEndpoint('salesorder/SalesOrderLines');

const INVOICE_SETTABLE: ReadonlySet<string> = new Set(['Description', 'YourRef', 'DueDate']);
const ORDER_SETTABLE: ReadonlySet<string> = new Set(['Description', 'YourRef', 'DeliveryDate']);
const ORDER_LINE_SETTABLE: ReadonlySet<string> = new Set(['Description']);
const PROCESSED = 50;
const DELETABLE_ORDER_STATUS = new Set([12, 45]);

export class SalesWriter {
  constructor(
    private readonly store: SimStore,
    private readonly repo: ExactRepository,
    private readonly sync: SyncLog,
    private readonly clock: SimClock,
    private readonly division: number,
    private readonly userId: string,
  ) {}

  updateInvoice(id: string, body: unknown): void {
    const input = asObject(body, 'The request body');
    checkSettable(input, INVOICE_SETTABLE, 'salesinvoice/SalesInvoices');
    const invoice = this.invoice(id);
    if (invoice.Status === PROCESSED) throw new ExactApiError(400, `Sales invoice ${String(invoice.InvoiceNumber)} is processed and can no longer be changed.`);
    transact(this.store, this.repo, () => {
      const now = exactDate(this.clock.now());
      const next: ExactRecord = { ...invoice, Modified: now };
      if (input.Description !== undefined) next.Description = readText(input.Description, 'Description');
      if (input.YourRef !== undefined) next.YourRef = readText(input.YourRef, 'YourRef');
      if (input.DueDate !== undefined) next.DueDate = readDate(input.DueDate, 'DueDate');
      this.repo.put(INVOICES, next);
      for (const line of this.repo.linesOf(INVOICE_LINES, String(invoice.InvoiceID))) {
        const touched = { ...line, Modified: now };
        this.repo.put(INVOICE_LINES, touched);
        this.sync.append('SalesInvoice/SalesInvoices', (ts) => salesInvoiceSyncRow(next, touched, ts));
      }
    });
  }

  deleteInvoice(id: string): void {
    const invoice = this.invoice(id);
    if (invoice.Status === PROCESSED) throw new ExactApiError(400, `Sales invoice ${String(invoice.InvoiceNumber)} is processed and cannot be deleted.`);
    transact(this.store, this.repo, () => {
      for (const line of this.repo.linesOf(INVOICE_LINES, String(invoice.InvoiceID))) this.repo.delete(INVOICE_LINES, String(line.ID));
      this.repo.delete(INVOICES, String(invoice.InvoiceID));
      this.deleted(invoice.InvoiceID, DELETED_ENTITY_TYPE.SalesInvoices);
    });
  }

  updateOrder(id: string, body: unknown): void {
    const input = asObject(body, 'The request body');
    checkSettable(input, ORDER_SETTABLE, 'salesorder/SalesOrders');
    const order = this.order(id);
    transact(this.store, this.repo, () => {
      const next: ExactRecord = { ...order, Modified: exactDate(this.clock.now()) };
      if (input.Description !== undefined) next.Description = readText(input.Description, 'Description');
      if (input.YourRef !== undefined) next.YourRef = readText(input.YourRef, 'YourRef');
      if (input.DeliveryDate !== undefined) next.DeliveryDate = readDate(input.DeliveryDate, 'DeliveryDate');
      this.repo.put(ORDERS, next);
      this.sync.append('SalesOrder/SalesOrderHeaders', (ts) => entitySyncRow(next, 'OrderID', ts));
    });
  }

  updateOrderLine(id: string, body: unknown): void {
    const input = asObject(body, 'The request body');
    checkSettable(input, ORDER_LINE_SETTABLE, 'salesorder/SalesOrderLines');
    const line = this.repo.get(ORDER_LINES, id);
    if (!line) throw new ExactApiError(404, `salesorder/SalesOrderLines(guid'${id}') does not exist.`);
    transact(this.store, this.repo, () => {
      const next: ExactRecord = { ...line, Modified: exactDate(this.clock.now()) };
      if (input.Description !== undefined) next.Description = readText(input.Description, 'Description');
      this.repo.put(ORDER_LINES, next);
      this.sync.append('SalesOrder/SalesOrderLines', (ts) => entitySyncRow(next, 'ID', ts));
    });
  }

  deleteOrder(id: string): void {
    const order = this.order(id);
    if (!DELETABLE_ORDER_STATUS.has(Number(order.Status))) throw new ExactApiError(400, `Sales order ${String(order.OrderNumber)} has deliveries or invoices and cannot be deleted.`);
    transact(this.store, this.repo, () => {
      for (const line of this.repo.linesOf(ORDER_LINES, String(order.OrderID))) {
        this.repo.delete(ORDER_LINES, String(line.ID));
        this.deleted(line.ID, DELETED_ENTITY_TYPE.SalesOrderLines);
      }
      this.repo.delete(ORDERS, String(order.OrderID));
      this.deleted(order.OrderID, DELETED_ENTITY_TYPE.SalesOrderHeaders);
    });
  }

  private invoice(id: string): ExactRecord {
    const invoice = this.repo.get(INVOICES, id);
    if (!invoice) throw new ExactApiError(404, `salesinvoice/SalesInvoices(guid'${id}') does not exist.`);
    return invoice;
  }

  private order(id: string): ExactRecord {
    const order = this.repo.get(ORDERS, id);
    if (!order) throw new ExactApiError(404, `salesorder/SalesOrders(guid'${id}') does not exist.`);
    return order;
  }

  private deleted(entityKey: unknown, entityType: number): void {
    const deletedDate = exactDate(this.clock.now());
    this.sync.append('Deleted', (ts) => ({ Timestamp: ts, ID: randomUUID(), EntityKey: entityKey, EntityType: entityType, DeletedBy: this.userId, DeletedDate: deletedDate, Division: this.division }));
  }
}
