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
  /** Name of the G/L account (Exact: the item's cost account description). */
  glAccountDescription?: string | null;
  costCenterDescription?: string | null;
  /** VAT on the line, two decimals ("0.00" when the order carries none). */
  vatAmount?: string;
  vatCode?: string | null;
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
  /** When the goods are expected (purchase orders have no due date; this is the nearest). */
  receiptDate?: string | null;
  /** Sum of the line amounts excl. VAT, two decimals. */
  amount?: string;
  /** Sum of the lines' VAT, two decimals. */
  vatAmount?: string;
  /** The order in the source system's web screens (a link for people, never called by the app). */
  webUrl?: string;
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
  glAccountDescription?: string | null;
  costCenterDescription?: string | null;
  /** Quantity as booked (Exact entry lines: usually 1); null when the source has none. */
  quantity?: string | null;
  /** amount ÷ quantity when that divides exactly (at most 6 decimals), else null. */
  unitPrice?: string | null;
  vatCode?: string | null;
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
  /** A credit note corrects an earlier invoice (Exact purchase entry Type 31). */
  documentType?: 'invoice' | 'credit-note';
  /** Number of the purchase order the entry references (Exact `OrderNumber`), when it has one. */
  purchaseOrderNumber?: string | null;
  status?: PurchaseInvoiceStatus;
}

/** Exact purchase entries: 5 rejected, 20 open, 50 processed. */
export type PurchaseInvoiceStatus = 'rejected' | 'open' | 'processed';

/** A record removed at the source (Exact sync/Deleted). */
export interface SourceDeletion {
  kind: 'deletion';
  entity: 'purchase-order' | 'purchase-invoice';
  sourceId: string;
  deletedAt: string;
  sourceVersion: string;
}

// ---------------------------------------------------------------------------------------
// Sales documents (F4: Exact Online -> monday.com)

export interface SalesDocumentLine {
  sourceLineId: string;
  lineNumber: number;
  itemCode: string | null;
  /** Revenue G/L account (Exact: on invoice lines; from the item on order lines). */
  glAccountCode: string | null;
  glAccountDescription: string | null;
  costCenterCode: string | null;
  costCenterDescription: string | null;
  costUnitCode: string | null;
  description: string;
  quantity: string;
  unitPrice: string;
  /** Excl. VAT, two decimals (negative on a credit note). */
  amount: string;
  vatAmount: string;
  vatCode: string | null;
}

/** Exact sales invoices: 10 draft, 20 open, 50 processed (printed/booked, no longer editable). */
export type SalesInvoiceStatus = 'draft' | 'open' | 'processed';

export interface SalesInvoice {
  kind: 'sales-invoice';
  sourceId: string;
  invoiceNumber: string;
  documentType: 'invoice' | 'credit-note';
  /** The customer invoiced (Exact `InvoiceTo`). */
  customer: PartyRef;
  invoiceDate: string;
  dueDate: string | null;
  currency: string;
  status: SalesInvoiceStatus;
  /** The customer's reference (order number), when given. */
  yourRef: string | null;
  /** Sum of the line amounts excl. VAT, two decimals. */
  amount: string;
  vatAmount: string;
  lines: SalesDocumentLine[];
  webUrl: string;
  sourceVersion: string;
}

export type SalesOrderStatus = 'open' | 'partial' | 'complete' | 'cancelled';

export interface SalesOrder {
  kind: 'sales-order';
  sourceId: string;
  orderNumber: string;
  /** The customer who ordered (Exact `OrderedBy`). */
  customer: PartyRef;
  orderDate: string;
  /** Promised delivery date (sales orders have no due date; this is the nearest). */
  deliveryDate: string | null;
  description: string;
  currency: string;
  status: SalesOrderStatus;
  yourRef: string | null;
  amount: string;
  vatAmount: string;
  lines: SalesDocumentLine[];
  webUrl: string;
  sourceVersion: string;
}

// ---------------------------------------------------------------------------------------
// Suppliers (F5: Exact Online <-> Coupa)

/** A supplier's bank account. Read-only for the app: bank details are never written back. */
export interface SupplierBankAccount {
  sourceId: string;
  /** IBAN or local account number, as the source holds it. */
  accountNumber: string;
  holderName: string | null;
  bic: string | null;
  isMain: boolean;
}

