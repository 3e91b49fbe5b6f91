/**
 * Public types of the Sage Intacct connector (re-exported by index.ts). Amounts are decimal
 * strings with at most two decimals (quantities and unit prices up to six); dates are ISO
 * `YYYY-MM-DD` at this edge (the connector writes Intacct's `mm/dd/yyyy`); ids are Intacct's
 * own strings. Every document carries `key`, the source system's id of it (the Procore key),
 * stored in Intacct in the document's key field so a lost answer is resolved by looking it up.
 */
import type { KitClock, RetryPolicy } from '../_kit';

/** The secrets of a connection, read from the keychain by the host and handed over on demand. */
export interface IntacctSecrets {
  /** Web Services sender password (with `senderId`, fact sheet §2.2). */
  senderPassword: string;
  /** The Web Services user's password (with `userId` and `companyId`). */
  userPassword: string;
}

export interface IntacctSecretProvider {
  getSecrets(): Promise<IntacctSecrets>;
}

/**
 * Where a document's key (the Procore id) is stored. A standard field of the object
 * (`RECORDID`, `DOCNUMBER` for bills; `REFERENCENO` for journals; `PONUMBER`, `VENDORDOCNO` for
 * purchasing; `VENDORID` for vendors) or, any other name, a custom field the company added
 * (e.g. `PROCORE_ID`). The field must hold nothing else: lookups trust it.
 */
export type KeyFieldName = string;

export interface IntacctKeyFields {
  /** APBILL; default the custom field `PROCORE_ID`. */
  bill: KeyFieldName;
  /** PODOCUMENT; default the custom field `PROCORE_ID`. */
  purchasing: KeyFieldName;
  /** GLBATCH; default `REFERENCENO`. */
  journal: KeyFieldName;
  /** VENDOR; default the custom field `PROCORE_VENDOR_ID`. */
  vendor: KeyFieldName;
}

/**
 * How retainage withheld on a pay application line reaches the AP bill:
 * - `gross`: lines carry the full amount of work; the retainage is not withheld in Intacct.
 * - `net`: lines carry the amount less its retainage (what is payable now).
 * - `separate-line`: lines carry the full amount and one more line credits the retainage
 *   payable account with the bill's total retainage (its dimensions are the first line's
 *   location and department), so the bill total is what is payable now.
 */
export type RetainageSetting =
  | { mode: 'gross' }
  | { mode: 'net' }
  | { mode: 'separate-line'; accountNo: string; description?: string };

export interface IntacctSettings {
  /** The XML gateway, e.g. https://api.intacct.com/ia/xml/xmlgw.phtml (or the sandbox's). */
  endpointUrl: string;
  /** Web Services sender id (must be authorised in the company: Company > Security). */
  senderId: string;
  companyId: string;
  /** The Web Services user. */
  userId: string;
  /** Sign in to this entity of a multi-entity company (login `locationid`); omit for top level. */
  entityId?: string;
  keyFields?: Partial<IntacctKeyFields>;
  retainage?: RetainageSetting;
  /** Item used on purchasing lines that name none (Intacct purchasing lines need an item). */
  defaultPurchasingItemId?: string;
  /** Write functions per request (default 50); a batch takes ⌈n / this⌉ calls. */
  functionsPerRequest?: number;
  /** Rows per `query` page, 1..2000 (default 2000). */
  pageSize?: number;
  /** Keys per lookup filter (`in` takes at most 1000 values; default 100). */
  keysPerQuery?: number;
  /** Rounds of a write batch: the first send plus re-sends after a lookup found nothing (default 3). */
  writeRounds?: number;
  /**
   * Calls per minute this connection may make (Intacct publishes no XML-gateway limit; 2.11).
   * Unset = no local pacing; a 429 / GW-0010 still makes the connector wait.
   */
  requestsPerMinute?: number;
  /** Prefix of the controlids this app writes with (default `mlc`); one per installation is enough. */
  controlIdPrefix?: string;
}

