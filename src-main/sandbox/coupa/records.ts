import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type { SimCollection, SimStore } from '../_common/sim-store';
import type { WorldSupplier } from '../seed/world-types';
import { CoupaError } from './errors';

/**
 * Coupa records (fact sheet §3.4–3.6) stored with the hyphenated JSON keys the API returns.
 * References to suppliers and PO lines are stored as ids and rendered with the referenced
 * record's current id/name/number, so a renamed supplier shows its new name everywhere.
 */
export type CoupaRecord = Record<string, unknown> & { id: number };
export type Resource = 'suppliers' | 'purchase_orders' | 'invoices';

/** Rails-style object names used as keys of `{"errors": {…}}`. */
export const OBJECT_NAME: Record<Resource, string> = { suppliers: 'supplier', purchase_orders: 'purchase_order', invoices: 'invoice' };

const PO_STATUSES = ['buyer_hold', 'cancelled', 'closed', 'currency_hold', 'draft', 'error', 'expensed', 'issued', 'supplier_hold', 'supplier_window_hold', 'exported'];
const INVOICE_STATUSES = ['new', 'draft', 'ap_hold', 'on_hold', 'pending_receipt', 'pending_approval', 'pending_action', 'booking_hold', 'approved', 'rejected', 'abandoned', 'disputed', 'voided', 'processing', 'invalid', 'payable_adjustment'];
const SUPPLIER_STATUSES = ['active', 'inactive', 'onboarding'];
const PO_METHODS = ['cxml', 'xml', 'email', 'prompt', 'mark_as_sent', 'buy_online'];
const MAX_PO_NUMBER = 20;
const MAX_INVOICE_NUMBER = 40;
const MAX_SUPPLIER_NAME = 100;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Top-level keys per resource: what query filters may name (§3.3). */
export const KNOWN_ROOTS: Record<Resource, ReadonlySet<string>> = {
  suppliers: new Set([
    'id', 'created-at', 'updated-at', 'name', 'display-name', 'number', 'status', 'supplier-status', 'on-hold', 'po-method', 'po-email',
    'payment-term', 'primary-address', 'tax-id', 'account-number', 'invoice-matching-level', 'payment-method',
  ]),
  purchase_orders: new Set([
    'id', 'created-at', 'updated-at', 'po-number', 'type', 'status', 'version', 'exported', 'currency', 'supplier', 'ship-to-address',
    'requester', 'payment-term', 'order-lines',
  ]),
  invoices: new Set([
    'id', 'created-at', 'updated-at', 'invoice-number', 'invoice-date', 'supplier', 'currency', 'document-type', 'account-type',
    'line-level-taxation', 'supplier-total', 'gross-total', 'total-with-taxes', 'paid', 'payment-date', 'net-due-date', 'exported',
    'status', 'invoice-lines',
  ]),
};

type Body = Record<string, unknown>;

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects validation messages so one answer lists every problem, as Coupa's error arrays do. */
class Problems {
  readonly messages: string[] = [];
  add(message: string): void {
    this.messages.push(message);
  }
  throwIfAny(status: number, object: string): void {
    if (this.messages.length) throw new CoupaError(status, object, this.messages);
  }
}

/** A decimal amount sent as a string (or a JSON number), kept exact with at least 2 decimals. */
function decimalText(value: unknown, label: string, problems: Problems): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') {
    problems.add(`${label} must be a decimal number such as "1234.50"`);
    return null;
  }
  try {
    const d = typeof value === 'number' ? Decimal.fromJsonNumber(value) : Decimal.parse(value);
    const decimals = (d.toString().split('.')[1] ?? '').length;
    return d.format(Math.max(2, decimals));
  } catch (err) {
    if (err instanceof InvalidDecimalError) {
      problems.add(`${label} ${err.message}`);
      return null;
    }
    throw err;
  }
}