export interface Supplier {
  kind: 'supplier';
  sourceId: string;
  /** Trimmed (Exact pads account codes to 18 characters); the key both sides match on. */
  code: string;
  name: string;
  addressLine1: string | null;
  addressLine2: string | null;
  addressLine3: string | null;
  postcode: string | null;
  city: string | null;
  /** ISO-3166 alpha-2. */
  country: string | null;
  email: string | null;
  phone: string | null;
  vatNumber: string | null;
  chamberOfCommerce: string | null;
  bankAccounts: SupplierBankAccount[];
  /** Blocked in the source: no new documents may use it. */
  blocked: boolean;
  /** ISO instant of the last change in the source. */
  modifiedAt: string;
  webUrl: string;
  sourceVersion: string;
}

/** Every entity a source connector reports deletions of. */
export type SourceEntity = SourceDeletion['entity'] | 'sales-invoice' | 'sales-order' | 'supplier';

/** A record removed at the source, for any SourceEntity (SourceDeletion is its F1 subset). */
export interface SourceEntityDeletion<E extends SourceEntity = SourceEntity> {
  kind: 'deletion';
  entity: E;
  sourceId: string;
  deletedAt: string;
  sourceVersion: string;
}

// ---- Procore as a source (flows F2 Procore → Acumatica and F3 Procore → Sage Intacct) -------
// Ids are Procore's exact digit strings (they can exceed 2^53); amounts are decimal strings with
// two decimals; dates "YYYY-MM-DD"; instants ISO 8601 UTC. `sourceVersion` is the record's
// updated_at as Procore sent it. `originId` / `originData` are the ERP link Procore holds
// (null when no integration has claimed the record yet).

/** A cost code as Procore lines carry it: the project's cost code id and its full code. */
export interface ProcoreCostCoding {
  costCodeId: string;
  /** full_code, parent prefixes included (e.g. "03-300"). */
  costCode: string;
  costCodeName: string;
  /** Line item type ("cost type"); null where Procore does not say (requisition items). */
  lineItemTypeId: string | null;
  lineItemTypeCode: string | null;
}

export interface ProcoreVendorRef {
  id: string;
  name: string;
}

/** One schedule-of-values line of a commitment. */
export interface ProcoreCommitmentLine extends ProcoreCostCoding {
  sourceLineId: string;
  position: number | null;
  description: string;
  amount: string;
  quantity: string | null;
  unitCost: string | null;
  uom: string | null;
  originId: string | null;
}

/** A purchase order contract or a work order contract (subcontract). */
export interface ProcoreCommitment {
  kind: 'procore-commitment';
  sourceId: string;
  projectId: string;
  commitmentType: 'purchase-order' | 'work-order';
  number: string;
  title: string;
  description: string;
  vendor: ProcoreVendorRef | null;
  /** Procore's status of the kind, e.g. "Approved", "Out For Signature". */
  status: string;
  executed: boolean;
  contractDate: string | null;
  retainagePercent: string | null;
  /** Sum of the SOV lines. */
  grandTotal: string;
  /** grandTotal + approved change orders. */
  revisedContract: string;
  approvedChangeOrders: string;
  pendingChangeOrders: string;
  totalPayments: string;
  originId: string | null;
  originCode: string | null;
  originData: string | null;
  lines: ProcoreCommitmentLine[];
  sourceVersion: string;
}

export interface ProcoreChangeOrderLine extends ProcoreCostCoding {
  sourceLineId: string;
  description: string;
  amount: string;
}

/** A commitment change order (CCO): a change to one commitment's amount. */
export interface ProcoreCommitmentChangeOrder {
  kind: 'procore-commitment-change-order';
  sourceId: string;
  projectId: string;
  /** The commitment it changes. */
  commitmentId: string;
  number: string;
  title: string;
  description: string;
  /** Procore's CCO status (e.g. "approved", "pending", "draft"; the enum is unconfirmed). */
  status: string;
  executed: boolean;
  /** Total of the change, negative for a deduction. */
  grandTotal: string;
  dueDate: string | null;
  reviewedAt: string | null;
  /** null when Procore's answer carried no line detail (the documented list has none). */
  lines: ProcoreChangeOrderLine[] | null;
  originId: string | null;
  originCode: string | null;
  sourceVersion: string;
}

