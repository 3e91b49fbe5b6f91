/**
 * Public types of the Acumatica connector (re-exported by index.ts). Amounts are decimal strings
 * with at most two decimals (never binary floats); dates are ISO `YYYY-MM-DD`, instants ISO 8601.
 * Acumatica keys (vendor ids, reference numbers, account codes…) are strings as Acumatica shows them.
 */
import type { AccessTokenProvider } from '../connector';
import type { KitClock, RetryPolicy } from '../_kit';

// ---- connection ---------------------------------------------------------------------------------

/** Cookie sign-in (`/entity/auth/login`, fact sheet 1.4): the API user's name and password. */
export interface AcumaticaLogin {
  username: string;
  /**
   * The password, or a function that reads it when the connector first signs in (e.g. from the
   * OS keychain), so a connection can be opened without touching the keychain until it is used.
   */
  password: string | (() => Promise<string>);
  /** e.g. "en-US"; the instance default when absent. */
  locale?: string;
}

/** How the connector signs in: an OAuth token from custody (1.3) or a cookie session (1.4). */
export type AcumaticaAuth = { tokens: AccessTokenProvider } | { login: AcumaticaLogin };

/** How bill retainage is written (the Default endpoint's Bill has no retainage fields). */
export type RetainageMode =
  /** Retainage is not applied in Acumatica: bills carry the amounts given; a retainage % is refused. */
  | 'not-used'
  /**
   * Retainage is applied on the AP bill screen (AP301000) through its screen fields, sent as
   * `custom`: `Document.RetainageApply`, `Document.DefRetainagePct` and, per line,
   * `Transactions.RetainagePct`. Needs the instance to expose them (they are screen fields).
   */
  | 'screen-fields';

export interface AcumaticaSettings {
  /**
   * The instance URL including the site path when it is not at the web root, e.g.
   * `https://acme.acumatica.com` or `https://erp.acme.nl/AcumaticaERP` (1.1). Defaults to the
   * context's baseUrl.
   */
  instanceUrl?: string;
  /** Tenant (company) name as on the login screen; an OAuth client id ends with `@<tenant>`. */
  tenant: string;
  /** e.g. "24.200.001"; it must be published by the instance (1.1: otherwise every call is 404). */
  endpointVersion: string;
  /** "Default" unless the customer published an extended endpoint. */
  endpointName?: string;
  /** Branch new documents default to (`PX-CbApiBranch`, and the cookie login's branch). */
  branch?: string;
  /**
   * Branches lines may be coded to, when the instance cannot list them (`CompaniesStructure`).
   * When set, it is used instead of reading them.
   */
  branches?: readonly string[];
  /** The customer uses Acumatica's construction features: lines carry Project, ProjectTask, CostCode. */
  construction?: boolean;
  /** Default 'not-used'. */
  retainage?: RetainageMode;
  /**
   * Screen field that keeps the Procore origin on a bill, e.g. `Document.UsrProcoreOrigin` (a
   * CustomStringField of the customer's customization). Default: the bill's `note`.
   */
  originField?: string;
  /**
   * The licence's API request limits (1.10, License Monitoring Console SM604000). `requestsPerMinute`
   * paces this connection to the per-minute quota (null/absent: the instance has no per-minute limit).
   * `maxInFlight` caps this connection's requests in flight (1..20, default 6): Acumatica declines a
   * request with 429 only when more than 20 already wait, so staying at or below 20 avoids every 429
   * this connection could cause.
   */
  licence?: { requestsPerMinute?: number | null; maxInFlight?: number };
  /** Independent writes (one PUT per bill, vendor…) in flight at once; 1..20, default 4. */
  writeConcurrency?: number;
  /** `$top` of list reads; default 500. */
  pageSize?: number;
  /** Keys per lookup `$filter` (vendor + vendor ref pairs); default 20 (keeps URLs short). */
  lookupChunkSize?: number;
  /** Status polling of actions (202 + Location): first wait, longest wait, give up after. */
  actionPolling?: { firstDelayMs?: number; maxDelayMs?: number; timeoutMs?: number };
  /** Budget pacing, retry and polling waits; tests inject a clock that moves simulator time. */
  clock?: KitClock;
  retry?: Partial<RetryPolicy>;
}

