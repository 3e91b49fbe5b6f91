import type { ValidationIssue } from '../../../../src-shared/domain/validation';
import type {
  CoupaChartOfAccounts,
  CoupaInvoice,
  CoupaPurchaseOrder,
  CoupaSupplier,
  InvoiceInput,
  PurchaseOrderInput,
  PurchaseOrderIssueMode,
  SupplierInput,
} from '../../../connectors/coupa';
import type { ExactSupplierFields, ExactSupplierInput } from '../../../connectors/exact-online';

/**
 * F5 (Exact Online → Coupa; suppliers both ways): the flow's policy, mapping tables, what each
 * run knows of Coupa, and the planned writes. Amounts are decimal strings, dates ISO.
 */
export const F5_FLOW = 'exact-coupa';

// ---- policy -------------------------------------------------------------------------------

/** Which way a supplier field's changes go (a field edited on both sides is parked whatever its direction). */
export type FieldDirection = 'exact-to-coupa' | 'coupa-to-exact' | 'both' | 'none';

/** Supplier fields kept aligned: Exact Name, Email, VATNumber, Blocked ↔ Coupa name, primary contact e-mail, tax-id, status. */
export const SUPPLIER_FIELDS = ['name', 'email', 'vatNumber', 'blocked'] as const;
export type SupplierField = (typeof SUPPLIER_FIELDS)[number];

export const SUPPLIER_FIELD_WORDS: Readonly<Record<SupplierField, string>> = {
  name: 'name',
  email: 'e-mail address',
  vatNumber: 'VAT number',
  blocked: 'blocked/inactive status',
};

/** A supplier's synced fields as both systems can say them (text compared trimmed; blocked as a flag). */
export interface SupplierValues {
  name: string;
  email: string | null;
  vatNumber: string | null;
  blocked: boolean;
}

/** The values both sides held after the last sync, per field (absent: never agreed). */
export type SupplierBase = Partial<SupplierValues>;

export interface CoupaFlowPolicy {
  /** Coupa po-number = prefix + Exact order number (≤ 20 characters). */
  poNumberPrefix: string;
  chartOfAccounts: CoupaChartOfAccounts;
  /** Login of the ship-to user (Coupa requires one on external POs). */
  shipToUserLogin: string;
  /** 'project': the address whose location code is the order's Exact project; 'none'; or a location code. */
  shipToAddress: string;
  /** Location code of the invoices' bill-to address. */
  billToLocationCode: string;
  issuePurchaseOrders: PurchaseOrderIssueMode;
  /** Mark what was written as exported (`PUT …?exported=true`), so Coupa's ERP export skips it. */
  markExported: boolean;
  /** A PO cancelled or deleted in Exact: cancel it in Coupa, or leave it as it is. */
  cancelledPurchaseOrders: 'cancel' | 'leave';
  /** Create a supplier new in Exact in Coupa (otherwise it waits until it is linked). */
  createSuppliersInCoupa: boolean;
  /** Coupa → Exact: suppliers new in Coupa are created in Exact and fields flow back per direction. Off by default. */
  suppliersFromCoupa: boolean;
  supplierFields: Readonly<Record<SupplierField, FieldDirection>>;
  /**
   * Finds the corrected invoice's number in a credit note's description (Exact credit notes carry
   * no link to it); the first group is the number. A credit-note mapping row wins over it.
   */
  creditNoteReference: string;
}

/** The defaults are the sandbox instance's values (brief): chart id 1, ship-to user inkoop, bill-to HQ. */
export const DEFAULT_POLICY: CoupaFlowPolicy = {
  poNumberPrefix: 'EX-',
  chartOfAccounts: { accountType: { id: '1' }, glAccountSegment: 1, costCenterSegment: 2, codeSeparator: '-' },
  shipToUserLogin: 'inkoop',
  shipToAddress: 'project',
  billToLocationCode: 'HQ',
  issuePurchaseOrders: 'off',
  markExported: false,
  cancelledPurchaseOrders: 'cancel',
  createSuppliersInCoupa: true,
  suppliersFromCoupa: false,
  supplierFields: { name: 'exact-to-coupa', email: 'both', vatNumber: 'exact-to-coupa', blocked: 'exact-to-coupa' },
  creditNoteReference: '(?:factuur|invoice|inv\\.?|fact\\.?)\\s*(?:nr\\.?|no\\.?|nummer|number)?\\s*[:#]?\\s*([A-Za-z0-9][A-Za-z0-9/._-]*\\d)',
};

// ---- mapping tables ---------------------------------------------------------------------

export interface AccountMapping {
  glAccount: string;
  /** null: the Coupa account has no cost-center segment value. */
  costCenter: string | null;
}

export interface F5Mappings {
  version: number;
  policy: CoupaFlowPolicy;
  /** `${gl}|${costCenter ?? ''}` → Coupa account segments. */
  accounts: ReadonlyMap<string, AccountMapping>;
  /** Exact supplier code → Coupa supplier number (confirmed links; none = the same number). */
  supplierLinks: ReadonlyMap<string, string>;
  /** Exact supplier code → the remit-to code its invoices use (when Coupa has several). */
  remitTos: ReadonlyMap<string, string>;
  /** `${supplierCode}|${creditNoteNumber}` → the invoice number the credit note corrects. */
  creditNotes: ReadonlyMap<string, string>;
}

