/**
 * Public types of the Coupa connector (re-exported by index.ts). Ids are digit strings, amounts
 * and quantities decimal strings, dates ISO `YYYY-MM-DD`. Inputs are domain-shaped (a GL account
 * and a cost center, a supplier number, a PO number + line number); the connector turns them into
 * Coupa's references (account segments, `{number}`, `order-line-id`). Sources: README.md.
 */
import type { KitClock, RetryPolicy } from '../_kit';

/** Scopes this connector can use (brief; fact sheet §3.2). */
export const COUPA_SCOPES = {
  purchaseOrderRead: 'core.purchase_order.read',
  purchaseOrderWrite: 'core.purchase_order.write',
  invoiceRead: 'core.invoice.read',
  invoiceWrite: 'core.invoice.write',
  supplierRead: 'core.supplier.read',
  supplierWrite: 'core.supplier.write',
  commonRead: 'core.common.read',
} as const;

/** What F5 needs: read/write POs, invoices and suppliers, read reference data. */
export const DEFAULT_COUPA_SCOPES: readonly string[] = Object.values(COUPA_SCOPES);

/**
 * What sending a PO to the supplier means (brief: per connection, default off). `issue`
 * transmits it; `issue-without-send` marks it issued without transmission (fact sheet §3.4).
 */
export type PurchaseOrderIssueMode = 'off' | 'issue' | 'issue-without-send';

/**
 * The chart of accounts lines are coded against (Coupa `account-type`) and where the GL account
 * and cost center go in its segments. Coupa identifies an account by its segments within the
 * account type; `code` is the segments joined with `codeSeparator`.
 */
export interface CoupaChartOfAccounts {
  /** The account type (chart of accounts) by id or by name (sandbox: the company name, id 1). */
  accountType: { id: string } | { name: string };
  /** Segment number (1..20) holding the GL account; default 1. */
  glAccountSegment?: number;
  /** Segment number (1..20) holding the cost center; default 2; null = the chart has none. */
  costCenterSegment?: number | null;
  /** Joins the segments into the account code; default "-". */
  codeSeparator?: string;
}

/**
 * Options of one write call: the run's stop signal and, for writes with lines, the chart of
 * accounts to code them with when the caller (a flow's policy) owns it; absent = the setting's.
 */
export interface CoupaWriteCallOptions {
  signal?: AbortSignal;
  chartOfAccounts?: CoupaChartOfAccounts;
}

export interface CoupaSettings {
  /** https://{instance}.coupahost.com (or .coupacloud.com), or the local simulator. */
  instanceUrl: string;
  clientId: string;
  /** Scopes asked for in the token request (space-separated on the wire); default DEFAULT_COUPA_SCOPES. */
  scopes?: readonly string[];
  /**
   * Token path: `/oauth2/token` (Compass articles, the default) or `/oauth2/access_tokens` (R39
   * Swagger securityDefinitions). When not set and `/oauth2/token` answers 404, the other is tried.
   */
  tokenPath?: string;
  /** Instance limit (brief: 25 requests/s, 20 more queued, then 429); default 25. */
  requestsPerSecond?: number;
  /** Items written at once (each item is 1–4 calls in a row); a whole number 1..16, default 4. */
  writeConcurrency?: number;
  /** Needed for any write with lines (PO and invoice lines carry an `account`). */
  chartOfAccounts?: CoupaChartOfAccounts;
  /** Login of the ship-to user of external POs when the PO does not name one (sandbox: "inkoop"). */
  defaultShipToUserLogin?: string;
  /** Location code of the invoices' bill-to address when the invoice does not name one (sandbox: "HQ"). */
  defaultBillToLocationCode?: string;
  /** After a PO is created or changed; default 'off'. */
  issuePurchaseOrders?: PurchaseOrderIssueMode;
  /**
   * Mark what this connector wrote as exported (`PUT …?exported=true`, its own call) so Coupa's
   * outbound ERP export does not send it back; default false.
   */
  markExportedAfterWrite?: boolean;
  /**
   * Coupa suggests waiting ~5 s after minting before a token is used (fact sheet §3.2). A 401 on
   * a token minted less than this long ago waits for the rest and repeats with the same token
   * instead of minting another one; default 5000 ms.
   */
  tokenActivationDelayMs?: number;
  /** Budget pacing and retry waits; tests inject a clock that moves simulator time. */
  clock?: KitClock;
  retry?: Partial<RetryPolicy>;
}

