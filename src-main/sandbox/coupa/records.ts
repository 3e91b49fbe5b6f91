import { Decimal } from '../../../src-shared/domain/money';
import type { SimCollection, SimStore } from '../_common/sim-store';
import { CoupaError } from './errors';
import {
  INVOICE_ACTIONS,
  INVOICE_DELETABLE_STATUSES,
  INVOICE_FROZEN_STATUSES,
  PO_ACTIONS,
  PO_FROZEN_STATUSES,
  transition,
} from './lifecycle';
import { lineTotal, mergeLines, type LineContext } from './lines';
import {
  booleanValue,
  datetimeText,
  decimalText,
  humanise,
  isObject,
  optionalString,
  Problems,
  type Body,
} from './validate';

/**
 * Coupa records (fact sheet §3.4–3.6, R39 Swagger) stored with the hyphenated JSON keys the API
 * returns. References (supplier, users, addresses, account type, remit-to, PO lines) are stored
 * as ids and rendered from the referenced record's current values, so a renamed supplier shows
 * its new name everywhere.
 */
export type CoupaRecord = Record<string, unknown> & { id: number };
/** Resources a client writes. */
export type Resource = 'suppliers' | 'purchase_orders' | 'invoices';
/** Read-only reference data a client looks up (scope core.common.read). */
export type LookupResource = 'addresses' | 'account_types' | 'accounts' | 'users';
/** Everything GET can list. */
export type ListResource = Resource | LookupResource | 'purchase_order_lines';

export const LOOKUP_RESOURCES: readonly LookupResource[] = ['addresses', 'account_types', 'accounts', 'users'];

/** Rails-style object names: keys of `{"errors": {…}}` and XML root elements. */
export const OBJECT_NAME: Record<ListResource, string> = {
  suppliers: 'supplier',
  purchase_orders: 'purchase_order',
  purchase_order_lines: 'purchase_order_line',
  invoices: 'invoice',
  addresses: 'address',
  account_types: 'account_type',
  accounts: 'account',
  users: 'user',
};

const SUPPLIER_STATUSES = ['active', 'inactive', 'onboarding'];
const PO_METHODS = ['cxml', 'xml', 'email', 'prompt', 'mark_as_sent', 'buy_online'];
const MAX_PO_NUMBER = 20;
const MAX_INVOICE_NUMBER = 40;
const MAX_SUPPLIER_NAME = 100;
const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Fields the API returns but does not take (R39 Swagger readOnly): ignored on input, or refused with config readOnlyInput = 'error'. */
const READ_ONLY: Record<Resource, readonly string[]> = {
  suppliers: ['id', 'created-at', 'updated-at', 'supplier-status'],
  purchase_orders: ['id', 'created-at', 'updated-at', 'status', 'version', 'exported'],
  invoices: ['id', 'created-at', 'updated-at', 'status', 'document-type', 'gross-total', 'total-with-taxes', 'paid', 'payment-date', 'exported'],
};

/** Top-level keys per resource as GET renders them: what query filters and order_by may name (§3.3). */
export const KNOWN_ROOTS: Record<ListResource, ReadonlySet<string>> = {
  suppliers: new Set([
    'id', 'created-at', 'updated-at', 'name', 'display-name', 'number', 'status', 'supplier-status', 'on-hold', 'po-method', 'po-email',
    'payment-term', 'primary-address', 'primary-contact', 'remit-to-addresses', 'tax-id', 'account-number', 'invoice-matching-level',
    'payment-method',
  ]),
  purchase_orders: new Set([
    'id', 'created-at', 'updated-at', 'po-number', 'type', 'status', 'version', 'exported', 'currency', 'supplier', 'ship-to-address',
    'ship-to-user', 'requester', 'payment-term', 'order-lines',
  ]),
  purchase_order_lines: new Set([
    'id', 'created-at', 'updated-at', 'order-header-id', 'po-number', 'line-num', 'description', 'price', 'quantity', 'uom', 'total',
    'currency', 'type', 'account', 'account-allocations', 'need-by-date', 'commodity', 'status',
  ]),
  invoices: new Set([
    'id', 'created-at', 'updated-at', 'invoice-number', 'invoice-date', 'supplier', 'currency', 'is-credit-note', 'document-type',
    'original-invoice-number', 'original-invoice-date', 'account-type', 'line-level-taxation', 'tax-amount', 'bill-to-address',
    'remit-to-address', 'supplier-remit-to', 'payment-term', 'supplier-note', 'supplier-total', 'gross-total', 'total-with-taxes', 'paid',
    'payment-date', 'net-due-date', 'exported', 'status', 'invoice-lines',
  ]),
  addresses: new Set(['id', 'created-at', 'updated-at', 'name', 'location-code', 'street1', 'street2', 'city', 'state', 'postal-code', 'country', 'active']),
  account_types: new Set(['id', 'created-at', 'updated-at', 'name', 'currency', 'active', 'dynamic-flag']),
  // Compass "Accounts API": code (the segments joined by "-"), name, active, account-type, segment-1…segment-20.
  accounts: new Set([
    'id', 'created-at', 'updated-at', 'code', 'name', 'active', 'account-type', 'account-type-id',
    ...Array.from({ length: 20 }, (_, i) => `segment-${i + 1}`),
  ]),
  users: new Set(['id', 'created-at', 'updated-at', 'login', 'email', 'firstname', 'lastname', 'fullname', 'active']),
};

