/**
 * Coupa connector (F5, Exact Online → Coupa): OAuth2 client credentials, external purchase
 * orders, supplier invoices (draft → submit), suppliers both ways and the reference data the
 * mapping screens need. System-level reads and writes; the flow decides what to send.
 * Quirks, sources and the calls per operation: README.md. URLs and headers: client.ts.
 */
import type { TokenSet } from '../../../src-shared/domain/auth';
import type { ConnectionTestResult, Connector, SourcePage, WriteCallOptions } from '../connector';
import type { RequestBudget } from '../_kit';
import type { CoupaClientContext } from './client';
import { CoupaClient, CoupaConfigError, PAGE_LIMIT, explainCoupaFailure } from './client';
import type { ResolvedChart } from './mappers';
import {
  InvalidInputError,
  accountFromWire,
  accountTypeFromWire,
  addressFromWire,
  invoiceFromWire,
  purchaseOrderFromWire,
  resolveChart,
  supplierFromWire,
  userFromWire,
} from './mappers';
import type {
  CoupaAccount,
  CoupaAccountType,
  CoupaAddress,
  CoupaInvoice,
  CoupaPurchaseOrder,
  CoupaSettings,
  CoupaSupplier,
  CoupaUser,
  CoupaWriteCallOptions,
  CoupaWriteFailure,
  InvoiceInput,
  InvoiceKey,
  InvoiceWriteResult,
  PurchaseOrderActionResult,
  PurchaseOrderInput,
  PurchaseOrderWriteResult,
  SupplierInput,
  SupplierMatch,
  SupplierDeactivationResult,
  SupplierWriteResult,
} from './types';
import { COUPA_SCOPES } from './types';
import type { WireAccount, WireAccountType, WireAddress, WireInvoice, WirePurchaseOrder, WireSupplier, WireUser } from './wire';
import type { WriteEnv } from './writes';
import {
  changePurchaseOrderStatus,
  deactivateSuppliers,
  findInvoices,
  findPurchaseOrders,
  invoiceKeyOf,
  markExported,
  matchSuppliers,
  upsertInvoices,
  upsertPurchaseOrders,
  upsertSuppliers,
} from './writes';

export type * from './types';
export { COUPA_SCOPES, DEFAULT_COUPA_SCOPES } from './types';
export { CoupaAccessError, CoupaConfigError } from './client';
export { CoupaResponseShapeError, InvalidInputError, MAX_INVOICE_NUMBER, MAX_PO_NUMBER, coupaPoNumber } from './mappers';

export interface CoupaConnector extends Connector {
  readonly system: 'coupa';
  /** The instance host, e.g. acme.coupahost.com. */
  readonly instance: string;
  /** The instance's request budget (`coupa:<host>`, 25/s), shared by every flow. */
  readonly budget: RequestBudget;
  /** Client credentials with the connection's scopes; token custody calls it (CLIENT_CREDENTIALS_POLICY). */
  requestToken(clientSecret: string): Promise<TokenSet>;

  // suppliers
  /** Suppliers changed at or after `updatedSince` (ISO instant; null = all), page by page with the cursor to store. */
  readSuppliers(updatedSince: string | null): AsyncIterable<SourcePage<CoupaSupplier>>;
  /** Every supplier (or those changed at or after `updatedSince`), for matching screens. */
  listSuppliers(options?: { updatedSince?: string }): Promise<CoupaSupplier[]>;
  findSuppliersByNumber(numbers: readonly string[]): Promise<Map<string, CoupaSupplier>>;
  /** By Exact supplier code ↔ Coupa number, then by name; one answer per key, in order. */
  matchSuppliers(keys: readonly { number: string; name: string }[]): Promise<SupplierMatch[]>;
  /** Create or bring up to date (primary contact, remit-to addresses); one result per input. */
  upsertSuppliers(suppliers: readonly SupplierInput[], call?: WriteCallOptions): Promise<SupplierWriteResult[]>;
  /** Deleted at the source: set inactive (never created, never deleted); one look-up for the batch, one update per active supplier. */
  deactivateSuppliers(numbers: readonly string[], call?: WriteCallOptions): Promise<SupplierDeactivationResult[]>;