/** Injected time, retries and (tests only) a view of every request document sent. */
export interface IntacctRuntime {
  clock?: KitClock;
  retry?: Partial<RetryPolicy>;
  /**
   * Called with every request document before it is sent (it holds the passwords: tests
   * only, to validate each one against Intacct's XSD).
   */
  observeRequest?: (xml: string, label: string) => void;
}

// ---------------------------------------------------------------------------------------
// Reference data

export const REFERENCE_OBJECTS = [
  'GLACCOUNT',
  'DEPARTMENT',
  'LOCATION',
  'PROJECT',
  'TASK',
  'COSTTYPE',
  'CLASS',
  'VENDOR',
  'CUSTOMER',
  'EMPLOYEE',
  'ITEM',
  'WAREHOUSE',
] as const;
export type ReferenceObject = (typeof REFERENCE_OBJECTS)[number];

export interface ReferenceValue {
  object: ReferenceObject;
  /** ACCOUNTNO, DEPARTMENTID, …: what lines carry. */
  id: string;
  /** TITLE or NAME ('' when the object has none we read). */
  name: string;
  active: boolean;
  recordNo: string;
  /** TASK and COSTTYPE: the project the id is unique within (Construction). */
  projectId?: string;
  /** COSTTYPE: the task it belongs to. */
  taskId?: string;
}

export type ReferenceData = Partial<Record<ReferenceObject, ReferenceValue[]>>;

// ---------------------------------------------------------------------------------------
// Lines and documents

/** Dimensions a posting line may carry (APBILLITEM / GLENTRY / potransitem, fact sheet 2.6–2.7). */
export interface LineDimensions {
  locationId?: string;
  departmentId?: string;
  projectId?: string;
  /** Needs projectId: a task is unique within its project (the Procore cost code). */
  taskId?: string;
  /** Needs projectId and taskId (the Procore line item type code: L, M, E, S, O). */
  costTypeId?: string;
  classId?: string;
  vendorId?: string;
  customerId?: string;
  employeeId?: string;
  itemId?: string;
  warehouseId?: string;
}

export interface BillLineInput extends LineDimensions {
  accountNo: string;
  /** The line's full amount (work completed this period): decimal string, ≤ 2 decimals. */
  amount: string;
  /** Retainage withheld on this line (pay applications); posted per `settings.retainage`. */
  retainage?: string;
  description?: string;
}

export interface BillInput {
  /** The source's id of this document (the Procore key); stored in the bill key field. */
  key: string;
  /** Distinguishes a deliberate second create of the same key (e.g. after a deletion in Intacct). */
  changeId?: string;
  vendorId: string;
  /** RECORDID: the bill number (the subcontractor's invoice / pay application number). */
  billNumber?: string;
  /** DOCNUMBER: reference (e.g. the commitment number). */
  reference?: string;
  description?: string;
  /** Transaction date (WHENCREATED), ISO. */
  date: string;
  /** WHENDUE, ISO; required unless `draft` or `termName` gives it. */
  dueDate?: string;
  /** GL posting date (WHENPOSTED), ISO; Intacct defaults it to the transaction date. */
  glPostingDate?: string;
  termName?: string;
  /** Save as a draft (ACTION Draft): commitments posted as draft bills. */
  draft?: boolean;
  lines: BillLineInput[];
}

export interface BillLineUpdate extends BillLineInput {
  /** Intacct's LINE_NO (1-based, the create's order); a number past the last line appends. */
  lineNo: number;
}

/**
 * A change to a posted bill (a change order on a commitment posted as a bill). Send every line
 * the bill should have, each with its LINE_NO: Intacct changes lines by LINE_NO (2.12), and the
 * bill's new total is checked against the sum of these lines, to the cent.
 */
export interface BillUpdate {
  key: string;
  recordNo: string;
  /** The change's own id (e.g. the change order id + version): one controlid per change. */
  changeId: string;
  /** LINE_NO of the retainage line the create added (`separate-line`), when it did. */
  retainageLineNo?: number;
  description?: string;
  reference?: string;
  dueDate?: string;
  /** A draft bill becomes a submitted one (ACTION Submit). */
  submit?: boolean;
  lines: BillLineUpdate[];
}