export interface CoupaDataOptions {
  nowText: () => string;
  validationStatus: number;
  /** 'both' (default): an invoice needs remit-to-address and supplier-remit-to; 'either': one is enough. */
  invoiceRemitTo: 'both' | 'either';
  /** What a read-only field in a write body does: 'ignore' (default, as Coupa's API does) or 'error'. */
  readOnlyInput: 'ignore' | 'error';
}

/** Finds a record by `{id}` or by one of its natural keys (`{number}`, `{name}`, `{login}`…). */
function findByRef(ref: unknown, records: () => CoupaRecord[], byId: (id: number) => CoupaRecord | undefined, keys: readonly string[]): CoupaRecord | undefined {
  if (!isObject(ref)) return undefined;
  if (ref.id !== undefined && ref.id !== null) return Number.isInteger(Number(ref.id)) ? byId(Number(ref.id)) : undefined;
  for (const key of keys) {
    const wanted = ref[key];
    if (typeof wanted !== 'string' && typeof wanted !== 'number') continue;
    const text = String(wanted).toLowerCase();
    return records().find((r) => String(r[key] ?? '').toLowerCase() === text);
  }
  return undefined;
}

export class CoupaData {
  readonly suppliers: SimCollection<CoupaRecord>;
  readonly purchaseOrders: SimCollection<CoupaRecord>;
  readonly invoices: SimCollection<CoupaRecord>;
  readonly lookups: Record<LookupResource, SimCollection<CoupaRecord>>;
  /** Ascending ids per resource: the default order of every list (§3.3). */
  private readonly ordered: Record<Resource, number[]> = { suppliers: [], purchase_orders: [], invoices: [] };
  private readonly supplierByName = new Map<string, number>();
  private readonly supplierByNumber = new Map<string, number>();
  private readonly poByNumber = new Map<string, number>();
  private readonly invoiceByKey = new Map<string, number>();
  /** order line id -> PO id, for invoice lines that reference a PO line. */
  private readonly poByLineId = new Map<number, number>();
  private readonly nowText: () => string;
  private readonly validationStatus: number;

  constructor(
    private readonly store: SimStore,
    private readonly options: CoupaDataOptions,
  ) {
    this.nowText = options.nowText;
    this.validationStatus = options.validationStatus;
    this.suppliers = store.collection<CoupaRecord>('suppliers');
    this.purchaseOrders = store.collection<CoupaRecord>('purchase_orders');
    this.invoices = store.collection<CoupaRecord>('invoices');
    this.lookups = {
      addresses: store.collection<CoupaRecord>('addresses'),
      account_types: store.collection<CoupaRecord>('account_types'),
      accounts: store.collection<CoupaRecord>('accounts'),
      users: store.collection<CoupaRecord>('users'),
    };
    for (const resource of ['suppliers', 'purchase_orders', 'invoices'] as const) {
      const records = this.collection(resource).all().sort((a, b) => a.id - b.id);
      for (const record of records) this.index(resource, record, null);
    }
  }

  collection(resource: Resource): SimCollection<CoupaRecord> {
    return resource === 'suppliers' ? this.suppliers : resource === 'purchase_orders' ? this.purchaseOrders : this.invoices;
  }