  // purchase orders
  findPurchaseOrdersByNumber(poNumbers: readonly string[]): Promise<Map<string, CoupaPurchaseOrder>>;
  /**
   * External POs by po-number: created when absent, updated (a new Coupa version; removed lines
   * `_delete`d) when they differ, left alone when Coupa already says the same; issued per
   * settings.issuePurchaseOrders. One result per input, in input order.
   */
  upsertPurchaseOrders(orders: readonly PurchaseOrderInput[], call?: CoupaWriteCallOptions): Promise<PurchaseOrderWriteResult[]>;
  cancelPurchaseOrders(poNumbers: readonly string[], call?: WriteCallOptions): Promise<PurchaseOrderActionResult[]>;
  /** Issue draft POs (send to the supplier, or `withoutSend`). */
  issuePurchaseOrders(poNumbers: readonly string[], options?: WriteCallOptions & { withoutSend?: boolean }): Promise<PurchaseOrderActionResult[]>;

  // invoices
  /** By invoice number + supplier; null where Coupa has none. In input order. */
  findInvoices(keys: readonly InvoiceKey[]): Promise<Array<CoupaInvoice | null>>;
  /**
   * Supplier invoices and credit notes: a draft is created (or an existing draft brought up to
   * date), its totals checked, then submitted. An invoice Coupa already approved, paid or holds in
   * approval is never changed: its result is a non-retryable failure with code `invoice-approved`,
   * `invoice-paid` or `invoice-in-approval` (and `sameAsCoupa`).
   */
  upsertInvoices(invoices: readonly InvoiceInput[], call?: CoupaWriteCallOptions): Promise<InvoiceWriteResult[]>;
  /** `PUT …?exported=true`, one call per record (brief: its own PUT). */
  markExported(
    kind: 'purchase-orders' | 'invoices',
    ids: readonly string[],
    call?: WriteCallOptions,
  ): Promise<Array<{ id: string; ok: true } | (CoupaWriteFailure & { id: string })>>;

  /**
   * Every PO whose po-number starts with `poNumberPrefix` (all POs when it is empty), 50 a page:
   * what a reconciliation needs to see POs keyed in Coupa under numbers the app does not know.
   */
  listPurchaseOrders(options: { poNumberPrefix: string }): Promise<CoupaPurchaseOrder[]>;
  /** Every invoice of these suppliers (by Coupa number), 50 numbers a query, 50 invoices a page. */
  listInvoicesOfSuppliers(supplierNumbers: readonly string[]): Promise<CoupaInvoice[]>;

  // reference data (scope core.common.read)
  listAccountTypes(): Promise<CoupaAccountType[]>;
  /**
   * Every account of one chart of accounts (Coupa `account-type`, by id or name), active and
   * inactive, all pages of 50 (Accounts API, GET /api/accounts?account_type[id]=…).
   */
  listAccounts(accountType: { id: string } | { name: string }): Promise<CoupaAccount[]>;
  listAddresses(): Promise<CoupaAddress[]>;
  listUsers(): Promise<CoupaUser[]>;
}

export const DEFAULT_WRITE_CONCURRENCY = 4;
export const MAX_WRITE_CONCURRENCY = 16;

/** What each scope lets the connector do, for testConnection's sentence. */
const SCOPE_WORDS: Record<string, string> = {
  [COUPA_SCOPES.purchaseOrderRead]: 'read purchase orders',
  [COUPA_SCOPES.purchaseOrderWrite]: 'write purchase orders',
  [COUPA_SCOPES.invoiceRead]: 'read invoices',
  [COUPA_SCOPES.invoiceWrite]: 'write invoices',
  [COUPA_SCOPES.supplierRead]: 'read suppliers',
  [COUPA_SCOPES.supplierWrite]: 'write suppliers',
  [COUPA_SCOPES.commonRead]: 'read reference data (accounts, addresses, users)',
};

