/**
 * The sandbox "world": one construction company's data, generated once from (seed, scale) and
 * then projected by every simulator into its own records, so the systems agree the way a real
 * customer's do (the same supplier is an Exact account, a Procore vendor, an Acumatica vendor…).
 *
 * Money is a decimal string with exactly two decimals ("1234.50"); quantities are decimal
 * strings; dates are ISO "YYYY-MM-DD"; instants are epoch milliseconds.
 */
export type Decimal = string;
export type IsoDate = string;

export interface WorldProject {
  key: string; // stable key inside the world, e.g. "project-3"
  code: string; // Exact project code, e.g. "P26-003"
  name: string;
  city: string;
  exactId: string; // guid
  procoreId: number; // > 2^32, as Procore ids are
  acumaticaProjectId: string;
  intacctProjectId: string;
}

export interface WorldSupplier {
  key: string;
  code: string; // Exact account code (unpadded; the Exact simulator pads it to 18 chars)
  name: string; // may contain non-ASCII (see deliberate.nonAsciiSupplierKey)
  vatNumber: string;
  email: string;
  city: string;
  country: string; // ISO-3166 alpha-2
  exactId: string;
  /** null = missing on that side (a deliberate problem). */
  procoreVendorId: number | null;
  acumaticaVendorId: string | null;
  intacctVendorId: string | null;
  coupaSupplierId: number | null;
}

export interface WorldCustomer {
  key: string;
  code: string;
  name: string;
  exactId: string;
}

export interface WorldGlAccount {
  key: string;
  code: string; // "4400"
  description: string;
  exactId: string;
  balanceType: 'B' | 'W';
}

export interface WorldCostCenter {
  key: string;
  code: string; // "KST-12"
  description: string;
  exactId: string;
}

export interface WorldCostUnit {
  key: string;
  code: string;
  description: string;
  exactId: string;
}

export interface WorldItem {
  key: string;
  code: string;
  description: string;
  glAccountCode: string; // purchase G/L of the item (PO lines carry no G/L of their own)
  unit: string;
  exactId: string;
}

/** Company-wide cost code list; every Procore project carries all of them. */
export interface WorldCostCode {
  key: string;
  code: string; // full code, e.g. "03-300"
  name: string;
}

export interface WorldLineItemType {
  key: string;
  code: string; // e.g. "M"
  name: string; // e.g. "Materials"
  baseType: 'equipment' | 'materials' | 'commitment' | 'owner_cost' | 'professional_services' | 'other';
  procoreId: number;
}

/** The true correspondence a finance team would configure (minus deliberate gaps). */
export interface WorldCostMapping {
  glAccountCode: string;
  costCenterCode: string;
  costUnitCode: string | null;
  costCode: string;
  lineItemTypeCode: string;
}

export interface WorldPurchaseOrderLine {
  key: string;
  exactId: string;
  lineNumber: number;
  itemKey: string;
  description: string;
  quantity: Decimal;
  unitPrice: Decimal;
  amount: Decimal; // quantity × unitPrice, rounded half-up to the cent
  costCenterCode: string;
  costUnitCode: string | null;
  projectKey: string;
}

export interface WorldPurchaseOrder {
  key: string;
  exactId: string;
  orderNumber: number;
  supplierKey: string;
  projectKey: string;
  orderDate: IsoDate;
  receiptDate: IsoDate;
  description: string;
  yourRef: string;
  currency: 'EUR';
  /** 10 Open, 20 Partial, 30 Complete, 40 Canceled (Exact OrderStatus). */
  orderStatus: 10 | 20 | 30 | 40;
  modifiedAt: number;
  lines: WorldPurchaseOrderLine[];
}

export interface WorldPurchaseEntryLine {
  key: string;
  exactId: string;
  lineNumber: number;
  glAccountCode: string;
  description: string;
  amount: Decimal; // excl. VAT
  vatPercentage: Decimal; // "21.00"
  vatAmount: Decimal;
  costCenterCode: string;
  costUnitCode: string | null;
  projectKey: string;
}

export interface WorldPurchaseEntry {
  key: string;
  exactId: string;
  entryNumber: number;
  supplierKey: string;
  invoiceNumber: string; // supplier's invoice number (Exact YourRef)
  entryDate: IsoDate;
  dueDate: IsoDate;
  description: string;
  currency: 'EUR';
  /** 20 Open, 50 Processed. */
  status: 20 | 50;
  modifiedAt: number;
  lines: WorldPurchaseEntryLine[];
}