  private nextId(key: string, floor = 1): number {
    const id = Math.max(this.store.getMeta<number>(`nextId:${key}`) ?? 1, floor);
    this.store.setMeta(`nextId:${key}`, id + 1);
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
      if (previous) {
        this.poByNumber.delete(String(previous['po-number']));
        for (const line of previous['order-lines'] as CoupaRecord[]) this.poByLineId.delete(line.id);
      }
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

  // ---- references -------------------------------------------------------------------------------

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

  private resolveLookup(resource: LookupResource, ref: unknown): CoupaRecord | undefined {
    const keys = { addresses: ['location-code', 'name'], account_types: ['name'], accounts: ['code', 'name'], users: ['login', 'email'] }[resource];
    const collection = this.lookups[resource];
    return findByRef(ref, () => collection.all(), (id) => collection.get(id), keys);
  }

  private resolveRemitTo(supplierId: unknown, ref: unknown): CoupaRecord | undefined {
    const supplier = this.suppliers.get(Number(supplierId));
    const addresses = (supplier?.['remit-to-addresses'] as CoupaRecord[] | undefined) ?? [];
    return findByRef(ref, () => addresses, (id) => addresses.find((a) => a.id === id), ['remit-to-code']);
  }

  /**
   * Sets `next[<key>-id]` from the reference in `body[key]`. An unknown reference is an error on
   * create and leaves the value unchanged on update (fact sheet §3.1: "referenced data must
   * already exist or the value is silently not changed"). A required one may not end up empty.
   */
  private reference(
    body: Body,
    key: string,
    next: CoupaRecord,
    resolve: (ref: unknown) => CoupaRecord | undefined,
    how: { creating: boolean; required: boolean },
    problems: Problems,
  ): void {
    const idKey = `${key}-id`;
    const ref = body[key];
    if (ref === null) next[idKey] = null;
    else if (ref !== undefined) {
      const found = resolve(ref);
      if (found) next[idKey] = found.id;
      else if (how.creating) return problems.add(`${humanise(key)} ${JSON.stringify(ref)} was not found`);
    }
    if (how.required && next[idKey] === null) problems.add(`${humanise(key)} can't be blank`);
  }

  private readOnly(resource: Resource, body: Body, problems: Problems): void {
    if (this.options.readOnlyInput !== 'error') return;
    for (const key of READ_ONLY[resource]) if (key in body && key !== 'id') problems.add(`${humanise(key)} is read-only`);
  }

  // ---- rendering ------------------------------------------------------------------------------

  private supplierRef(id: unknown): Body | null {
    const supplier = this.suppliers.get(Number(id));
    return supplier ? { id: supplier.id, name: supplier.name, number: supplier.number, 'display-name': supplier['display-name'] } : null;
  }

  private lookupRef(resource: LookupResource, id: unknown): CoupaRecord | null {
    return id === null || id === undefined ? null : (this.lookups[resource].get(Number(id)) ?? null);
  }

  private remitToRef(supplierId: unknown, id: unknown): CoupaRecord | null {
    if (id === null || id === undefined) return null;
    const supplier = this.suppliers.get(Number(supplierId));
    return ((supplier?.['remit-to-addresses'] as CoupaRecord[] | undefined) ?? []).find((a) => a.id === id) ?? null;
  }

  /** The record with each stored `<key>-id` replaced, in place, by `<key>` holding the rendered reference. */
  private withRefs(record: CoupaRecord, refs: Record<string, unknown>): CoupaRecord {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
      const ref = key.endsWith('-id') ? key.slice(0, -3) : '';
      if (ref in refs) out[ref] = refs[ref];
      else out[key] = value;
    }
    return out as CoupaRecord;
  }

