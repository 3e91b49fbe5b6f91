import type { PurchaseInvoice, PurchaseOrder, SourceDeletion, SourceEntityDeletion, Supplier } from '../../../../src-shared/domain/records';
import type { SourcePage, WriteCallOptions } from '../../../connectors/connector';
import type { CoupaConnector } from '../../../connectors/coupa';
import type { ExactOnlineConnector, ExactSupplierFields, ExactSupplierInput, ExactSupplierWriteResult } from '../../../connectors/exact-online';

/**
 * What F5 needs from each side: Exact's streams (read once per poll for every flow, through
 * sharedReads) and supplier writes; Coupa's lookups and writes. Tests wrap these to inject faults
 * at chosen moments.
 */
export interface ExactSource {
  readSuppliersChanged(cursor: string | null): AsyncIterable<SourcePage<Supplier>>;
  readPurchaseOrders(cursor: string | null): AsyncIterable<SourcePage<PurchaseOrder>>;
  readDeletedPurchaseOrders(cursor: string | null): AsyncIterable<SourcePage<never, SourceDeletion>>;
  readPurchaseInvoices(cursor: string | null): AsyncIterable<SourcePage<PurchaseInvoice>>;
  /** Accounts deleted in Exact (sync/Deleted EntityType 2): suppliers and customers alike. */
  readDeletedSuppliers(cursor: string | null): AsyncIterable<SourcePage<never, SourceEntityDeletion<'supplier'>>>;
  findPurchaseInvoiceByNumber: ExactOnlineConnector['findPurchaseInvoiceByNumber'];
  findSupplierByCode(code: string): Promise<Supplier | null>;
  readSuppliers: ExactOnlineConnector['readSuppliers'];
  createSupplier(input: ExactSupplierInput, options?: WriteCallOptions): Promise<ExactSupplierWriteResult>;
  updateSupplier(supplierId: string, changes: ExactSupplierFields, options?: WriteCallOptions): Promise<ExactSupplierWriteResult>;
}

export type CoupaTarget = Pick<
  CoupaConnector,
  | 'readSuppliers'
  | 'listSuppliers'
  | 'findSuppliersByNumber'
  | 'matchSuppliers'
  | 'upsertSuppliers'
  | 'deactivateSuppliers'
  | 'findPurchaseOrdersByNumber'
  | 'upsertPurchaseOrders'
  | 'cancelPurchaseOrders'
  | 'issuePurchaseOrders'
  | 'findInvoices'
  | 'upsertInvoices'
  | 'markExported'
  | 'listAddresses'
>;