/** A Coupa supplier named by its Coupa id or its `number` (= the Exact supplier code). */
export type SupplierRef = { id: string } | { number: string };

// ---- suppliers ------------------------------------------------------------------------------

export interface CoupaRemitTo {
  id: string;
  code: string;
  name: string | null;
  active: boolean;
}

export interface CoupaSupplier {
  id: string;
  number: string | null;
  name: string;
  displayName: string | null;
  status: string | null;
  poEmail: string | null;
  taxId: string | null;
  paymentTermCode: string | null;
  primaryContact: SupplierContact | null;
  remitTos: CoupaRemitTo[];
  /** ISO instant as Coupa sent it. */
  updatedAt: string | null;
}

export interface SupplierContact {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

export interface PostalAddress {
  street1: string;
  street2?: string | null;
  city: string;
  postalCode?: string | null;
  /** ISO 3166 alpha-2, e.g. NL. */
  countryCode: string;
}

export interface RemitToInput extends PostalAddress {
  /** Unique per supplier; invoices name their remit-to by it. */
  code: string;
  name?: string | null;
}

/** A supplier to create or bring up to date. `undefined` = leave as Coupa has it. */
export interface SupplierInput {
  /** Exact supplier code; Coupa `number`, the idempotency key. */
  number: string;
  name: string;
  displayName?: string | null;
  status?: 'active' | 'inactive';
  poEmail?: string | null;
  taxId?: string | null;
  paymentTermCode?: string | null;
  primaryContact?: SupplierContact | null;
  primaryAddress?: PostalAddress | null;
  /** Added or updated by code; remit-to addresses not listed are left alone (Coupa cannot delete them). */
  remitTos?: RemitToInput[];
}

export interface SupplierMatch {
  number: string;
  name: string;
  /** How the supplier was found: its number first, then its name (case-insensitive). */
  matchedBy: 'number' | 'name' | null;
  supplier: CoupaSupplier | null;
}

// ---- purchase orders ----------------------------------------------------------------------

export interface PurchaseOrderLineInput {
  /** Unique within the PO; lines are matched to Coupa's by it on update. */
  lineNum: number;
  description: string;
  /** null = an amount line (the price is the line amount). */
  quantity: string | null;
  /** Unit price (quantity line) or line amount (amount line); up to 6 decimals. */
  price: string;
  /** Coupa UOM code, e.g. "EA"; optional. */
  uom?: string | null;
  glAccount: string;
  costCenter: string | null;
  /** YYYY-MM-DD. */
  needByDate?: string | null;
}

export interface PurchaseOrderInput {
  /** ≤ 20 characters; build it with `coupaPoNumber(prefix, exactNumber)`. The idempotency key. */
  poNumber: string;
  supplier: SupplierRef;
  currency: string;
  /** Default: settings.defaultShipToUserLogin (Coupa requires a ship-to user on external POs). */
  shipToUserLogin?: string;
  /** Location code of a Coupa address (e.g. a project site); optional. */
  shipToAddressCode?: string | null;
  lines: PurchaseOrderLineInput[];
}

export interface CoupaOrderLine {
  id: string;
  lineNum: number;
  description: string | null;
  quantity: string | null;
  price: string;
  /** Coupa's line total (quantity × price to the cent, or the price of an amount line). */
  total: string;
  uom: string | null;
  accountCode: string | null;
  type: 'quantity' | 'amount';
}

export interface CoupaPurchaseOrder {
  id: string;
  poNumber: string;
  status: string;
  version: number | null;
  exported: boolean;
  supplier: { id: string; number: string | null; name: string | null } | null;
  currency: string | null;
  shipToUserLogin: string | null;
  shipToAddressCode: string | null;
  lines: CoupaOrderLine[];
  /** Sum of the line totals. */
  total: string;
  updatedAt: string | null;
}

// ---- invoices -------------------------------------------------------------------------------

/** The PO line an invoice line bills: by Coupa id, or by PO number + line number. */
export type OrderLineRef = { id: string } | { poNumber: string; lineNum: number };

export interface InvoiceLineInput {
  lineNum: number;
  description: string;
  /** null = an amount line. */
  quantity: string | null;
  price: string;
  /** Two decimals; "0.00" for none (Coupa requires a tax amount on every line). */
  taxAmount: string;
  uom?: string | null;
  glAccount: string;
  costCenter: string | null;
  orderLine?: OrderLineRef | null;
}

export interface InvoiceInput {
  /** The supplier's invoice number, ≤ 40 characters; with the supplier, the idempotency key. */
  invoiceNumber: string;
  /** YYYY-MM-DD; sent as midnight UTC so Coupa's UTC rendering keeps the calendar day. */
  invoiceDate: string;
  supplier: SupplierRef;
  currency: string;
  /**
   * Code of one of the supplier's remit-to addresses (used for `remit-to-address` and
   * `supplier-remit-to`); default: the supplier's only active one (read from Coupa).
   */
  remitToCode?: string;
  /** Default: settings.defaultBillToLocationCode. */
  billToLocationCode?: string;
  /** Default true. With false, `taxAmount` is the invoice's tax. */
  lineLevelTaxation?: boolean;
  /** Header tax (two decimals) when lineLevelTaxation is false. */
  taxAmount?: string | null;
  /** A credit note names the invoice it corrects. */
  creditNote?: { originalInvoiceNumber: string; originalInvoiceDate: string } | null;
  /** YYYY-MM-DD. */
  netDueDate?: string | null;
  supplierNote?: string | null;
  lines: InvoiceLineInput[];
}

export interface CoupaInvoiceLine {
  id: string;
  lineNum: number;
  description: string | null;
  quantity: string | null;
  price: string;
  total: string;
  taxAmount: string | null;
  accountCode: string | null;
  orderLineId: string | null;
  poNumber: string | null;
  type: 'quantity' | 'amount';
}

export interface CoupaInvoice {
  id: string;
  invoiceNumber: string;
  /** YYYY-MM-DD, the UTC day of Coupa's invoice-date. */
  invoiceDate: string | null;
  supplier: { id: string; number: string | null; name: string | null } | null;
  currency: string | null;
  status: string;
  paid: boolean;
  exported: boolean;
  isCreditNote: boolean;
  originalInvoiceNumber: string | null;
  originalInvoiceDate: string | null;
  lineLevelTaxation: boolean | null;
  remitToCode: string | null;
  billToLocationCode: string | null;
  /** Sum of the line totals (excl. tax). */
  net: string;
  tax: string;
  /** Coupa's gross total (net + tax). */
  gross: string;
  lines: CoupaInvoiceLine[];
  updatedAt: string | null;
}

export interface InvoiceKey {
  invoiceNumber: string;
  supplier: SupplierRef;
}

// ---- reference data -------------------------------------------------------------------------

export interface CoupaAccountType {
  id: string;
  name: string;
  currency: string | null;
  active: boolean;
}

/** An account of a chart of accounts: its code and the segment values it is built from. */
export interface CoupaAccount {
  id: string;
  code: string;
  name: string | null;
  active: boolean;
  accountTypeId: string | null;
  accountTypeName: string | null;
  /** segment-1 … segment-20 in order; null where the chart leaves a segment unused. */
  segments: (string | null)[];
}

export interface CoupaAddress {
  id: string;
  name: string | null;
  locationCode: string | null;
  city: string | null;
  active: boolean;
}

export interface CoupaUser {
  id: string;
  login: string;
  fullName: string | null;
  email: string | null;
  active: boolean;
}

// ---- write results --------------------------------------------------------------------------

/**
 * Why an item was not written, for the flow to act on:
 * - `invalid`: Coupa (or the connector's own checks) refused the content; fix the data or mapping.
 * - `invoice-approved` / `invoice-paid`: Coupa does not allow changing it (park it for a person).
 * - `invoice-in-approval`: submitted and in approval; Coupa freezes it until approved or rejected.
 * - `invoice-final`: voided, abandoned, rejected… (its status is in the message).
 * - `po-cancelled`: a cancelled PO is final; `po-closed`: reopen it in Coupa first.
 * - `supplier-conflict`: a supplier with that name has another number in Coupa.
 * - `not-found`: a reference (supplier, PO line, remit-to) does not exist in Coupa.
 * - `totals-differ`: Coupa saved it but its totals differ from what was sent.
 * Retryable ones: `unconfirmed` (the answer was lost; look it up first), `unavailable` (5xx,
 * network, rate limit after retries), `stopped` (the run was stopped before it was written).
 */
export type CoupaFailureCode =
  | 'invalid'
  | 'invoice-approved'
  | 'invoice-paid'
  | 'invoice-in-approval'
  | 'invoice-final'
  | 'po-cancelled'
  | 'po-closed'
  | 'supplier-conflict'
  | 'not-found'
  | 'totals-differ'
  | 'unconfirmed'
  | 'unavailable'
  | 'stopped';

export interface CoupaWriteFailure {
  /** The item's idempotency key (po-number, invoice number, supplier number). */
  key: string;
  ok: false;
  /** true: nothing was refused, the write may or may not have happened: look it up, then retry. */
  retryable: boolean;
  code: CoupaFailureCode;
  /** One sentence a finance user can act on. */
  message: string;
  /** Coupa's own messages (`{"errors": {…}}`), when it refused. */
  coupaMessages: string[];
  /** Set when the record exists in Coupa (e.g. the draft was created but not submitted). */
  id: string | null;
  /** Locked invoices: whether Coupa's invoice already says what was sent (totals, accounts, lines). */
  sameAsCoupa?: boolean;
}

export type PurchaseOrderAction = 'created' | 'updated' | 'unchanged';

export type PurchaseOrderWriteResult =
  | {
      key: string;
      ok: true;
      id: string;
      action: PurchaseOrderAction;
      /** Whether this call issued the PO (settings.issuePurchaseOrders). */
      issued: boolean;
      purchaseOrder: CoupaPurchaseOrder;
    }
  | CoupaWriteFailure;

export type PurchaseOrderStatusChange = 'cancelled' | 'issued';

export type PurchaseOrderActionResult =
  | {
      key: string;
      ok: true;
      /** null when Coupa has no such PO (nothing to cancel). */
      id: string | null;
      /** `done`: this call changed it; `already`: it already was; `absent`: no such PO in Coupa. */
      outcome: 'done' | 'already' | 'absent';
      status: string | null;
    }
  | CoupaWriteFailure;

/**
 * What happened to the invoice, step by step: the draft (`created` / `updated` / `found` as it
 * was), then the submission (`submitted` now, or `already` submitted by an earlier run).
 */
export type InvoiceWriteResult =
  | {
      key: string;
      ok: true;
      id: string;
      draft: 'created' | 'updated' | 'found';
      submission: 'submitted' | 'already';
      invoice: CoupaInvoice;
    }
  | CoupaWriteFailure;

export type SupplierWriteResult =
  | {
      key: string;
      ok: true;
      id: string;
      action: 'created' | 'updated' | 'unchanged';
      matchedBy: 'number' | 'name' | null;
      supplier: CoupaSupplier;
    }
  | CoupaWriteFailure;

/** A supplier set inactive: `id` null when Coupa has no supplier with that number (nothing to do). */
export type SupplierDeactivationResult =
  | { key: string; ok: true; id: string | null; action: 'updated' | 'unchanged'; supplier: CoupaSupplier | null }
  | CoupaWriteFailure;

export type ExportedResult = { id: string; ok: true } | (CoupaWriteFailure & { id: string });
