/**
 * Source-neutral business records, as the engine sees them between a source connector's
 * mappers and a flow's planner. Amounts and quantities are decimal strings (see money.ts);
 * dates are ISO "YYYY-MM-DD".
 */

export interface PartyRef {
  /** The source system's key (Exact: account guid). */
  sourceId: string;
  /** Human code, trimmed (Exact pads account codes to 18 characters). */
  code: string;
  name: string;
}

export type PurchaseOrderStatus = 'open' | 'partial' | 'complete' | 'cancelled';

export interface PurchaseOrderLine {
  sourceLineId: string;
  lineNumber: number;
  itemCode: string | null;
  /** G/L account that carries the cost (Exact: the item's purchase G/L; PO lines have none). */
  glAccountCode: string | null;
  costCenterCode: string | null;
  costUnitCode: string | null;
  projectCode: string | null;
  description: string;
  quantity: string;
  unitPrice: string;
  unit: string | null;
  /** Line amount excl. VAT in the order currency, two decimals. */
  amount: string;
}

export interface PurchaseOrder {
  kind: 'purchase-order';
  sourceId: string;
  number: string;
  supplier: PartyRef;
  orderDate: string;
  description: string;
  currency: string;
  status: PurchaseOrderStatus;
  lines: PurchaseOrderLine[];
  /** Opaque version of the source record (Exact: highest sync Timestamp of its rows). */
  sourceVersion: string;
}

export interface PurchaseInvoiceLine {
  sourceLineId: string;
  lineNumber: number;
  glAccountCode: string | null;
  costCenterCode: string | null;
  costUnitCode: string | null;
  projectCode: string | null;
  description: string;
  /** Excl. VAT, two decimals. */
  amount: string;
  vatAmount: string;
}

export interface PurchaseInvoice {
  kind: 'purchase-invoice';
  sourceId: string;
  entryNumber: string;
  /** The supplier's own invoice number. */
  invoiceNumber: string;
  supplier: PartyRef;
  invoiceDate: string;
  dueDate: string | null;
  description: string;
  currency: string;
  lines: PurchaseInvoiceLine[];
  sourceVersion: string;
}

/** A record removed at the source (Exact sync/Deleted). */
export interface SourceDeletion {
  kind: 'deletion';
  entity: 'purchase-order' | 'purchase-invoice';
  sourceId: string;
  deletedAt: string;
  sourceVersion: string;
}