/** The instance's published endpoints (GET /entity). */
export interface AcumaticaEndpoints {
  /** e.g. "24.200.0123" (the ERP build), when the instance says. */
  buildVersion: string | null;
  endpoints: { name: string; version: string }[];
}

// ---- reference data ------------------------------------------------------------------------------

export interface AcumaticaAccount {
  code: string;
  description: string;
  type: string | null;
  accountGroup: string | null;
  active: boolean;
}

export interface AcumaticaSubaccount {
  code: string;
  description: string;
  active: boolean;
}

export interface AcumaticaBranch {
  code: string;
  name: string;
  active: boolean;
}

export interface AcumaticaProjectTask {
  taskId: string;
  description: string;
  status: string | null;
  /** Status "Active": costs may be posted to it. */
  active: boolean;
  isDefault: boolean;
}

export interface AcumaticaProject {
  projectId: string;
  description: string;
  status: string | null;
  /** Status "Active" and not on hold. */
  active: boolean;
  externalRef: string | null;
  tasks: Map<string, AcumaticaProjectTask>;
}

export interface AcumaticaCostCode {
  code: string;
  description: string;
  /** When it last changed (listCostCodes); null from readReference, which does not select it. */
  lastModified: string | null;
}

/** Everything a line can be coded to, as Acumatica holds it (read once per run, cached by the flow). */
export interface AcumaticaReference {
  accounts: Map<string, AcumaticaAccount>;
  subaccounts: Map<string, AcumaticaSubaccount>;
  /** null: the instance could not list its branches and no `branches` setting names them (not checked). */
  branches: Map<string, AcumaticaBranch> | null;
  projects: Map<string, AcumaticaProject>;
  costCodes: Map<string, AcumaticaCostCode>;
}

// ---- AP bills ------------------------------------------------------------------------------------

export interface BillLineInput {
  /** Signed decimal string, at most two decimals, as the source has it. */
  amount: string;
  /** Free text; written to `TransactionDescription` (a line's `Description` is the account's). */
  description: string;
  account: string;
  subaccount?: string;
  branch?: string;
  /** Construction connections only (settings.construction); ignored otherwise. */
  project?: string;
  task?: string;
  costCode?: string;
  /** Retainage % of this line (settings.retainage = 'screen-fields'). */
  retainagePercent?: string;
}

export interface BillInput {
  vendorId: string;
  /** The vendor's invoice number (the Procore invoice number); with vendorId the idempotency key. */
  vendorRef: string;
  /** Where the bill comes from, e.g. "procore:requisition:562949953421312"; kept on the bill. */
  originId: string;
  /** YYYY-MM-DD. */
  date: string;
  dueDate?: string;
  description?: string;
  /** Header branch; the connection's branch when absent. */
  branch?: string;
  /** Header project (construction connections). */
  project?: string;
  /** Sent only when given (the tenant's "hold documents on entry" preference decides otherwise). */
  hold?: boolean;
  /** Default retainage % of the bill (settings.retainage = 'screen-fields'). */
  retainagePercent?: string;
  lines: BillLineInput[];
}

export type BillType = 'Bill' | 'Credit Adj.' | 'Debit Adj.' | 'Prepayment';

export interface BillKey {
  type: string;
  referenceNbr: string;
}

export interface FoundBillLine {
  /** Acumatica's line id: the only key of a bill line (there is no LineNbr). */
  id: string;
  account: string | null;
  subaccount: string | null;
  branch: string | null;
  project: string | null;
  task: string | null;
  costCode: string | null;
  /** TransactionDescription. */
  description: string | null;
  amount: string;
}

export interface FoundBill {
  id: string;
  type: string;
  referenceNbr: string;
  vendorId: string;
  vendorRef: string;
  /** Read from the origin field (or note); null when the bill was not written by this connector. */
  originId: string | null;
  date: string | null;
  status: string;
  /** Released: status Open, Closed, Voided, … (not On Hold / Balanced / Pending Approval…). */
  released: boolean;
  hold: boolean;
  amount: string;
  /** What is still to be paid; zero and status Closed = fully paid. */
  balance: string;
  lastModified: string | null;
  lines: FoundBillLine[];
}

export interface FieldProblem {
  /** e.g. "Vendor", "Details[2].Account" (1-based line numbers as sent). */
  path: string;
  message: string;
}

