import type { SourcePage } from '../connector';
import type { ExactOnlineConnector } from './index';
import { deletionsOf, type DeletedEntity } from './streams';

/** The engine's per-process read sharing (engine/sync/shared-reads.ts), as the connector sees it. */
export interface SourceReadSharing {
  read<R, D>(
    source: { connectionId: string; stream: string; consumer: string },
    cursor: string | null,
    read: (cursor: string | null) => AsyncIterable<SourcePage<R, D>>,
  ): AsyncIterable<SourcePage<R, D>>;
}

/** Exact's change feeds, as every flow on a division reads them. */
export type ExactFeeds = Pick<
  ExactOnlineConnector,
  | 'readPurchaseOrders'
  | 'readPurchaseInvoices'
  | 'readSalesInvoices'
  | 'readSalesOrders'
  | 'readSuppliersChanged'
  | 'readDeletedPurchaseOrders'
  | 'readDeletedSalesInvoices'
  | 'readDeletedSalesOrders'
  | 'readDeletedSuppliers'
>;

/**
 * Exact's feeds for one flow (`consumer`), each read once per poll for every flow on the division
 * (decision 0017): a flow polling a feed from the cursor another flow has just read it from gets
 * that read. Deletions of every kind come from ONE sync/Deleted read: each kind is a consumer of
 * its own, so F4's three deletion streams and F1's and F5's all take the first one's call.
 */
export function sharedExactFeeds(exact: ExactOnlineConnector, sharing: SourceReadSharing, connectionId: string, consumer: string): ExactFeeds {
  const feed =
    <R, D>(stream: string, read: (cursor: string | null) => AsyncIterable<SourcePage<R, D>>) =>
    (cursor: string | null) =>
      sharing.read({ connectionId, stream, consumer }, cursor, read);
  const deletions =
    <K extends DeletedEntity>(kind: K) =>
    (cursor: string | null) =>
      deletionsOf(sharing.read({ connectionId, stream: 'readDeletions', consumer: `${consumer}:${kind}` }, cursor, (c) => exact.readDeletions(c)), kind);
  return {
    readPurchaseOrders: feed('readPurchaseOrders', (c) => exact.readPurchaseOrders(c)),
    readPurchaseInvoices: feed('readPurchaseInvoices', (c) => exact.readPurchaseInvoices(c)),
    readSalesInvoices: feed('readSalesInvoices', (c) => exact.readSalesInvoices(c)),
    readSalesOrders: feed('readSalesOrders', (c) => exact.readSalesOrders(c)),
    readSuppliersChanged: feed('readSuppliersChanged', (c) => exact.readSuppliersChanged(c)),
    readDeletedPurchaseOrders: deletions('purchase-order'),
    readDeletedSalesInvoices: deletions('sales-invoice'),
    readDeletedSalesOrders: deletions('sales-order'),
    readDeletedSuppliers: deletions('supplier'),
  };
}