/** A chart of accounts checked as a setting: a wrong one is a CoupaConfigError (nothing is sent). */
function checkedChart(chart: CoupaSettings['chartOfAccounts']): ResolvedChart | null {
  try {
    return chart ? resolveChart(chart) : null;
  } catch (error) {
    if (error instanceof InvalidInputError) throw new CoupaConfigError(`The Coupa chart of accounts setting is wrong: ${error.message}.`);
    throw error;
  }
}

function checkedSettings(settings: CoupaSettings): { chart: ResolvedChart | null; concurrency: number } {
  const concurrency = settings.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_WRITE_CONCURRENCY))
    throw new CoupaConfigError(
      `The Coupa write concurrency must be a whole number from 1 to ${MAX_WRITE_CONCURRENCY}, got ${String(concurrency)}.`,
    );
  const mode = settings.issuePurchaseOrders ?? 'off';
  if (!['off', 'issue', 'issue-without-send'].includes(mode))
    throw new CoupaConfigError(`Issuing POs must be off, issue or issue-without-send, got ${String(mode)}.`);
  return { chart: checkedChart(settings.chartOfAccounts), concurrency };
}

export function createCoupaConnector(ctx: CoupaClientContext, settings: CoupaSettings): CoupaConnector {
  // Checked before the client exists: a refused setting leaves no connection pool behind.
  const { chart, concurrency } = checkedSettings(settings);
  const client = new CoupaClient(ctx, settings);
  const env = (call?: CoupaWriteCallOptions): WriteEnv => ({
    client,
    // A flow that owns the chart (its policy) passes it per call; otherwise the connection's.
    chart: call?.chartOfAccounts ? checkedChart(call.chartOfAccounts) : chart,
    defaultShipToUserLogin: settings.defaultShipToUserLogin,
    defaultBillToLocationCode: settings.defaultBillToLocationCode,
    issueMode: settings.issuePurchaseOrders ?? 'off',
    markExported: settings.markExportedAfterWrite ?? false,
    concurrency,
    signal: call?.signal,
  });

  async function* readSuppliers(updatedSince: string | null): AsyncGenerator<SourcePage<CoupaSupplier>> {
    // Keyset paging on updated-at (ascending): a supplier changed during the read moves to the
    // end and is read later, never skipped as it would be with offsets over a shifting list.
    // Rows sharing the last instant are skipped by count (Coupa orders ties by id).
    let since = updatedSince;
    let seenAtSince = new Set<string>();
    for (;;) {
      const query = { order_by: 'updated_at', dir: 'asc', ...(since === null ? {} : { 'updated-at[gt_or_eq]': since }) };
      const page = await client.page<WireSupplier>('suppliers', query, seenAtSince.size);
      const fresh = page.filter((supplier) => !seenAtSince.has(String(supplier.id)));
      const records = fresh.map(supplierFromWire);
      const last = page.at(-1)?.['updated-at'] ?? null;
      if (last !== null && last !== undefined) {
        if (last !== since) seenAtSince = new Set();
        for (const supplier of page) if (supplier['updated-at'] === last) seenAtSince.add(String(supplier.id));
        since = last;
      }
      yield { records, deletions: [], cursorAfter: since ?? '' };
      if (page.length < PAGE_LIMIT) return;
    }
  }

  return {
    system: 'coupa',
    instance: client.instance,
    budget: client.budget,
    requestToken: (clientSecret) => client.requestToken(clientSecret),

    async testConnection(): Promise<ConnectionTestResult> {
      try {
        await client.page<WireAccountType>('account_types', {}, 0, 1);
        const granted = (await client.tokenScopes()) ?? [...client.scopes];
        const can = granted.flatMap((scope) => SCOPE_WORDS[scope] ?? []);
        const missing = Object.keys(SCOPE_WORDS).filter((scope) => !granted.includes(scope));
        return {
          ok: true,
          detail:
            `Connected to Coupa ${client.instance}; this connection may ${can.join(', ') || 'do nothing useful'}.` +
            (missing.length ? ` Missing for F5: ${missing.join(', ')}.` : ''),
        };
      } catch (error) {
        return { ok: false, problem: explainCoupaFailure(error, client.instance, 'reading the chart of accounts') };
      }
    },

    readSuppliers,

    async listSuppliers(options = {}) {
      const all = new Map<string, CoupaSupplier>();
      for await (const page of readSuppliers(options.updatedSince ?? null))
        for (const supplier of page.records) all.set(supplier.id, supplier);
      return [...all.values()];
    },

    async findSuppliersByNumber(numbers) {
      const found = new Map<string, CoupaSupplier>();
      const wanted = new Set(numbers);
      for (const supplier of await client.findByValues<WireSupplier>('suppliers', 'number', [...wanted]))
        if (typeof supplier.number === 'string' && wanted.has(supplier.number)) found.set(supplier.number, supplierFromWire(supplier));
      return found;
    },

    async matchSuppliers(keys) {
      return (await matchSuppliers(client, keys)).map(({ wire: _wire, ...match }) => match);
    },

    upsertSuppliers: (suppliers, call) => upsertSuppliers(env(call), suppliers),
    deactivateSuppliers: (numbers, call) => deactivateSuppliers(env(call), numbers),

    async findPurchaseOrdersByNumber(poNumbers) {
      const found = await findPurchaseOrders(client, poNumbers);
      return new Map([...found].map(([number, po]) => [number, purchaseOrderFromWire(po)]));
    },

    upsertPurchaseOrders: async (orders, call) => upsertPurchaseOrders(env(call), orders),
    cancelPurchaseOrders: (poNumbers, call) => changePurchaseOrderStatus(env(call), poNumbers, 'cancel'),
    issuePurchaseOrders: (poNumbers, options) =>
      changePurchaseOrderStatus(env(options), poNumbers, options?.withoutSend ? 'issue-without-send' : 'issue'),

    async findInvoices(keys) {
      const found = await findInvoices(client, keys);
      return keys.map((key) => {
        const invoice = found.get(invoiceKeyOf(key));
        return invoice ? invoiceFromWire(invoice) : null;
      });
    },

    upsertInvoices: async (invoices, call) => upsertInvoices(env(call), invoices),
    markExported: (kind, ids, call) => markExported(env(call), kind === 'invoices' ? 'invoices' : 'purchase_orders', ids),

    async listPurchaseOrders({ poNumberPrefix }) {
      const wires = await client.listAll<WirePurchaseOrder>('purchase_orders', poNumberPrefix === '' ? {} : { 'po_number[starts_with]': poNumberPrefix });
      // starts_with is case-insensitive in Coupa: keep the exact prefix only.
      return wires.filter((po) => String(po['po-number'] ?? '').startsWith(poNumberPrefix)).map(purchaseOrderFromWire);
    },
    async listInvoicesOfSuppliers(supplierNumbers) {
      const wanted = new Set(supplierNumbers);
      const wires = await client.findByValues<WireInvoice>('invoices', 'supplier[number]', [...wanted]);
      return wires.filter((inv) => typeof inv.supplier?.number === 'string' && wanted.has(inv.supplier.number)).map(invoiceFromWire);
    },
    async listAccountTypes() {
      return (await client.listAll<WireAccountType>('account_types')).map(accountTypeFromWire);
    },
    async listAccounts(accountType) {
      const query = 'id' in accountType ? { 'account_type[id]': accountType.id } : { 'account_type[name]': accountType.name };
      return (await client.listAll<WireAccount>('accounts', query)).map(accountFromWire);
    },
    async listAddresses() {
      return (await client.listAll<WireAddress>('addresses')).map(addressFromWire);
    },
    async listUsers() {
      return (await client.listAll<WireUser>('users')).map(userFromWire);
    },

    close: () => client.close(),
  };
}
