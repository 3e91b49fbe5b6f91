import type { PurchaseOrder, SalesInvoice, SalesOrder, SourceDeletion, SourceEntityDeletion } from '../../../../src-shared/domain/records';
import type { SourcePage } from '../../../connectors/connector';
import type { MondayConnector } from '../../../connectors/monday';

/**
 * What F4 needs from each side. The Exact Online connector's streams are handed over through the
 * process's shared reads (index.ts), so purchase orders are read once per poll for F1 and F4.
 */
export interface ExactSource {
  readPurchaseOrders(cursor: string | null): AsyncIterable<SourcePage<PurchaseOrder>>;
  readDeletedPurchaseOrders(cursor: string | null): AsyncIterable<SourcePage<never, SourceDeletion>>;
  readSalesInvoices(cursor: string | null): AsyncIterable<SourcePage<SalesInvoice>>;
  readDeletedSalesInvoices(cursor: string | null): AsyncIterable<SourcePage<never, SourceEntityDeletion<'sales-invoice'>>>;
  readSalesOrders(cursor: string | null): AsyncIterable<SourcePage<SalesOrder>>;
  readDeletedSalesOrders(cursor: string | null): AsyncIterable<SourcePage<never, SourceEntityDeletion<'sales-order'>>>;
}

/** The monday.com connector as F4 uses it: boards to check, items to find, create, update and archive. */
export type MondayTarget = Pick<MondayConnector, 'getBoard' | 'checkColumnMapping' | 'findItemsByKey' | 'readItems' | 'createItems' | 'updateItems' | 'archiveItems'>;
