import type { SimCollection, SimStore } from '../_common/sim-store';
import type { ExactRecord } from './wire';

/** A line collection hanging off a header (PurchaseOrderLines off PurchaseOrders, …). */
export interface NavigationDef {
  property: string;
  /** Endpoint path of the lines, e.g. "purchaseorder/PurchaseOrderLines". */
  linesPath: string;
}

/** One standard (non-sync) endpoint under /api/v1/{division}/ (fact sheet §1.5). */
export interface EndpointDef {
  path: string;
  collection: string;
  key: string;
  /** Model name in __metadata.type (Exact.Web.Api.Models.<type>). */
  type: string;
  /** Header key field on line records (line endpoints only). */
  parentKey?: string;
  navigation?: NavigationDef;
  /** Mandatory filtering (§1.4): a GET must filter on one of these fields. */
  mandatoryFilter?: readonly string[];
}

export const ENDPOINTS: readonly EndpointDef[] = [
  { path: 'purchaseorder/PurchaseOrders', collection: 'PurchaseOrders', key: 'PurchaseOrderID', type: 'PurchaseOrder', navigation: { property: 'PurchaseOrderLines', linesPath: 'purchaseorder/PurchaseOrderLines' } },
  { path: 'purchaseorder/PurchaseOrderLines', collection: 'PurchaseOrderLines', key: 'ID', type: 'PurchaseOrderLine', parentKey: 'PurchaseOrderID' },
  { path: 'purchaseentry/PurchaseEntries', collection: 'PurchaseEntries', key: 'EntryID', type: 'PurchaseEntry', navigation: { property: 'PurchaseEntryLines', linesPath: 'purchaseentry/PurchaseEntryLines' } },
  { path: 'purchaseentry/PurchaseEntryLines', collection: 'PurchaseEntryLines', key: 'ID', type: 'PurchaseEntryLine', parentKey: 'EntryID' },
  { path: 'financial/GLAccounts', collection: 'GLAccounts', key: 'ID', type: 'GLAccount' },
  { path: 'hrm/Costcenters', collection: 'Costcenters', key: 'ID', type: 'Costcenter' },
  { path: 'hrm/Costunits', collection: 'Costunits', key: 'ID', type: 'Costunit' },
  // Which fields satisfy mandatory filtering is not documented in the fact sheet; these are the usual ones.
  {
    path: 'crm/Accounts',
    collection: 'Accounts',
    key: 'ID',
    type: 'Account',
    mandatoryFilter: ['ID', 'Code', 'Name', 'IsSupplier', 'IsSales', 'Modified'],
    navigation: { property: 'BankAccounts', linesPath: 'crm/BankAccounts' },
  },
  // Bank accounts of customers and suppliers (picqer BankAccount.php mirrors Exact's CRMBankAccounts page).
  { path: 'crm/BankAccounts', collection: 'BankAccounts', key: 'ID', type: 'BankAccount', parentKey: 'Account' },
  { path: 'logistics/Items', collection: 'Items', key: 'ID', type: 'Item', mandatoryFilter: ['ID', 'Code', 'Description', 'Modified'] },
  { path: 'project/Projects', collection: 'Projects', key: 'ID', type: 'Project' },
  { path: 'salesinvoice/SalesInvoices', collection: 'SalesInvoices', key: 'InvoiceID', type: 'SalesInvoice', navigation: { property: 'SalesInvoiceLines', linesPath: 'salesinvoice/SalesInvoiceLines' } },
  { path: 'salesinvoice/SalesInvoiceLines', collection: 'SalesInvoiceLines', key: 'ID', type: 'SalesInvoiceLine', parentKey: 'InvoiceID' },
  { path: 'salesorder/SalesOrders', collection: 'SalesOrders', key: 'OrderID', type: 'SalesOrder', navigation: { property: 'SalesOrderLines', linesPath: 'salesorder/SalesOrderLines' } },
  { path: 'salesorder/SalesOrderLines', collection: 'SalesOrderLines', key: 'ID', type: 'SalesOrderLine', parentKey: 'OrderID' },
];

export function findEndpoint(path: string): EndpointDef | undefined {
  const lower = path.toLowerCase();
  return ENDPOINTS.find((e) => e.path.toLowerCase() === lower);
}

/** An endpoint the simulator defines (a typo in a path is a programming error). */
export function requireEndpoint(path: string): EndpointDef {
  const found = findEndpoint(path);
  if (!found) throw new Error(`endpoint ${path} is not defined`);
  return found;
}

function keyOrder(a: ExactRecord, b: ExactRecord, key: string): number {
  const x = String(a[key]).toLowerCase();
  const y = String(b[key]).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The standard endpoints' records with what paging needs kept alongside: each collection
 * sorted by key (Exact pages by key with $skiptoken) and, for line collections, the line ids
 * per header. Both are rebuilt on start and updated by every write made through here.
 */
export class ExactRepository {
  private readonly sorted = new Map<string, ExactRecord[]>();
  private readonly linesByParent = new Map<string, Map<string, string[]>>();

  constructor(private readonly store: SimStore) {}

  collection(def: EndpointDef): SimCollection<ExactRecord> {
    return this.store.collection<ExactRecord>(def.collection);
  }

  /** Records of an endpoint in key order (cached until the next write). */
  sortedRecords(def: EndpointDef): readonly ExactRecord[] {
    let rows = this.sorted.get(def.collection);
    if (!rows) {
      rows = this.collection(def).all().sort((a, b) => keyOrder(a, b, def.key));
      this.sorted.set(def.collection, rows);
    }
    return rows;
  }

  /** Lines of one header, in LineNumber order. */
  linesOf(lineDef: EndpointDef, parentId: string): ExactRecord[] {
    let index = this.linesByParent.get(lineDef.collection);
    if (!index) {
      index = new Map();
      for (const line of this.collection(lineDef).all()) {
        const parent = String(line[lineDef.parentKey as string]).toLowerCase();
        const ids = index.get(parent) ?? [];
        ids.push(String(line[lineDef.key]).toLowerCase());
        index.set(parent, ids);
      }
      this.linesByParent.set(lineDef.collection, index);
    }
    const lines = this.collection(lineDef);
    return (index.get(parentId.toLowerCase()) ?? [])
      .map((id) => lines.get(id))
      .filter((l): l is ExactRecord => l !== undefined)
      .sort((a, b) => Number(a.LineNumber) - Number(b.LineNumber));
  }

  /** Keys are stored lower-case: Exact matches guids case-insensitively. */
  get(def: EndpointDef, id: string): ExactRecord | undefined {
    return this.collection(def).get(id.toLowerCase());
  }

  put(def: EndpointDef, record: ExactRecord): void {
    const id = String(record[def.key]).toLowerCase();
    const isNew = !this.collection(def).has(id);
    this.collection(def).put(id, record);
    this.sorted.delete(def.collection);
    if (isNew && def.parentKey) this.linesByParent.delete(def.collection);
  }

  delete(def: EndpointDef, id: string): void {
    this.collection(def).delete(id.toLowerCase());
    this.sorted.delete(def.collection);
    if (def.parentKey) this.linesByParent.delete(def.collection);
  }

  /** Forgets the caches (after a failed transaction rolled the store back). */
  invalidate(): void {
    this.sorted.clear();
    this.linesByParent.clear();
  }
}