/** A write that did not happen (or whose outcome is unknown). */
export interface WriteFailure {
  ok: false;
  /**
   * true: the outcome is unknown or the call never got through (transport failure, 5xx, licence
   * limit, run stopped): look the record up before writing it again. false: Acumatica or the
   * connector's own checks refused it; retrying the same data fails the same way.
   */
  retryable: boolean;
  /** One plain-language sentence with every field and line problem. */
  message: string;
  problems: FieldProblem[];
}

export type BillWriteResult =
  | {
      vendorId: string;
      vendorRef: string;
      originId: string;
      ok: true;
      id: string;
      type: string;
      referenceNbr: string;
      status: string;
      /** Acumatica's total (lines + tax): equals the sum of the lines to the cent unless tax was added. */
      amount: string;
      /** Line ids in the order of the input lines (keep them: a line is updated only by its id). */
      lineIds: string[];
      /** true: the bill was already there (found by vendor + vendor ref) and was not written again. */
      existed: boolean;
    }
  | ({ vendorId: string; vendorRef: string; originId: string } & WriteFailure);

/** One change to an existing bill's lines. Lines are addressed by id only (no LineNbr, 1.7). */
export type BillLineChange =
  | { kind: 'update'; lineId: string; line: BillLineInput }
  | { kind: 'delete'; lineId: string }
  | { kind: 'add'; line: BillLineInput };

export interface BillUpdate {
  /** The bill's id (GUID) from createBills / findBills. */
  id: string;
  /** The bill's document type as created ("Bill" or "Debit Adj."): a debit adjustment's lines are sent negated. */
  type: string;
  date?: string;
  dueDate?: string;
  description?: string;
  hold?: boolean;
  lines: BillLineChange[];
}

export type BillUpdateResult =
  | {
      id: string;
      ok: true;
      status: string;
      amount: string;
      /** Every line of the bill after the update, in Acumatica's order. */
      lines: FoundBillLine[];
      /** Ids of the lines the update added, in the order of its 'add' changes (they are appended). */
      addedLineIds: string[];
    }
  | ({ id: string } & WriteFailure);

/** One result per action invoked; ok once the operation completed (not when it was accepted). */
export type ActionResult = { key: BillKey; ok: true } | ({ key: BillKey } & WriteFailure);

// ---- vendors and cost codes ----------------------------------------------------------------------