  /** The record as GET returns it. */
  render(resource: Resource, record: CoupaRecord): CoupaRecord {
    if (resource === 'suppliers') return record;
    const supplier = this.supplierRef(record['supplier-id']);
    if (resource === 'purchase_orders')
      return this.withRefs(record, {
        supplier,
        'ship-to-address': this.lookupRef('addresses', record['ship-to-address-id']),
        'ship-to-user': this.lookupRef('users', record['ship-to-user-id']),
      });
    const out = this.withRefs(record, {
      supplier,
      'account-type': this.lookupRef('account_types', record['account-type-id']),
      'bill-to-address': this.lookupRef('addresses', record['bill-to-address-id']),
      'remit-to-address': this.remitToRef(record['supplier-id'], record['remit-to-address-id']),
      'supplier-remit-to': this.remitToRef(record['supplier-id'], record['supplier-remit-to-id']),
    });
    out['invoice-lines'] = (record['invoice-lines'] as CoupaRecord[]).map((line) => {
      const orderLineId = line['order-line-id'];
      const po = typeof orderLineId === 'number' ? this.purchaseOrders.get(this.poByLineId.get(orderLineId) ?? -1) : undefined;
      const orderLine = po ? (po['order-lines'] as CoupaRecord[]).find((l) => l.id === orderLineId) : undefined;
      // Output-only references to the PO (§3.5).
      return { ...line, 'po-number': po?.['po-number'] ?? null, 'order-header-num': po?.['po-number'] ?? null, 'order-line-num': orderLine?.['line-num'] ?? null };
    });
    return out;
  }

  /** Every order line as GET /api/purchase_order_lines returns it, in ascending id order. */
  orderLines(): CoupaRecord[] {
    const out: CoupaRecord[] = [];
    for (const po of this.purchaseOrders.all())
      for (const line of po['order-lines'] as CoupaRecord[]) out.push({ ...line, 'order-header-id': po.id, 'po-number': po['po-number'] });
    return out.sort((a, b) => a.id - b.id);
  }

  // ---- suppliers ------------------------------------------------------------------------------

  /** A seeded supplier (see seed.ts), written with its own id; its remit-to addresses get theirs. */
  seedSupplier(record: CoupaRecord): void {
    this.store.transaction(() => {
      for (const address of record['remit-to-addresses'] as CoupaRecord[]) if (address.id === 0) address.id = this.nextId('remit_to_addresses');
      this.suppliers.put(record.id, record);
      this.index('suppliers', record, null);
    });
  }

  /** A seeded lookup record (see seed.ts). */
  seedLookup(resource: LookupResource, record: CoupaRecord): void {
    this.lookups[resource].put(record.id, record);
  }

  saveSupplier(body: Body, existing: CoupaRecord | null): CoupaRecord {
    const problems = new Problems();
    const now = this.nowText();
    this.readOnly('suppliers', body, problems);
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
          'primary-contact': null,
          'remit-to-addresses': [],
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
    const contact = body['primary-contact'];
    if (contact !== undefined) {
      // Supplier "primary-contact" (R39 Swagger Contact: email, name-given, name-family, phone-work…).
      if (contact !== null && !isObject(contact)) problems.add('Primary contact must be an object such as {"email": …, "name-given": …, "name-family": …}');
      else if (contact !== null && contact.email !== undefined && (typeof contact.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(contact.email)))
        problems.add(`Primary contact email ${JSON.stringify(contact.email)} is not an email address`);
      else next['primary-contact'] = contact;
    }
    if (body['remit-to-addresses'] !== undefined)
      next['remit-to-addresses'] = this.mergeRemitTos(body['remit-to-addresses'], (next['remit-to-addresses'] as CoupaRecord[] | undefined) ?? [], problems, now);
    problems.throwIfAny(this.validationStatus, 'supplier');
    return this.persist('suppliers', next, existing);
  }

  /** remit-to-addresses: with id updates that one, without id adds one; remit-to-code unique per supplier. */
  private mergeRemitTos(input: unknown, current: CoupaRecord[], problems: Problems, now: string): CoupaRecord[] {
    if (!Array.isArray(input)) {
      problems.add('Remit to addresses must be an array');
      return current;
    }
    const out = current.map((a) => ({ ...a }));
    input.forEach((raw, position) => {
      const where = `Remit to address ${position + 1}`;
      if (!isObject(raw)) return problems.add(`${where} must be an object`);
      let address = raw.id !== undefined ? out.find((a) => a.id === Number(raw.id)) : undefined;
      if (raw.id !== undefined && !address) return problems.add(`${where}: id ${String(raw.id)} is not a remit-to address of this supplier`);
      if (!address) {
        address = { id: 0, 'remit-to-code': null, name: null, street1: null, street2: null, city: null, 'postal-code': null, country: null, active: true, 'created-at': now };
        out.push(address);
      }
      address['updated-at'] = now;
      for (const key of ['remit-to-code', 'name', 'street1', 'street2', 'city', 'state', 'postal-code']) {
        const v = optionalString(raw, key, problems);
        if (v !== undefined) address[key] = v;
      }
      if (isObject(raw.country)) address.country = raw.country;
      if (raw.active !== undefined) address.active = booleanValue(raw.active) ?? address.active;
      if (!address['remit-to-code']) problems.add(`${where}: remit-to-code can't be blank`);
      if (!address.street1 || !address.city) problems.add(`${where}: street1 and city can't be blank`);
    });
    const codes = out.map((a) => String(a['remit-to-code']));
    for (const code of new Set(codes)) if (codes.filter((c) => c === code).length > 1) problems.add(`Remit to code ${code} is used twice on this supplier`);
    return out;
  }