export interface JournalLineInput extends LineDimensions {
  accountNo: string;
  side: 'debit' | 'credit';
  /** Positive decimal string, ≤ 2 decimals. */
  amount: string;
  description?: string;
}

/** A GL journal entry (GLBATCH): for customers who post commitments to the general ledger. */
export interface JournalEntryInput {
  key: string;
  changeId?: string;
  /** Journal symbol, e.g. JCJ. */
  journal: string;
  /** BATCH_DATE, ISO. */
  date: string;
  title: string;
  draft?: boolean;
  /** Debits must equal credits. */
  lines: JournalLineInput[];
}

/** A journal entry's new state: its entries are replaced as a whole (it must balance). */
export interface JournalEntryUpdate {
  key: string;
  recordNo: string;
  changeId: string;
  title?: string;
  date?: string;
  lines: JournalLineInput[];
}

export interface PurchasingLineInput extends LineDimensions {
  /** Intacct purchasing lines need an item; default `settings.defaultPurchasingItemId`. */
  itemId?: string;
  /** Decimal string (up to six decimals). */
  quantity: string;
  /** Decimal string (up to six decimals); line total = quantity × unitPrice, to the cent. */
  unitPrice: string;
  memo?: string;
  itemDescription?: string;
  unit?: string;
  retainagePercentage?: string;
}

/** A purchasing transaction (e.g. transaction type "Subcontract" or "Purchase Order"). */
export interface PurchasingDocumentInput {
  key: string;
  changeId?: string;
  /** The transaction definition (docparid), e.g. "Subcontract". */
  transactionType: string;
  vendorId: string;
  date: string;
  dueDate?: string;
  termName?: string;
  /** PONUMBER (referenceno), unless that is the key field. */
  referenceNo?: string;
  vendorDocNo?: string;
  message?: string;
  projectId?: string;
  /** Contact names (create_potransaction requires both). */
  returnTo: string;
  payTo: string;
  draft?: boolean;
  lines: PurchasingLineInput[];
}

/**
 * A change order on a purchasing transaction: send every line the document should have; lines
 * with `lineNo` change that line (updatepotransitem line_num), lines without one are appended.
 */
export interface PurchasingDocumentUpdate {
  key: string;
  transactionType: string;
  /** DOCID, e.g. "Subcontract-SC0001". */
  documentId: string;
  changeId: string;
  changeLogNumber?: string;
  message?: string;
  dueDate?: string;
  lines: (PurchasingLineInput & { lineNo?: number })[];
}

export interface VendorAddress {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  /** Country name as Intacct knows it; `countryCode` ISO alpha-2. */
  country?: string;
  countryCode?: string;
}

export interface VendorInput {
  key: string;
  changeId?: string;
  /** VENDORID; omitted = Intacct numbers it (unless the key field is VENDORID: then the key). */
  vendorId?: string;
  name: string;
  printAs?: string;
  email?: string;
  phone?: string;
  taxId?: string;
  termName?: string;
  active?: boolean;
  address?: VendorAddress;
}

export interface VendorUpdate {
  key: string;
  vendorId: string;
  changeId: string;
  name?: string;
  printAs?: string;
  email?: string;
  phone?: string;
  taxId?: string;
  termName?: string;
  active?: boolean;
  address?: VendorAddress;
}

// ---------------------------------------------------------------------------------------
// Results

/** One Intacct error, as sent (for support: keep it in the audit's technical details). */
export interface IntacctErrorDetail {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}

