import type { SimCollection, SimStore } from '../_common/sim-store';
import type { ExactRecord } from './wire';

/**
 * The Sync API's append-only feeds (fact sheet §1.6). Every change appends rows with a new
 * `Timestamp` from one division-wide Int64 counter, so a feed may hold older versions of the
 * same ID (clients keep the highest Timestamp). Rows are stored per feed keyed by Timestamp;
 * an in-memory sorted list of Timestamps gives `Timestamp gt N` a binary search.
 */
export interface SyncFeedDef {
  /** Path after `sync/`, e.g. "PurchaseOrder/PurchaseOrders". */
  name: string;
  collection: string;
  type: string;
  /** Fields a $filter may use (Exact allows only these on sync endpoints). */
  filterable: readonly string[];
}

export const SYNC_FEEDS: readonly SyncFeedDef[] = [
  { name: 'PurchaseOrder/PurchaseOrders', collection: 'sync_PurchaseOrders', type: 'Exact.Web.Api.Models.Sync.PurchaseOrder.PurchaseOrder', filterable: ['Timestamp'] },
  { name: 'Financial/GLAccounts', collection: 'sync_GLAccounts', type: 'Exact.Web.Api.Models.Sync.Financial.GLAccount', filterable: ['Timestamp'] },
  { name: 'CRM/Accounts', collection: 'sync_Accounts', type: 'Exact.Web.Api.Models.Sync.CRM.Account', filterable: ['Timestamp'] },
  { name: 'SalesInvoice/SalesInvoices', collection: 'sync_SalesInvoices', type: 'Exact.Web.Api.Models.Sync.SalesInvoice.SalesInvoice', filterable: ['Timestamp'] },
  { name: 'SalesOrder/SalesOrderHeaders', collection: 'sync_SalesOrderHeaders', type: 'Exact.Web.Api.Models.Sync.SalesOrder.SalesOrderHeader', filterable: ['Timestamp'] },
  { name: 'SalesOrder/SalesOrderLines', collection: 'sync_SalesOrderLines', type: 'Exact.Web.Api.Models.Sync.SalesOrder.SalesOrderLine', filterable: ['Timestamp'] },
  { name: 'Deleted', collection: 'sync_Deleted', type: 'Exact.Web.Api.Models.Sync.Deleted', filterable: ['Timestamp', 'EntityType'] },
];

/** sync/Deleted EntityType codes used here. */
export const DELETED_ENTITY_TYPE = { Accounts: 2, GLAccounts: 7, SalesInvoices: 13, Projects: 21, PurchaseOrders: 22, SalesOrderHeaders: 32, SalesOrderLines: 33 } as const;

const LAST_TIMESTAMP = 'sync:lastTimestamp';
/** First Timestamp handed out is just above this, so `Timestamp gt 1L` reads everything. */
const TIMESTAMP_BASE = 10_000;

export class SyncLog {
  private readonly feeds = new Map<string, { def: SyncFeedDef; rows: SimCollection<ExactRecord>; timestamps: number[] }>();
  private last: number;

  constructor(private readonly store: SimStore) {
    this.last = store.getMeta<number>(LAST_TIMESTAMP) ?? TIMESTAMP_BASE;
    for (const def of SYNC_FEEDS) {
      const rows = store.collection<ExactRecord>(def.collection);
      const timestamps = rows.all().map((r) => r.Timestamp as number).sort((a, b) => a - b);
      this.feeds.set(def.name.toLowerCase(), { def, rows, timestamps });
    }
  }

  feed(name: string): SyncFeedDef | undefined {
    return this.feeds.get(name.toLowerCase())?.def;
  }

  /** Appends one row per call of `build`, each with the next division-wide Timestamp. */
  append(feedName: string, build: (timestamp: number) => ExactRecord): void {
    const feed = this.feeds.get(feedName.toLowerCase());
    if (!feed) throw new Error(`no sync feed ${feedName}`);
    this.last += 1;
    const row = build(this.last);
    feed.rows.put(String(this.last), row);
    feed.timestamps.push(this.last);
    this.store.setMeta(LAST_TIMESTAMP, this.last);
  }

  /** Rows in Timestamp order starting after (or at) `from`. */
  *rowsFrom(feedName: string, from: number, inclusive: boolean): Generator<ExactRecord> {
    const feed = this.feeds.get(feedName.toLowerCase());
    if (!feed) return;
    const ts = feed.timestamps;
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const v = ts[mid] as number;
      if (v < from || (v === from && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < ts.length; i += 1) {
      const row = feed.rows.get(String(ts[i]));
      if (row) yield row;
    }
  }

  /** Field names of a feed's rows (for $select checks); null while the feed is empty. */
  fieldsOf(feedName: string): Set<string> | null {
    const feed = this.feeds.get(feedName.toLowerCase());
    const first = feed?.timestamps[0];
    const row = first === undefined ? undefined : feed?.rows.get(String(first));
    return row ? new Set(Object.keys(row)) : null;
  }

  /** Feed rows per collection name, for inspect(). */
  dump(): Record<string, ExactRecord[]> {
    const out: Record<string, ExactRecord[]> = {};
    for (const { def, rows } of this.feeds.values()) out[def.collection] = rows.all();
    return out;
  }
}