  // ---- purchase orders ---------------------------------------------------------------------------

  savePurchaseOrder(body: Body, existing: CoupaRecord | null): CoupaRecord {
    const problems = new Problems();
    const now = this.nowText();
    const creating = !existing;
    if (creating && body.type !== 'ExternalOrderHeader')
      throw new CoupaError(this.validationStatus, 'purchase_order', [
        'Only external purchase orders can be created through the API: send "type": "ExternalOrderHeader"',
      ]);
    if (existing && PO_FROZEN_STATUSES.includes(String(existing.status)))
      throw new CoupaError(this.validationStatus, 'purchase_order', [
        existing.status === 'closed' ? 'A closed purchase order cannot be changed; reopen it first' : 'A cancelled purchase order cannot be changed',
      ]);
    this.readOnly('purchase_orders', body, problems);
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
          'ship-to-address-id': null,
          'ship-to-user-id': null,
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
    const required = { creating, required: true };
    this.reference(body, 'supplier', next, (ref) => this.resolveSupplier(ref), required, problems);
    // ship-to-user is required on an external PO (R39 Swagger, brief); ship-to-address is optional.
    this.reference(body, 'ship-to-user', next, (ref) => this.resolveLookup('users', ref), required, problems);
    this.reference(body, 'ship-to-address', next, (ref) => this.resolveLookup('addresses', ref), { creating, required: false }, problems);
    this.currency(body, next, problems);
    for (const key of ['requester', 'payment-term']) if (isObject(body[key])) next[key] = body[key];
    if (body['order-lines'] !== undefined)
      next['order-lines'] = mergeLines('order', body['order-lines'], next['order-lines'] as CoupaRecord[], this.lineContext('order', next, problems, now)).lines;
    problems.throwIfAny(this.validationStatus, 'purchase_order');
    // A change is a new PO version, which resets `exported` (§3.3).
    if (existing) {
      next.version = Number(existing.version) + 1;
      next.exported = false;
    }
    return this.persist('purchase_orders', next, existing);
  }

  private currency(body: Body, next: CoupaRecord, problems: Problems): void {
    if (body.currency === undefined) return;
    const code = isObject(body.currency) ? body.currency.code : undefined;
    if (typeof code !== 'string' || !CURRENCY_CODE.test(code)) problems.add(`Currency must be {"code": "EUR"} with an ISO 4217 code, got ${JSON.stringify(body.currency)}`);
    else next.currency = { code };
  }

  private lineContext(kind: 'order' | 'invoice', document: CoupaRecord, problems: Problems, now: string): LineContext {
    return {
      currency: document.currency as { code: string },
      problems,
      now,
      orderLineProblem: (orderLineId) => this.orderLineProblem(orderLineId, document['supplier-id']),
      deleteProblem: (line) => (kind === 'order' ? this.orderLineDeleteProblem(line.id) : null),
    };
  }

  /** Why an invoice of `supplierId` may not bill this PO line (unknown line, other supplier, cancelled order). */
  private orderLineProblem(orderLineId: number, supplierId: unknown): string | null {
    const po = this.purchaseOrders.get(this.poByLineId.get(orderLineId) ?? -1);
    if (!po) return `order-line-id ${orderLineId} is not a purchase order line`;
    if (supplierId !== null && po['supplier-id'] !== supplierId) return `order-line-id ${orderLineId} is on purchase order ${String(po['po-number'])} of another supplier`;
    if (po.status === 'cancelled') return `order-line-id ${orderLineId} is on cancelled purchase order ${String(po['po-number'])}`;
    return null;
  }