export interface WorldSalesOrder {
  key: string;
  exactId: string;
  orderNumber: number;
  customerKey: string;
  projectKey: string;
  orderDate: IsoDate;
  description: string;
  amount: Decimal;
  status: 12 | 20 | 21 | 45;
  modifiedAt: number;
  lines: { key: string; exactId: string; lineNumber: number; description: string; quantity: Decimal; unitPrice: Decimal; amount: Decimal; glAccountCode: string }[];
}

export interface WorldSalesInvoice {
  key: string;
  exactId: string;
  invoiceNumber: number;
  customerKey: string;
  projectKey: string;
  invoiceDate: IsoDate;
  dueDate: IsoDate;
  description: string;
  amountExclVat: Decimal;
  vatAmount: Decimal;
  status: 10 | 20 | 50;
  modifiedAt: number;
  lines: { key: string; exactId: string; lineNumber: number; description: string; quantity: Decimal; unitPrice: Decimal; amount: Decimal; glAccountCode: string; costCenterCode: string }[];
}

/** Commitments that live natively in Procore (subcontracts and POs entered there): F2/F3 sources. */
export interface WorldCommitment {
  key: string;
  procoreId: number;
  kind: 'work_order_contract' | 'purchase_order_contract';
  projectKey: string;
  supplierKey: string;
  number: string;
  title: string;
  status: string; // Procore status enum of its kind, e.g. "Approved"
  contractDate: IsoDate;
  lines: { key: string; procoreId: number; costCode: string; lineItemTypeCode: string; description: string; amount: Decimal }[];
  changeOrders: { key: string; procoreId: number; number: string; title: string; status: string; amount: Decimal; costCode: string; lineItemTypeCode: string }[];
}

/** Procore subcontractor invoices (requisitions) against WorldCommitments. */
export interface WorldRequisition {
  key: string;
  procoreId: number;
  commitmentKey: string;
  number: number;
  invoiceNumber: string;
  status: 'draft' | 'under_review' | 'revise_and_resubmit' | 'approved' | 'approved_as_noted' | 'pending_owner_approval';
  periodStart: IsoDate;
  periodEnd: IsoDate;
  billingDate: IsoDate;
  retainagePercent: Decimal; // e.g. "5.00"
  lines: { key: string; procoreId: number; commitmentLineKey: string; workCompletedThisPeriod: Decimal }[];
  updatedAt: number;
}

/** Direct costs entered natively in Procore (F2/F3 sources). */
export interface WorldDirectCost {
  key: string;
  procoreId: number;
  projectKey: string;
  supplierKey: string;
  type: 'invoice' | 'expense';
  invoiceNumber: string;
  date: IsoDate;
  status: 'draft' | 'pending' | 'revise_and_resubmit' | 'approved';
  description: string;
  lines: { key: string; procoreId: number; costCode: string; lineItemTypeCode: string; description: string; amount: Decimal }[];
  updatedAt: number;
}

/** Accounting-side reference data for Acumatica / Intacct (F2/F3 targets). */
export interface WorldApAccount {
  key: string;
  code: string; // e.g. "51000"
  description: string;
  /** Cost code this GL account serves in Procore→ERP coding. */
  costCode: string;
}

export interface WorldDepartment {
  key: string;
  code: string; // Intacct DEPARTMENTID / Acumatica subaccount segment
  name: string;
}

/** What the finance team shows in a column of its monday.com boards (flow F4, Exact → monday). */
export type WorldMondayField =
  | 'key'
  | 'party'
  | 'amount'
  | 'date'
  | 'dueDate'
  | 'status'
  | 'glAccount'
  | 'glAccountName'
  | 'costCenter'
  | 'project'
  | 'vat'
  | 'currency'
  | 'link'
  | 'review';

export interface WorldMondayColumn {
  /** monday column id (fixed on the demo boards, e.g. "exact_key"). */
  id: string;
  title: string;
  type: 'text' | 'long_text' | 'numbers' | 'date' | 'status' | 'link';
  field: WorldMondayField;
}

/**
 * A monday.com board the finance team keeps for one kind of Exact document (empty: the app
 * fills it). The monday simulator creates these boards, in this order, on a fresh sandbox; the
 * F4 flow seeds its board and column mappings from the same description.
 */