export type WriteResult =
  | {
      key: string;
      ok: true;
      /** RECORDNO (bills, journals, vendors); DOCID for purchasing; VENDORID for vendors. */
      targetId: string;
      recordNo: string | null;
      /** `written` by this call, or `found`: Intacct already had it under its key. */
      how: 'written' | 'found';
      /** Bills and purchasing: the document total (written: what was sent; found/updated: Intacct's). */
      total: string | null;
      /** Bills: LINE_NO of each input line, and of the retainage line when one was added. */
      lineNos?: number[];
      retainageLineNo?: number | null;
      /** e.g. "2 control characters removed from the text (fact sheet 2.10)". */
      warnings: string[];
    }
  | {
      key: string;
      ok: false;
      /**
       * `refused`: Intacct (or the connector's checks) refused it; fix the data first.
       * `rolled-back`: nothing was written because another item of an all-or-nothing batch was refused.
       * `uncertain`: the answer was lost and the look-up could not settle it.
       * `not-sent`: the run stopped (signal) before this item was sent (or re-sent).
       */
      reason: 'refused' | 'rolled-back' | 'uncertain' | 'not-sent';
      retryable: boolean;
      /** Look the key up (find…) before writing it again: Intacct may hold it already. */
      lookUpFirst: boolean;
      /** One sentence for a finance user, Intacct's Support ID left out. */
      message: string;
      /** Intacct's errors as sent (Support ID included). */
      details: IntacctErrorDetail[];
    };

export type WriteFailure = Extract<WriteResult, { ok: false }>;

export interface WriteOptions {
  /** Once aborted, no further call starts; unwritten items come back `not-sent`. */
  signal?: AbortSignal;
  /**
   * All or nothing: one request, `<operation transaction="true">`. When one item is refused,
   * Intacct rolls the whole block back and the others come back `rolled-back`.
   */
  atomic?: boolean;
}

export interface FoundLine {
  lineNo: number;
  recordNo: string | null;
  accountNo: string | null;
  itemId: string | null;
  amount: string;
  quantity: string | null;
  unitPrice: string | null;
  description: string;
}

export interface FoundDocument {
  key: string;
  /** RECORDNO; purchasing: its RECORDNO too (DOCID in documentId). */
  recordNo: string;
  documentId: string | null;
  state: string;
  /** Bills: TOTALENTERED; purchasing: TOTAL; journals: the sum of the debits. */
  total: string;
  modifiedAt: string | null;
  /** When several documents carry the key (someone copied one): their RECORDNOs. */
  duplicates: string[];
  /** Only when asked for (`withLines`). */
  lines?: FoundLine[];
}

export interface IntacctVendor {
  recordNo: string;
  vendorId: string;
  name: string;
  active: boolean;
  taxId: string | null;
  termName: string | null;
  /** DISPLAYCONTACT EMAIL1 / PHONE1 (the contact details F3 keeps in step with Procore). */
  email: string | null;
  phone: string | null;
  /** The value of the vendor key field (the Procore vendor id), when set. */
  key: string | null;
  /** WHENMODIFIED, `YYYY-MM-DDTHH:MM:SS` (Intacct's clock, no offset: see README). */
  modifiedAt: string | null;
}

export interface BillPaymentStatus {
  recordNo: string;
  key: string | null;
  billNumber: string | null;
  vendorId: string;
  /** STATE as Intacct prints it (Draft, Posted, Partially Paid, Paid, …). */
  state: string;
  /** From the amounts: robust whatever STATE texts a company shows. */
  paymentStatus: 'unpaid' | 'partially-paid' | 'paid';
  total: string;
  totalPaid: string;
  totalDue: string;
  /** WHENPAID, ISO date, or null. */
  paidOn: string | null;
  modifiedAt: string | null;
}

export interface BillPayment {
  paymentRecordNo: string;
  billRecordNo: string;
  /** Amount of this payment applied to this bill. */
  amount: string;
  paymentDate: string | null;
  paymentMethod: string | null;
  /** The payment's DOCNUMBER (e.g. the check number). */
  documentNumber: string | null;
  state: string | null;
}

/** Why a line or document cannot be posted as planned (validation before posting). */
export interface PostingProblem {
  /** 0-based index of the line in the document, or null for the header. */
  lineIndex: number | null;
  /** ACCOUNTNO, VENDORID, LOCATIONID, TASKID, …. */
  field: string;
  value: string;
  kind: 'unknown' | 'inactive' | 'needs-scope';
  message: string;
}

export interface ValidatableDocument {
  key: string;
  vendorId?: string;
  lines: (LineDimensions & { accountNo?: string })[];
}