  /** An order line that an invoice bills cannot be deleted. */
  private orderLineDeleteProblem(orderLineId: number): string | null {
    for (const invoice of this.invoices.all()) {
      if (['voided', 'abandoned'].includes(String(invoice.status))) continue;
      if ((invoice['invoice-lines'] as CoupaRecord[]).some((l) => l['order-line-id'] === orderLineId))
        return `order line ${orderLineId} is billed by invoice ${String(invoice['invoice-number'])} and cannot be deleted`;
    }
    return null;
  }

  /** PUT ?exported=true|false is its own request; the rest of the body is ignored (§3.3). */
  markExported(resource: 'purchase_orders' | 'invoices', existing: CoupaRecord, exported: boolean): CoupaRecord {
    return this.persist(resource, { ...existing, exported, 'updated-at': this.nowText() }, existing);
  }

  /** PUT /api/purchase_orders/:id/{issue,cancel,close,reopen,…} (§3.4). */
  poAction(existing: CoupaRecord, action: string): CoupaRecord {
    const result = transition(PO_ACTIONS, action, String(existing.status), 'purchase order');
    if (!result.ok) throw new CoupaError(PO_ACTIONS[action] ? this.validationStatus : 404, 'purchase_order', [result.reason]);
    return this.persist('purchase_orders', { ...existing, status: result.to, 'updated-at': this.nowText() }, existing);
  }

  /** DELETE /api/purchase_order_lines/:id: the line leaves its order, which gets a new version. */
  deleteOrderLine(lineId: number): CoupaRecord {
    const po = this.purchaseOrders.get(this.poByLineId.get(lineId) ?? -1);
    const line = po ? (po['order-lines'] as CoupaRecord[]).find((l) => l.id === lineId) : undefined;
    if (!po || !line) throw new CoupaError(404, 'purchase_order_line', [`No purchase order line with id ${lineId}`]);
    if (PO_FROZEN_STATUSES.includes(String(po.status)))
      throw new CoupaError(this.validationStatus, 'purchase_order_line', [`Purchase order ${String(po['po-number'])} is ${String(po.status)}; its lines cannot be deleted`]);
    const refused = this.orderLineDeleteProblem(lineId);
    if (refused) throw new CoupaError(this.validationStatus, 'purchase_order_line', [refused.charAt(0).toUpperCase() + refused.slice(1)]);
    const next: CoupaRecord = {
      ...po,
      'order-lines': (po['order-lines'] as CoupaRecord[]).filter((l) => l.id !== lineId),
      version: Number(po.version) + 1,
      exported: false,
      'updated-at': this.nowText(),
    };
    this.persist('purchase_orders', next, po);
    return { ...line, 'order-header-id': po.id, 'po-number': po['po-number'] };
  }

  // ---- invoices -------------------------------------------------------------------------------