export interface WorldMondayBoard {
  key: string;
  documentType: 'purchase-order' | 'sales-invoice' | 'sales-order';
  name: string;
  /** The id the simulator gives the board (ids are handed out in creation order). */
  mondayBoardId: string;
  groupId: string;
  groupTitle: string;
  /** The status column's labels by index, and the index monday counts as done. */
  statusLabels: Record<string, string>;
  doneIndex: number;
  /** The columns the app maps Exact fields to (the simulator adds columns it cannot write). */
  columns: WorldMondayColumn[];
}

export interface World {
  seed: number;
  scale: number;
  companyName: string;
  currency: 'EUR';
  /** Epoch ms the world's timeline ends at (all modifiedAt/updatedAt are <= this). */
  asOf: number;
  projects: WorldProject[];
  suppliers: WorldSupplier[];
  customers: WorldCustomer[];
  glAccounts: WorldGlAccount[];
  costCenters: WorldCostCenter[];
  costUnits: WorldCostUnit[];
  items: WorldItem[];
  costCodes: WorldCostCode[];
  lineItemTypes: WorldLineItemType[];
  costMappings: WorldCostMapping[];
  purchaseOrders: WorldPurchaseOrder[];
  purchaseEntries: WorldPurchaseEntry[];
  salesOrders: WorldSalesOrder[];
  salesInvoices: WorldSalesInvoice[];
  commitments: WorldCommitment[];
  requisitions: WorldRequisition[];
  directCosts: WorldDirectCost[];
  apAccounts: WorldApAccount[];
  departments: WorldDepartment[];
  /** The finance team's monday.com boards (F4's target), empty until the app fills them. */
  mondayBoards: WorldMondayBoard[];
  /** The problems a finance user meets, planted on purpose (keys into the lists above). */
  deliberate: {
    /** A (GL, cost center) pair used on PO/entry lines but absent from costMappings. */
    unmappedPair: { glAccountCode: string; costCenterCode: string; purchaseOrderKey: string };
    /** Supplier that exists in Exact but has no Procore vendor (procoreVendorId null). */
    supplierMissingInProcoreKey: string;
    /** A PO with orderStatus 40. */
    cancelledPurchaseOrderKey: string;
    /** A PO the demo edits after the first sync: set this line's quantity. */
    editedAfterSync: { purchaseOrderKey: string; lineKey: string; newQuantity: Decimal };
    /** Supplier with a non-ASCII name (e.g. "Bouwbedrijf Ærø & Söhne"). */
    nonAsciiSupplierKey: string;
    /** Purchase entry whose description contains a control character (U+0007). */
    controlCharPurchaseEntryKey: string;
    /**
     * Purchase entries whose supplier invoice is already in Coupa (keyed in there before the
     * first sync) and approved there, resp. approved and paid: Coupa refuses any change to
     * them, so an Exact → Coupa sync meets "an approved invoice cannot be changed".
     * null only at the smallest scales, when too few entries have a supplier that is in Coupa.
     */
    coupaApprovedPurchaseEntryKey: string | null;
    coupaPaidPurchaseEntryKey: string | null;
    /**
     * Where the Acumatica tenant differs from Procore on purpose, so a Procore → Acumatica sync
     * (F2) and its reconciliation meet real differences. All of them live on the Acumatica side
     * only (the Acumatica simulator projects them); null only at the smallest scales, when no
     * record qualifies.
     */
    acumatica: {
      /** An apAccounts code Acumatica holds as inactive (Active = false): lines coded to it are refused. */
      inactiveAccountCode: string;
      /** A department whose Acumatica subaccount is inactive. */
      inactiveSubaccountCode: string;
      /** A company cost code (used on direct costs) Acumatica does not have: lines coded to it are refused. */
      missingCostCode: string;
      /** A cost code only Acumatica has (not in costCodes). */
      onlyCostCode: { code: string; name: string };
      /** An approved work order contract whose Acumatica subcontract carries another amount on one line. */
      subcontractLineDifference: {
        commitmentKey: string;
        lineKey: string;
        acumaticaAmount: Decimal;
      } | null;
      /** An approved commitment change order that was never entered in Acumatica. */
      changeOrderMissingKey: string | null;
    };
  };
}