// ---- what a run knows of Coupa ----------------------------------------------------------

/** Coupa's side as read this run (by the flow's lookups or returned by its writes); absent = not asked. */
export interface CoupaView {
  /** By supplier number: the supplier, or null when Coupa has none with it. */
  supplierByNumber(number: string): CoupaSupplier | null | undefined;
  /** The supplier with this name (case-insensitive) when no supplier had the number, or null. */
  supplierByName(name: string): CoupaSupplier | null | undefined;
  purchaseOrder(poNumber: string): CoupaPurchaseOrder | null | undefined;
  invoice(supplierNumber: string, invoiceNumber: string): CoupaInvoice | null | undefined;
  /** Location codes of Coupa's active addresses, when read (ship-to 'project'). */
  addressCodes(): ReadonlySet<string> | null;
}

/** The invoice a credit note corrects, as resolved before planning (mapping row or description + Exact). */
export type CreditNoteOriginal =
  | { ok: true; invoiceNumber: string; invoiceDate: string; via: 'mapping' | 'description' }
  | { ok: false; problem: string };

// ---- planned writes ---------------------------------------------------------------------

/** The runner's bookkeeping on every plan (engine/sync/types.ts PlannedTargetWrite). */
interface Bookkeeping {
  originId: string;
  sourceId: string;
  containerId: string;
  total: string;
  currency: string;
}

/** A supplier in Coupa (originId = its Coupa number). `base`: the values both sides hold after the write. */
export interface PlannedCoupaSupplier extends Bookkeeping {
  entity: 'supplier';
  containerId: 'coupa';
  exactCode: string;
  input: SupplierInput;
  base: SupplierBase;
  /** Deleted in Exact: set inactive in Coupa (never deleted there, never created by this plan). */
  deactivate?: true;
}

/** An external PO (originId = po-number). Container 'open' = upsert; 'cancelled' = /cancel. */
export interface PlannedPurchaseOrder extends Bookkeeping {
  entity: 'purchase-order';
  containerId: 'open' | 'cancelled';
  orderNumber: string;
  input: PurchaseOrderInput;
  lines: { originId: string; amount: string }[];
}

/** A supplier invoice or credit note (originId = supplier number / invoice number). */
export interface PlannedInvoice extends Bookkeeping {
  entity: 'purchase-invoice';
  containerId: 'coupa';
  input: InvoiceInput;
  lines: { originId: string; amount: string }[];
  /** Net and tax to the cent (total = net + tax, what the supplier is paid). */
  net: string;
  tax: string;
}

/** A supplier written to Exact (originId = its Exact code): created, or fields changed. */
export interface PlannedExactSupplier extends Bookkeeping {
  entity: 'exact-supplier';
  containerId: 'exact';
  coupaNumber: string;
  write: { kind: 'create'; input: ExactSupplierInput } | { kind: 'update'; supplierId: string; changes: ExactSupplierFields };
  base: SupplierBase;
}

export type PlannedCoupaWrite = PlannedCoupaSupplier | PlannedPurchaseOrder | PlannedInvoice;
export type PlannedWrite = PlannedCoupaWrite | PlannedExactSupplier;

// ---- issues -------------------------------------------------------------------------------

/**
 * F5's reasons for parking, in finance words. The store, IPC and screens take any reason code
 * (a string); src-shared's IssueCode lists F1's, so F5's issues are cast at the runner's edge.
 */
export type F5IssueCode =
  | 'no-lines'
  | 'missing-gl-account'
  | 'unmapped-account'
  | 'unknown-supplier'
  | 'supplier-suggested-link'
  | 'supplier-inactive'
  | 'supplier-remit-to'
  | 'supplier-conflict'
  | 'coupa-supplier-without-number'
  | 'po-number-too-long'
  | 'invoice-number-too-long'
  | 'duplicate-line-number'
  | 'amount-not-cents'
  | 'currency-mismatch'
  | 'po-not-in-coupa'
  | 'closed-po'
  | 'po-line-unmatched'
  | 'amount-mismatch'
  | 'invoice-approved'
  | 'invoice-paid'
  | 'invoice-in-approval'
  | 'invoice-final'
  | 'approved-invoice-changed'
  | 'invoice-rejected-in-exact'
  | 'credit-note-original-unknown';

export interface F5Issue {
  code: F5IssueCode;
  message: string;
  sourceLineId?: string;
  mappingKeys: string[];
}

export type F5PlanResult<P> = { ok: true; writes: P[] } | { ok: false; issues: F5Issue[] };

/** F5's issues as the runner's ValidationIssue (the reason code travels as a string; see F5IssueCode). */
export function asValidationIssues(issues: readonly F5Issue[]): ValidationIssue[] {
  return issues as unknown as ValidationIssue[];
}

/** Mapping keys of F5's tables ("<prefix>:<source key parts joined by |>"), as mapping-sets.ts builds them. */
export const f5Key = {
  account: (gl: string, costCenter: string | null): string => `account:${gl}|${costCenter ?? ''}`,
  supplier: (code: string): string => `supplier:${code}`,
  remitTo: (code: string): string => `remit-to:${code}`,
  creditNote: (supplierCode: string, creditNoteNumber: string): string => `credit-note:${supplierCode}|${creditNoteNumber}`,
  setting: (name: string): string => `setting:${name}`,
};