  saveInvoice(body: Body, existing: CoupaRecord | null): CoupaRecord {
    const problems = new Problems();
    const now = this.nowText();
    const creating = !existing;
    if (existing) this.assertInvoiceEditable(existing);
    this.readOnly('invoices', body, problems);
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
          'is-credit-note': false,
          'document-type': 'Invoice',
          'original-invoice-number': null,
          'original-invoice-date': null,
          'account-type-id': null,
          'line-level-taxation': null,
          'tax-amount': null,
          'bill-to-address-id': null,
          'remit-to-address-id': null,
          'supplier-remit-to-id': null,
          'payment-term': null,
          'supplier-note': null,
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
    // invoice-date is a datetime (R39 Swagger `format: date-time`): taken as sent, returned as one.
    const date = body['invoice-date'];
    if (date !== undefined && date !== null) next['invoice-date'] = datetimeText(date, 'Invoice date', problems) ?? next['invoice-date'];
    else if (date === null || !next['invoice-date']) {
      next['invoice-date'] = null;
      problems.add("Invoice date can't be blank");
    }
    const required = { creating, required: true };
    this.reference(body, 'supplier', next, (ref) => this.resolveSupplier(ref), required, problems);
    if (typeof number === 'string' && next['supplier-id'] !== null) {
      const clash = this.invoiceByKey.get(invoiceKey(next));
      if (clash !== undefined && clash !== existing?.id) problems.add('Invoice number has already been used for this supplier');
    }
    this.currency(body, next, problems);
    this.reference(body, 'account-type', next, (ref) => this.resolveLookup('account_types', ref), required, problems);
    this.reference(body, 'bill-to-address', next, (ref) => this.resolveLookup('addresses', ref), required, problems);
    // Remit-to references are looked up among the invoice supplier's remit-to addresses (so a
    // change of supplier drops the old supplier's remit-to unless a new one is sent).
    const remitTo = (ref: unknown): CoupaRecord | undefined => this.resolveRemitTo(next['supplier-id'], ref);
    for (const key of ['remit-to-address-id', 'supplier-remit-to-id'])
      if (this.remitToRef(next['supplier-id'], next[key]) === null) next[key] = null;
    const either = this.options.invoiceRemitTo === 'either';
    this.reference(body, 'remit-to-address', next, remitTo, { creating, required: !either }, problems);
    this.reference(body, 'supplier-remit-to', next, remitTo, { creating, required: !either }, problems);
    if (either && next['remit-to-address-id'] === null && next['supplier-remit-to-id'] === null)
      problems.add("Remit to address can't be blank (send remit-to-address or supplier-remit-to)");
    if (body['line-level-taxation'] !== undefined) {
      const flag = booleanValue(body['line-level-taxation']);
      if (flag === undefined) problems.add('Line level taxation must be true or false');
      else next['line-level-taxation'] = flag;
    }
    if (next['line-level-taxation'] === null && body['line-level-taxation'] === undefined) problems.add("Line level taxation can't be blank (true or false)");
    this.creditNote(body, next, problems);
    if (body['tax-amount'] !== undefined) next['tax-amount'] = body['tax-amount'] === null ? null : decimalText(body['tax-amount'], 'Tax amount', problems);
    if (body['supplier-total'] !== undefined) next['supplier-total'] = body['supplier-total'] === null ? null : decimalText(body['supplier-total'], 'Supplier total', problems);
    if (isObject(body['payment-term']) || body['payment-term'] === null) next['payment-term'] = body['payment-term'];
    const note = optionalString(body, 'supplier-note', problems, 1000);
    if (note !== undefined) next['supplier-note'] = note;
    if (body['net-due-date'] !== undefined) next['net-due-date'] = body['net-due-date'] === null ? null : datetimeText(body['net-due-date'], 'Net due date', problems);
    if (body['invoice-lines'] !== undefined)
      next['invoice-lines'] = mergeLines('invoice', body['invoice-lines'], next['invoice-lines'] as CoupaRecord[], this.lineContext('invoice', next, problems, now)).lines;
    if ((next['invoice-lines'] as CoupaRecord[]).length === 0) problems.add('An invoice needs at least one line');
    problems.throwIfAny(this.validationStatus, 'invoice');
    Object.assign(next, invoiceTotals(next));
    return this.persist('invoices', next, existing);
  }

  /** is-credit-note with original-invoice-number/-date; document-type follows from it (read-only). */
  private creditNote(body: Body, next: CoupaRecord, problems: Problems): void {
    if (body['is-credit-note'] !== undefined) {
      const flag = booleanValue(body['is-credit-note']);
      if (flag === undefined) problems.add('Is credit note must be true or false');
      else next['is-credit-note'] = flag;
    }
    const original = optionalString(body, 'original-invoice-number', problems, MAX_INVOICE_NUMBER);
    if (original !== undefined) next['original-invoice-number'] = original;
    if (body['original-invoice-date'] !== undefined)
      next['original-invoice-date'] = body['original-invoice-date'] === null ? null : datetimeText(body['original-invoice-date'], 'Original invoice date', problems);
    next['document-type'] = next['is-credit-note'] === true ? 'Credit Note' : 'Invoice';
    if (next['is-credit-note'] === true) {
      if (!next['original-invoice-number']) problems.add("Original invoice number can't be blank on a credit note");
      if (!next['original-invoice-date'] && !problems.messages.some((m) => m.startsWith('Original invoice date'))) problems.add("Original invoice date can't be blank on a credit note");
    }
  }

  private assertInvoiceEditable(existing: CoupaRecord): void {
    if (existing.paid === true) throw new CoupaError(this.validationStatus, 'invoice', ['A paid invoice cannot be changed']);
    if (INVOICE_FROZEN_STATUSES.includes(String(existing.status)))
      throw new CoupaError(this.validationStatus, 'invoice', [`An invoice in status ${String(existing.status)} cannot be changed`]);
  }