export interface AcumaticaAddress {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface AcumaticaContact {
  companyName: string | null;
  attention: string | null;
  email: string | null;
  phone: string | null;
  address: AcumaticaAddress | null;
}

export interface AcumaticaVendor {
  id: string;
  vendorId: string;
  name: string;
  legalName: string | null;
  vendorClass: string | null;
  status: string;
  /** Status Active (or One-Time / Hold Payments: bills may still be entered). */
  active: boolean;
  terms: string | null;
  currency: string | null;
  paymentMethod: string | null;
  taxRegistrationId: string | null;
  mainContact: AcumaticaContact | null;
  lastModified: string | null;
}

export interface VendorInput {
  vendorId: string;
  name: string;
  legalName?: string;
  vendorClass?: string;
  status?: 'Active' | 'On Hold' | 'Hold Payments' | 'Inactive' | 'One-Time';
  terms?: string;
  currency?: string;
  paymentMethod?: string;
  taxRegistrationId?: string;
  mainContact?: Partial<Omit<AcumaticaContact, 'address'>> & { address?: Partial<AcumaticaAddress> };
  /** 'create' refuses an existing vendor id, 'update' a missing one; default 'upsert'. */
  mode?: 'create' | 'update' | 'upsert';
}

export type VendorWriteResult =
  { vendorId: string; ok: true; id: string } | ({ vendorId: string } & WriteFailure);

export interface CostCodeInput {
  code: string;
  description: string;
}

export type CostCodeWriteResult = { code: string; ok: true } | ({ code: string } & WriteFailure);

// ---- commitments ---------------------------------------------------------------------------------

export interface CommitmentLine {
  lineNbr: number | null;
  description: string | null;
  account: string | null;
  subaccount: string | null;
  project: string | null;
  /** `ProjectTask` on PO lines, `Task` on subcontract lines: one name here. */
  task: string | null;
  costCode: string | null;
  quantity: string;
  unitCost: string;
  /** Extended cost of the line (before a subcontract line's discount). */
  amount: string;
  retainageAmount: string | null;
  completed: boolean;
}

export interface AcumaticaCommitment {
  kind: 'subcontract' | 'purchase-order';
  id: string;
  /** PO type ("Normal", …) or "Subcontract". */
  orderType: string;
  /** SubcontractNbr / OrderNbr. */
  number: string;
  status: string;
  vendorId: string | null;
  /** The Procore commitment number (unique per Procore project only). */
  vendorRef: string | null;
  date: string | null;
  description: string | null;
  /** The PO header project, else the single project of the lines; null when none or several. */
  project: string | null;
  /** Every project its lines are coded to. */
  projects: string[];
  currency: string | null;
  /** OrderTotal / SubcontractTotal. */
  total: string;
  retainageTotal: string | null;
  lastModified: string | null;
  lines: CommitmentLine[];
}

export interface ChangeOrderLine {
  /** "Normal", "Subcontract", … */
  commitmentType: string | null;
  commitmentNumber: string | null;
  commitmentLineNbr: number | null;
  vendorId: string | null;
  account: string | null;
  costCode: string | null;
  /** ProjectTaskID. */
  task: string | null;
  amount: string;
  description: string | null;
}

export interface AcumaticaChangeOrder {
  id: string;
  refNbr: string;
  projectId: string | null;
  /** Released change orders carry "{commitment number}/{change order number}" (Procore's). */
  externalRef: string | null;
  description: string | null;
  status: string;
  /** Status Closed: released, the commitments were changed. */
  released: boolean;
  date: string | null;
  commitmentsTotal: string;
  lastModified: string | null;
  lines: ChangeOrderLine[];
}

export interface CommitmentQuery {
  /** Only those changed at or after this instant (ISO). */
  modifiedSince?: string;
  vendorId?: string;
  /** Only these vendor refs (Procore commitment numbers). */
  vendorRefs?: readonly string[];
}

export interface SubcontractLineInput {
  amount: string;
  description: string;
  account?: string;
  subaccount?: string;
  project?: string;
  task?: string;
  costCode?: string;
  retainagePercent?: string;
}

export interface SubcontractInput {
  vendorId: string;
  /** The Procore commitment number. */
  vendorRef: string;
  /** The project the commitment belongs to (Procore numbers repeat across projects). */
  project: string;
  date: string;
  description?: string;
  branch?: string;
  /** Subcontract-level retainage % (Subcontract.ApplyRetainage / RetainagePct). */
  retainagePercent?: string;
  lines: SubcontractLineInput[];
}

export type SubcontractWriteResult =
  | {
      vendorRef: string;
      project: string;
      ok: true;
      id: string;
      number: string;
      total: string;
      existed: boolean;
    }
  | ({ vendorRef: string; project: string } & WriteFailure);

// ---- AP payments ---------------------------------------------------------------------------------

export interface PaymentApplication {
  /** "Bill", "Credit Adj.", … */
  docType: string;
  referenceNbr: string;
  /** The bill's vendor ref (History rows carry it; else from the bill when known). */
  vendorRef: string | null;
  amountPaid: string;
  /** The bill's balance after this application. */
  balance: string | null;
  /** true: from the released payment's history; false: an application still waiting for release. */
  released: boolean;
}

export interface AcumaticaPayment {
  id: string;
  /** "Payment", "Prepayment", "Refund", "Voided Payment", … */
  type: string;
  referenceNbr: string;
  vendorId: string | null;
  status: string;
  hold: boolean;
  /** Released (Open, Closed or Voided). A "Voided Payment" document is released once Closed. */
  released: boolean;
  /** This payment was voided (its Voided Payment document has been released). */
  voided: boolean;
  /** A "Voided Payment" document (it reverses the payment with the same number once released). */
  isVoidingDocument: boolean;
  /** Released, not voided, and a payment or prepayment: its applications really paid the bills. */
  effective: boolean;
  applicationDate: string | null;
  amount: string;
  unappliedBalance: string;
  paymentMethod: string | null;
  paymentRef: string | null;
  currency: string | null;
  lastModified: string | null;
  applications: PaymentApplication[];
}