/** One G703 line of a subcontractor invoice: a contract (SOV) item or a change-order item. */
export interface ProcoreRequisitionLine {
  sourceLineId: string;
  itemType: 'contract' | 'change-order';
  /** The commitment SOV line billed (contract items), or the change order line (change-order items). */
  lineItemId: string | null;
  /** Change-order items: the commitment change order billed. */
  changeOrderId: string | null;
  costCodeId: string;
  /** full_code of costCodeId in the project. */
  costCode: string;
  costCodeName: string;
  description: string;
  scheduledValue: string;
  workCompletedFromPreviousApplication: string;
  workCompletedThisPeriod: string;
  materialsPresentlyStored: string;
  /** workCompletedThisPeriod + materialsPresentlyStored: what this line bills this period. */
  billedThisPeriod: string;
  totalCompletedAndStoredToDate: string;
  retainageRetainedThisPeriod: string;
  retainageReleasedThisPeriod: string;
  materialsRetainageRetained: string;
}

/** A subcontractor invoice (Procore's API still calls it a requisition). */
export interface ProcoreRequisition {
  kind: 'procore-requisition';
  sourceId: string;
  projectId: string;
  commitmentId: string;
  commitmentType: 'purchase-order' | 'work-order' | null;
  /** The commitment's number (e.g. "SC-003"), when the commitment could be read. */
  commitmentNumber: string | null;
  /** Invoice number within the commitment (1, 2, …). */
  number: number;
  /** The subcontractor's own invoice number. */
  invoiceNumber: string | null;
  /** draft | under_review | revise_and_resubmit | approved | approved_as_noted | pending_owner_approval */
  status: string;
  erpStatus: string | null;
  /** The commitment's vendor, when the commitment could be read. */
  vendor: ProcoreVendorRef | null;
  /** Procore's vendor_name on the invoice itself. */
  vendorName: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  billingDate: string | null;
  paymentDate: string | null;
  final: boolean;
  /** Sum of the lines billed this period (Procore's total_claimed_amount). */
  totalClaimed: string;
  /** Retainage held on this period's lines. */
  retainageThisPeriod: string;
  /** Retainage released on this period's lines. */
  retainageReleasedThisPeriod: string;
  /** What is payable now: totalClaimed − retainageThisPeriod + retainageReleasedThisPeriod. */
  netPayable: string;
  /** Procore's G702 summary figures, as sent (current_payment_due, total_retainage, …). */
  summary: Record<string, string>;
  lines: ProcoreRequisitionLine[];
  originId: string | null;
  originData: string | null;
  sourceVersion: string;
}

export interface ProcoreDirectCostLine extends ProcoreCostCoding {
  sourceLineId: string;
  description: string;
  amount: string;
  quantity: string | null;
  unitCost: string | null;
  uom: string | null;
  originId: string | null;
}

/** A direct cost (invoice, expense or payroll) entered in Procore. */
export interface ProcoreDirectCost {
  kind: 'procore-direct-cost';
  sourceId: string;
  projectId: string;
  directCostType: string;
  /** draft | pending | revise_and_resubmit | approved */
  status: string;
  vendor: ProcoreVendorRef | null;
  invoiceNumber: string | null;
  description: string;
  date: string | null;
  receivedDate: string | null;
  paymentDate: string | null;
  grandTotal: string;
  lines: ProcoreDirectCostLine[];
  originId: string | null;
  originData: string | null;
  sourceVersion: string;
}

/** A company vendor (directory entry) as an ERP vendor sync reads it. */
export interface ProcoreVendorRecord {
  kind: 'procore-vendor';
  sourceId: string;
  name: string;
  legalName: string | null;
  abbreviatedName: string | null;
  active: boolean;
  address: string | null;
  city: string | null;
  stateCode: string | null;
  countryCode: string | null;
  zip: string | null;
  businessPhone: string | null;
  emailAddress: string | null;
  website: string | null;
  originId: string | null;
  /** The user-visible External ID. */
  originCode: string | null;
  originData: string | null;
  sourceVersion: string;
}

/** A Procore record removed (soft-deleted) at the source. */
export interface ProcoreSourceDeletion {
  kind: 'deletion';
  entity: 'procore-commitment';
  sourceId: string;
  projectId: string;
  deletedAt: string;
  sourceVersion: string;
}