  /** PUT /api/invoices/:id/{submit,abandon,void,dispute,bypass_approvals,…} (§3.5). */
  invoiceAction(existing: CoupaRecord, action: string): CoupaRecord {
    if (action === 'void' && existing.paid === true) throw new CoupaError(this.validationStatus, 'invoice', ['A paid invoice cannot be voided']);
    const result = transition(INVOICE_ACTIONS, action, String(existing.status), 'invoice');
    if (!result.ok) throw new CoupaError(INVOICE_ACTIONS[action] ? this.validationStatus : 404, 'invoice', [result.reason]);
    return this.persist('invoices', { ...existing, status: result.to, 'updated-at': this.nowText() }, existing);
  }

  /** Seeding only (seed.ts): an invoice approved (and paid) in Coupa before the sandbox starts. */
  settleSeededInvoice(existing: CoupaRecord, how: { at: string; paymentDate: string | null }): CoupaRecord {
    const stamp = { 'created-at': how.at, 'updated-at': how.at };
    const lines = (existing['invoice-lines'] as CoupaRecord[]).map((line) => ({ ...line, ...stamp }));
    const next = { ...existing, ...stamp, 'invoice-lines': lines, status: 'approved', paid: how.paymentDate !== null, 'payment-date': how.paymentDate };
    return this.persist('invoices', next, existing);
  }

  /** DELETE /api/invoices/:id (scope core.invoice.delete): only invoices that never entered approval. */
  deleteInvoice(existing: CoupaRecord): CoupaRecord {
    if (!INVOICE_DELETABLE_STATUSES.includes(String(existing.status)) || existing.paid === true)
      throw new CoupaError(this.validationStatus, 'invoice', [
        `An invoice in status ${String(existing.status)} cannot be deleted (only ${INVOICE_DELETABLE_STATUSES.join(', ')}); void or abandon it instead`,
      ]);
    const rendered = this.render('invoices', existing);
    this.store.transaction(() => {
      this.invoices.delete(existing.id);
      this.invoiceByKey.delete(invoiceKey(existing));
      this.ordered.invoices = this.ordered.invoices.filter((id) => id !== existing.id);
    });
    return rendered;
  }

  // ---- persistence ------------------------------------------------------------------------------

  private persist(resource: Resource, next: CoupaRecord, existing: CoupaRecord | null): CoupaRecord {
    return this.store.transaction(() => {
      const record = existing ? next : { ...next, id: this.nextId(resource, (this.ordered[resource].at(-1) ?? 0) + 1) };
      for (const key of ['order-lines', 'invoice-lines']) {
        const lines = record[key];
        if (Array.isArray(lines)) for (const line of lines as CoupaRecord[]) if (line.id === 0) line.id = this.nextId('lines');
      }
      const remitTos = record['remit-to-addresses'];
      if (Array.isArray(remitTos)) for (const address of remitTos as CoupaRecord[]) if (address.id === 0) address.id = this.nextId('remit_to_addresses');
      this.collection(resource).put(record.id, record);
      this.index(resource, record, existing);
      return record;
    });
  }
}

/**
 * Net = Σ line totals. Tax = Σ line tax-amount with line-level taxation; without it, the header
 * tax-amount when one was sent (else Σ line tax). gross-total = total-with-taxes = net + tax.
 */
export function invoiceTotals(invoice: CoupaRecord): { 'tax-amount': string; 'gross-total': string; 'total-with-taxes': string } {
  const lines = invoice['invoice-lines'] as CoupaRecord[];
  const net = Decimal.sum(lines.map((l) => Decimal.parse(String(l.total ?? lineTotal(l, 'InvoiceQuantityLine')))));
  const lineTax = Decimal.sum(lines.map((l) => (l['tax-amount'] ? Decimal.parse(String(l['tax-amount'])) : Decimal.ZERO)));
  const headerTax = invoice['tax-amount'];
  const tax = invoice['line-level-taxation'] === false && typeof headerTax === 'string' ? Decimal.parse(headerTax) : lineTax;
  const gross = net.plus(tax).toMoneyString();
  return { 'tax-amount': tax.toMoneyString(), 'gross-total': gross, 'total-with-taxes': gross };
}

function invoiceKey(record: CoupaRecord): string {
  return `${String(record['supplier-id'])}\u0000${String(record['invoice-number'])}`;
}
