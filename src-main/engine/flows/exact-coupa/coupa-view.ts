import type { CoupaInvoice, CoupaPurchaseOrder, CoupaSupplier } from '../../../connectors/coupa';
import type { CoupaView } from './model';
import type { CoupaTarget } from './ports';

/**
 * What one run knows of Coupa: read in batches (50 keys a call) before a page of records is
 * planned, and kept up to date by the run's own writes (a supplier created early in the run is
 * known when its invoices are planned). Planning reads it; it never calls Coupa itself.
 */
export class CoupaState implements CoupaView {
  readonly #coupa: CoupaTarget;
  readonly #suppliers = new Map<string, CoupaSupplier | null>();
  readonly #byName = new Map<string, CoupaSupplier | null>();
  readonly #orders = new Map<string, CoupaPurchaseOrder | null>();
  readonly #invoices = new Map<string, CoupaInvoice | null>();
  #addresses: Set<string> | null = null;

  constructor(coupa: CoupaTarget) {
    this.#coupa = coupa;
  }

  supplierByNumber(number: string): CoupaSupplier | null | undefined {
    return this.#suppliers.get(number);
  }

  supplierByName(name: string): CoupaSupplier | null | undefined {
    return this.#byName.get(name.trim().toLowerCase());
  }

  purchaseOrder(poNumber: string): CoupaPurchaseOrder | null | undefined {
    return this.#orders.get(poNumber);
  }

  invoice(supplierNumber: string, invoiceNumber: string): CoupaInvoice | null | undefined {
    return this.#invoices.get(invoiceKey(supplierNumber, invoiceNumber));
  }

  addressCodes(): ReadonlySet<string> | null {
    return this.#addresses;
  }

  /** Suppliers by number, then the rest by name (what the supplier sync matches on). */
  async matchSuppliers(keys: readonly { number: string; name: string }[]): Promise<void> {
    // Asked again only when neither the number nor (for a number Coupa lacks) the name is known.
    const unknown = (k: { number: string; name: string }): boolean => {
      const known = this.#suppliers.get(k.number);
      return known === undefined || (known === null && !this.#byName.has(k.name.trim().toLowerCase()));
    };
    const wanted = dedupe(keys.filter(unknown), (k) => k.number);
    if (wanted.length === 0) return;
    const matches = await this.#coupa.matchSuppliers(wanted);
    for (const match of matches) {
      this.#suppliers.set(match.number, match.matchedBy === 'number' ? match.supplier : null);
      if (match.matchedBy !== 'number') this.#byName.set(match.name.trim().toLowerCase(), match.supplier);
    }
  }

  async ensureSuppliers(numbers: Iterable<string>): Promise<void> {
    const wanted = [...new Set(numbers)].filter((n) => !this.#suppliers.has(n));
    if (wanted.length === 0) return;
    const found = await this.#coupa.findSuppliersByNumber(wanted);
    for (const n of wanted) this.#suppliers.set(n, found.get(n) ?? null);
  }

  async ensureOrders(poNumbers: Iterable<string>): Promise<void> {
    const wanted = [...new Set(poNumbers)].filter((n) => !this.#orders.has(n));
    if (wanted.length === 0) return;
    const found = await this.#coupa.findPurchaseOrdersByNumber(wanted);
    for (const n of wanted) this.#orders.set(n, found.get(n) ?? null);
  }

  async ensureInvoices(keys: readonly { supplierNumber: string; invoiceNumber: string }[]): Promise<void> {
    const wanted = dedupe(keys, (k) => invoiceKey(k.supplierNumber, k.invoiceNumber)).filter((k) => !this.#invoices.has(invoiceKey(k.supplierNumber, k.invoiceNumber)));
    if (wanted.length === 0) return;
    const found = await this.#coupa.findInvoices(wanted.map((k) => ({ invoiceNumber: k.invoiceNumber, supplier: { number: k.supplierNumber } })));
    wanted.forEach((k, i) => this.#invoices.set(invoiceKey(k.supplierNumber, k.invoiceNumber), found[i] ?? null));
  }

  /** Location codes of Coupa's active addresses, read once per run (ship-to by project). */
  async ensureAddresses(): Promise<void> {
    if (this.#addresses) return;
    const addresses = await this.#coupa.listAddresses();
    this.#addresses = new Set(addresses.filter((a) => a.active && a.locationCode).map((a) => a.locationCode!));
  }

  noteSupplier(supplier: CoupaSupplier): void {
    if (supplier.number) this.#suppliers.set(supplier.number, supplier);
  }

  noteOrder(order: CoupaPurchaseOrder): void {
    this.#orders.set(order.poNumber, order);
  }

  noteInvoice(invoice: CoupaInvoice): void {
    if (invoice.supplier?.number) this.#invoices.set(invoiceKey(invoice.supplier.number, invoice.invoiceNumber), invoice);
  }
}

function invoiceKey(supplierNumber: string, invoiceNumber: string): string {
  return `${supplierNumber}\u0000${invoiceNumber}`;
}

function dedupe<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