function optionalString(body: Body, key: string, problems: Problems, max = 255): string | null | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string') {
    problems.add(`${humanise(key)} must be text`);
    return undefined;
  }
  if (value.length > max) problems.add(`${humanise(key)} is too long (maximum is ${max} characters)`);
  return value;
}

/** "po-number" -> "Po number", the way Rails words its messages. */
function humanise(key: string): string {
  const words = key.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export class CoupaData {
  readonly suppliers: SimCollection<CoupaRecord>;
  readonly purchaseOrders: SimCollection<CoupaRecord>;
  readonly invoices: SimCollection<CoupaRecord>;
  /** Ascending ids per resource: the default order of every list (§3.3). */
  private readonly ordered: Record<Resource, number[]> = { suppliers: [], purchase_orders: [], invoices: [] };
  private readonly supplierByName = new Map<string, number>();
  private readonly supplierByNumber = new Map<string, number>();
  private readonly poByNumber = new Map<string, number>();
  private readonly invoiceByKey = new Map<string, number>();
  /** order line id -> PO id, for invoice lines that reference a PO line. */
  private readonly poByLineId = new Map<number, number>();

  constructor(
    private readonly store: SimStore,
    private readonly nowText: () => string,
    private readonly validationStatus: number,
  ) {
    this.suppliers = store.collection<CoupaRecord>('suppliers');
    this.purchaseOrders = store.collection<CoupaRecord>('purchase_orders');
    this.invoices = store.collection<CoupaRecord>('invoices');
    for (const resource of ['suppliers', 'purchase_orders', 'invoices'] as const) {
      const records = this.collection(resource).all().sort((a, b) => a.id - b.id);
      for (const record of records) this.index(resource, record, null);
    }
  }

  collection(resource: Resource): SimCollection<CoupaRecord> {
    return resource === 'suppliers' ? this.suppliers : resource === 'purchase_orders' ? this.purchaseOrders : this.invoices;
  }

  private nextId(resource: Resource): number {
    const key = `nextId:${resource}`;
    const fromRecords = (this.ordered[resource].at(-1) ?? 0) + 1;
    const id = Math.max(this.store.getMeta<number>(key) ?? 1, fromRecords);
    this.store.setMeta(key, id + 1);
    return id;
  }

  private index(resource: Resource, record: CoupaRecord, previous: CoupaRecord | null): void {
    if (!previous) this.ordered[resource].push(record.id);
    if (resource === 'suppliers') {
      if (previous) {
        this.supplierByName.delete(String(previous.name).toLowerCase());
        if (previous.number) this.supplierByNumber.delete(String(previous.number));
      }
      this.supplierByName.set(String(record.name).toLowerCase(), record.id);
      if (record.number) this.supplierByNumber.set(String(record.number), record.id);
    } else if (resource === 'purchase_orders') {
      if (previous) this.poByNumber.delete(String(previous['po-number']));
      this.poByNumber.set(String(record['po-number']), record.id);
      for (const line of record['order-lines'] as CoupaRecord[]) this.poByLineId.set(line.id, record.id);
    } else {
      if (previous) this.invoiceByKey.delete(invoiceKey(previous));
      this.invoiceByKey.set(invoiceKey(record), record.id);
    }
  }

  /** Ids in ascending order, narrowed by an exact natural-key filter when one is given. */
  candidateIds(resource: Resource, exact: { key: string; value: string } | null): number[] {
    if (exact) {
      const lookup =
        resource === 'purchase_orders' && exact.key === 'po-number'
          ? this.poByNumber.get(exact.value)
          : resource === 'suppliers' && exact.key === 'number'
            ? this.supplierByNumber.get(exact.value)
            : resource === 'suppliers' && exact.key === 'name'
              ? this.supplierByName.get(exact.value.toLowerCase())
              : undefined;
      if (lookup !== undefined || ['po-number', 'number', 'name'].includes(exact.key)) return lookup === undefined ? [] : [lookup];
    }
    return this.ordered[resource];
  }

  // ---- rendering ------------------------------------------------------------------------------

  private supplierRef(id: unknown): Body | null {
    const supplier = this.suppliers.get(Number(id));
    return supplier ? { id: supplier.id, name: supplier.name, number: supplier.number, 'display-name': supplier['display-name'] } : null;
  }

  /** The record as GET returns it. */
  render(resource: Resource, record: CoupaRecord): CoupaRecord {
    if (resource === 'suppliers') return record;
    const out: CoupaRecord = { ...record, supplier: this.supplierRef(record['supplier-id']) };
    delete out['supplier-id'];
    if (resource === 'invoices') {
      out['invoice-lines'] = (record['invoice-lines'] as CoupaRecord[]).map((line) => {
        const orderLineId = line['order-line-id'];
        const po = typeof orderLineId === 'number' ? this.purchaseOrders.get(this.poByLineId.get(orderLineId) ?? -1) : undefined;
        const orderLine = po ? (po['order-lines'] as CoupaRecord[]).find((l) => l.id === orderLineId) : undefined;
        // Output-only references to the PO (§3.5).
        return { ...line, 'po-number': po?.['po-number'] ?? null, 'order-header-num': po?.['po-number'] ?? null, 'order-line-num': orderLine?.['line-num'] ?? null };
      });
    }
    return out;
  }

  // ---- suppliers ------------------------------------------------------------------------------

  /** Finds a supplier from a reference object {id} | {number} | {name} (§3.4). */
  resolveSupplier(ref: unknown): CoupaRecord | undefined {
    if (!isObject(ref)) return undefined;
    if (ref.id !== undefined) return this.suppliers.get(Number(ref.id));
    if (typeof ref.number === 'string' || typeof ref.number === 'number') {
      const id = this.supplierByNumber.get(String(ref.number));
      return id === undefined ? undefined : this.suppliers.get(id);
    }
    if (typeof ref.name === 'string') {
      const id = this.supplierByName.get(ref.name.toLowerCase());
      return id === undefined ? undefined : this.suppliers.get(id);
    }
    return undefined;
  }

  seedSupplier(s: WorldSupplier & { coupaSupplierId: number }, createdAt: string): void {
    const record: CoupaRecord = {
      id: s.coupaSupplierId,
      'created-at': createdAt,
      'updated-at': createdAt,
      name: s.name,
      'display-name': s.name,
      number: s.code,
      status: 'active',
      'supplier-status': 'approved',
      'on-hold': false,
      'po-method': 'prompt',
      'po-email': s.email,
      'payment-term': { code: 'Net 30' },
      'primary-address': { city: s.city, country: { code: s.country } },
      'tax-id': s.vatNumber,
      'account-number': null,
      'invoice-matching-level': '3-way',
      'payment-method': 'invoice',
    };
    this.suppliers.put(record.id, record);
    this.index('suppliers', record, null);
  }

  saveSupplier(body: Body, existing: CoupaRecord | null): CoupaRecord {
    const problems = new Problems();
    const now = this.nowText();
    const next: CoupaRecord = existing
      ? { ...existing, 'updated-at': now }
      : {
          id: 0,
          'created-at': now,
          'updated-at': now,
          name: null,
          'display-name': null,
          number: null,
          status: 'active',
          'supplier-status': 'draft',
          'on-hold': false,
          'po-method': 'prompt',
          'po-email': null,
          'payment-term': null,
          'primary-address': null,
          'tax-id': null,
          'account-number': null,
          'invoice-matching-level': '2-way',
          'payment-method': null,
        };
    const name = optionalString(body, 'name', problems, MAX_SUPPLIER_NAME);
    if (name !== undefined) next.name = name;
    if (!next.name || String(next.name).trim() === '') problems.add("Name can't be blank");
    else {
      const clash = this.supplierByName.get(String(next.name).toLowerCase());
      if (clash !== undefined && clash !== existing?.id) problems.add('Name has already been taken');
    }
    const numberValue = body.number;
    if (numberValue !== undefined) {
      if (numberValue !== null && typeof numberValue !== 'string' && typeof numberValue !== 'number') problems.add('Number must be text');
      else next.number = numberValue === null ? null : String(numberValue);
    }
    if (next.number) {
      const clash = this.supplierByNumber.get(String(next.number));
      if (clash !== undefined && clash !== existing?.id) problems.add('Number has already been taken');
    }
    for (const key of ['display-name', 'po-email', 'tax-id', 'account-number', 'invoice-matching-level', 'payment-method']) {
      const v = optionalString(body, key, problems);
      if (v !== undefined) next[key] = v;
    }
    if (body.status !== undefined) {
      if (!SUPPLIER_STATUSES.includes(String(body.status))) problems.add(`Status must be one of ${SUPPLIER_STATUSES.join(', ')}`);
      else next.status = body.status;
    }
    if (body['po-method'] !== undefined) {
      if (!PO_METHODS.includes(String(body['po-method']))) problems.add(`Po method must be one of ${PO_METHODS.join(', ')}`);
      else next['po-method'] = body['po-method'];
    }
    if (body['on-hold'] !== undefined) {
      if (typeof body['on-hold'] !== 'boolean') problems.add('On hold must be true or false');
      else next['on-hold'] = body['on-hold'];
    }
    for (const key of ['payment-term', 'primary-address']) if (isObject(body[key]) || body[key] === null) next[key] = body[key];
    problems.throwIfAny(this.validationStatus, 'supplier');
    return this.persist('suppliers', next, existing);
  }

  // ---- purchase orders ---------------------------------------------------------------------------

  savePurchaseOrder(body: Body, existing: CoupaRecord | null): CoupaRecord {
    const problems = new Problems();
    const now = this.nowText();
    if (!existing && body.type !== 'ExternalOrderHeader')
      throw new CoupaError(this.validationStatus, 'purchase_order', [
        'Only external purchase orders can be created through the API: send "type": "ExternalOrderHeader"',
      ]);
    const next: CoupaRecord = existing
      ? { ...existing, 'updated-at': now }
      : {
          id: 0,
          'created-at': now,
          'updated-at': now,
          'po-number': null,
          type: 'ExternalOrderHeader',
          status: 'draft',
          version: 1,
          exported: false,
          currency: { code: 'EUR' },
          'supplier-id': null,
          'ship-to-address': null,
          requester: null,
          'payment-term': null,
          'order-lines': [],
        };
    const poNumber = body['po-number'];
    if (poNumber !== undefined) {
      if (typeof poNumber !== 'string' && typeof poNumber !== 'number') problems.add('Po number must be text');
      else next['po-number'] = String(poNumber);
    }
    const number = next['po-number'];
    if (typeof number !== 'string' || number.trim() === '') problems.add("Po number can't be blank");
    else {
      if (number.length > MAX_PO_NUMBER) problems.add(`Po number is too long (maximum is ${MAX_PO_NUMBER} characters)`);
      const clash = this.poByNumber.get(number);
      if (clash !== undefined && clash !== existing?.id) problems.add('Po number has already been taken');
    }
    if (body.supplier !== undefined) {
      const supplier = this.resolveSupplier(body.supplier);
      // On update an unknown reference is silently not changed (§3.1); on create it is required.
      if (supplier) next['supplier-id'] = supplier.id;
      else if (!existing) problems.add(`Supplier ${JSON.stringify(body.supplier)} was not found`);
    } else if (!existing) problems.add("Supplier can't be blank");
    if (body.status !== undefined) {
      if (!PO_STATUSES.includes(String(body.status))) problems.add(`Status must be one of ${PO_STATUSES.join(', ')}`);
      else next.status = body.status;
    }
    if (isObject(body.currency) && typeof body.currency.code === 'string') next.currency = { code: body.currency.code };
    for (const key of ['ship-to-address', 'requester', 'payment-term']) if (isObject(body[key])) next[key] = body[key];
    const currency = next.currency as { code: string };
    if (body['order-lines'] !== undefined) next['order-lines'] = this.mergeLines('order', body['order-lines'], next['order-lines'] as CoupaRecord[], currency, problems, now);
    problems.throwIfAny(this.validationStatus, 'purchase_order');
    // A new PO version resets `exported` (§3.3).
    if (existing) {
      next.version = Number(existing.version) + 1;
      next.exported = false;
    }
    return this.persist('purchase_orders', next, existing);
  }

  /** PUT ?exported=true|false is its own request; the rest of the body is ignored (§3.3). */
  markExported(resource: 'purchase_orders' | 'invoices', existing: CoupaRecord, exported: boolean): CoupaRecord {
    return this.persist(resource, { ...existing, exported, 'updated-at': this.nowText() }, existing);
  }

  /** PUT /api/purchase_orders/:id/{issue,cancel,close,…} (§3.4). */
  poAction(existing: CoupaRecord, action: string): CoupaRecord {
    const target: Record<string, string> = {
      issue: 'issued',
      issue_without_send: 'issued',
      ignore_window_and_issue: 'issued',
      cancel: 'cancelled',
      close: 'closed',
      reopen: 'issued',
      release_from_buyer_hold: 'issued',
    };
    const status = target[action];
    if (!status) throw new CoupaError(404, 'purchase_order', [`Unknown action "${action}"`]);
    if (existing.status === 'cancelled' && action !== 'reopen') throw new CoupaError(this.validationStatus, 'purchase_order', [`A cancelled order cannot ${action.replace(/_/g, ' ')}`]);
    return this.persist('purchase_orders', { ...existing, status, 'updated-at': this.nowText() }, existing);
  }

  // ---- invoices -------------------------------------------------------------------------------

  saveInvoice(body: Body, existing: CoupaRecord | null): CoupaRecord {
    const problems = new Problems();
    const now = this.nowText();
    const next: CoupaRecord = existing
      ? { ...existing, 'updated-at': now }
      : {
          id: 0,
          'created-at': now,
          'updated-at': now,
          'invoice-number': null,
          'invoice-date': null,
          'supplier-id': null,
          currency: { code: 'EUR' },
          'document-type': 'Invoice',
          'account-type': null,
          'line-level-taxation': false,
          'supplier-total': null,
          'gross-total': '0.00',
          'total-with-taxes': '0.00',
          paid: false,
          'payment-date': null,
          'net-due-date': null,
          exported: false,
          status: 'draft',
          'invoice-lines': [],
        };
    const numberValue = body['invoice-number'];
    if (numberValue !== undefined) {
      if (typeof numberValue !== 'string' && typeof numberValue !== 'number') problems.add('Invoice number must be text');
      else next['invoice-number'] = String(numberValue);
    }
    const number = next['invoice-number'];
    if (typeof number !== 'string' || number.trim() === '') problems.add("Invoice number can't be blank");
    else if (number.length > MAX_INVOICE_NUMBER) problems.add(`Invoice number is too long (maximum is ${MAX_INVOICE_NUMBER} characters)`);
    const date = body['invoice-date'];
    if (date !== undefined) {
      // Send the date only (§3.5).
      if (typeof date !== 'string' || !ISO_DATE.test(date) || !Number.isFinite(Date.parse(`${date}T00:00:00Z`)))
        problems.add('Invoice date must be a date (YYYY-MM-DD) without a time');
      else next['invoice-date'] = date;
    }
    if (!next['invoice-date']) problems.add("Invoice date can't be blank");
    if (body.supplier !== undefined) {
      const supplier = this.resolveSupplier(body.supplier);
      if (supplier) next['supplier-id'] = supplier.id;
      else if (!existing) problems.add(`Supplier ${JSON.stringify(body.supplier)} was not found`);
    } else if (!existing) problems.add("Supplier can't be blank");
    if (typeof number === 'string' && next['supplier-id'] !== null) {
      const clash = this.invoiceByKey.get(invoiceKey(next));
      if (clash !== undefined && clash !== existing?.id) problems.add('Invoice number has already been used for this supplier');
    }
    if (body['document-type'] !== undefined) {
      if (body['document-type'] !== 'Invoice' && body['document-type'] !== 'Credit Note') problems.add('Document type must be Invoice or Credit Note');
      else next['document-type'] = body['document-type'];
    }
    if (body.status !== undefined) {
      if (!INVOICE_STATUSES.includes(String(body.status))) problems.add(`Status must be one of ${INVOICE_STATUSES.join(', ')}`);
      else next.status = body.status;
    }
    if (isObject(body.currency) && typeof body.currency.code === 'string') next.currency = { code: body.currency.code };
    for (const key of ['account-type', 'net-due-date']) if (body[key] !== undefined) next[key] = body[key];
    if (body['supplier-total'] !== undefined) next['supplier-total'] = body['supplier-total'] === null ? null : decimalText(body['supplier-total'], 'Supplier total', problems);
    const currency = next.currency as { code: string };
    if (body['invoice-lines'] !== undefined) next['invoice-lines'] = this.mergeLines('invoice', body['invoice-lines'], next['invoice-lines'] as CoupaRecord[], currency, problems, now);
    const lines = next['invoice-lines'] as CoupaRecord[];
    const net = Decimal.sum(lines.map((l) => Decimal.parse(String(l.total))));
    const tax = Decimal.sum(lines.map((l) => (l['tax-amount'] ? Decimal.parse(String(l['tax-amount'])) : Decimal.ZERO)));
    next['gross-total'] = net.plus(tax).toMoneyString();
    next['total-with-taxes'] = net.plus(tax).toMoneyString();
    problems.throwIfAny(this.validationStatus, 'invoice');
    return this.persist('invoices', next, existing);
  }

  /**
   * order-lines / invoice-lines: a line with an `id` updates that line, one without is added;
   * lines not mentioned stay. description and price are required; line-num unique per document.
   */
  private mergeLines(kind: 'order' | 'invoice', input: unknown, current: CoupaRecord[], currency: { code: string }, problems: Problems, now: string): CoupaRecord[] {
    const label = kind === 'order' ? 'Order line' : 'Invoice line';
    if (!Array.isArray(input)) {
      problems.add(`${kind}-lines must be an array`);
      return current;
    }
    const lines = current.map((l) => ({ ...l }));
    input.forEach((raw, position) => {
      const where = `${label} ${position + 1}`;
      if (!isObject(raw)) {
        problems.add(`${where} must be an object`);
        return;
      }
      let line = raw.id !== undefined ? lines.find((l) => l.id === Number(raw.id)) : undefined;
      if (raw.id !== undefined && !line) {
        problems.add(`${where}: line id ${String(raw.id)} is not on this document`);
        return;
      }
      if (!line) {
        line = {
          id: 0,
          'line-num': lines.reduce((max, l) => Math.max(max, Number(l['line-num'])), 0) + 1,
          description: null,
          price: null,
          quantity: null,
          uom: null,
          total: null,
          currency,
          type: null,
          account: null,
          'account-allocations': [],
          'created-at': now,
          'updated-at': now,
          ...(kind === 'order' ? { 'need-by-date': null, commodity: null, status: 'created' } : { 'tax-amount': null, 'order-line-id': null, 'source-part-num': null }),
        };
        lines.push(line);
      }
      line['updated-at'] = now;
      if (raw['line-num'] !== undefined) {
        const n = Number(raw['line-num']);
        if (!Number.isInteger(n) || n < 1) problems.add(`${where}: line-num must be a whole number >= 1`);
        else line['line-num'] = n;
      }
      if (raw.description !== undefined) line.description = raw.description;
      if (typeof line.description !== 'string' || line.description.trim() === '') problems.add(`${where}: description can't be blank`);
      if (raw.price !== undefined) line.price = decimalText(raw.price, `${where}: price`, problems);
      else if (line.price === null) problems.add(`${where}: price can't be blank`);
      if (raw.quantity !== undefined) line.quantity = raw.quantity === null ? null : decimalText(raw.quantity, `${where}: quantity`, problems);
      if (isObject(raw.uom)) line.uom = raw.uom;
      if (isObject(raw.account) || raw.account === null) line.account = raw.account;
      if (Array.isArray(raw['account-allocations'])) line['account-allocations'] = raw['account-allocations'];
      if (kind === 'order') {
        if (raw['need-by-date'] !== undefined) line['need-by-date'] = raw['need-by-date'];
        if (isObject(raw.commodity)) line.commodity = raw.commodity;
      } else {
        if (raw['tax-amount'] !== undefined) line['tax-amount'] = raw['tax-amount'] === null ? null : decimalText(raw['tax-amount'], `${where}: tax-amount`, problems);
        if (raw['source-part-num'] !== undefined) line['source-part-num'] = raw['source-part-num'];
        if (raw['order-line-id'] !== undefined && raw['order-line-id'] !== null) {
          const id = Number(raw['order-line-id']);
          if (!this.poByLineId.has(id)) problems.add(`${where}: order-line-id ${String(raw['order-line-id'])} is not a purchase order line`);
          else line['order-line-id'] = id;
        }
      }
      const quantityType = kind === 'order' ? 'OrderQuantityLine' : 'InvoiceQuantityLine';
      const amountType = kind === 'order' ? 'OrderAmountLine' : 'InvoiceAmountLine';
      if (raw.type !== undefined) {
        if (raw.type !== quantityType && raw.type !== amountType) problems.add(`${where}: type must be ${quantityType} or ${amountType}`);
        else line.type = raw.type;
      }
      line.type ??= line.quantity === null ? amountType : quantityType;
      if (line.type === quantityType && line.quantity === null) problems.add(`${where}: quantity can't be blank on a ${quantityType}`);
      if (typeof line.price === 'string') {
        line.total = line.type === quantityType && typeof line.quantity === 'string'
          ? Decimal.parse(line.price).times(Decimal.parse(line.quantity), 2).toMoneyString()
          : Decimal.parse(line.price).toMoneyString();
      }
    });
    const seen = new Set<number>();
    for (const line of lines) {
      const n = Number(line['line-num']);
      if (seen.has(n)) problems.add(`${label} number ${n} is used twice; line-num must be unique within the document`);
      seen.add(n);
    }
    return lines;
  }

  // ---- persistence ------------------------------------------------------------------------------

  private persist(resource: Resource, next: CoupaRecord, existing: CoupaRecord | null): CoupaRecord {
    return this.store.transaction(() => {
      const record = existing ? next : { ...next, id: this.nextId(resource) };
      for (const key of ['order-lines', 'invoice-lines']) {
        const lines = record[key];
        if (Array.isArray(lines)) for (const line of lines as CoupaRecord[]) if (line.id === 0) line.id = this.nextLineId();
      }
      this.collection(resource).put(record.id, record);
      this.index(resource, record, existing);
      return record;
    });
  }

  private nextLineId(): number {
    const id = this.store.getMeta<number>('nextId:lines') ?? 1;
    this.store.setMeta('nextId:lines', id + 1);
    return id;
  }
}

function invoiceKey(record: CoupaRecord): string {
  return `${String(record['supplier-id'])}\u0000${String(record['invoice-number'])}`;
}
