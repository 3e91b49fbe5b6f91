/**
 * Public types of the Procore connector (re-exported by index.ts). Ids are digit STRINGS
 * everywhere (Procore ids can exceed 32 bits; a string never loses a digit); amounts are
 * decimal strings. They map 1:1 onto the F1 flow's PlannedCommitment / PlannedDirectCost /
 * PlannedLine / ProcoreReference (engine/flows/exact-procore/model.ts); the flow adapts.
 */
import type { KitClock, RetryPolicy } from '../_kit';

/** Hosts per environment (fact sheet §2.1). Tokens do not carry over between environments. */
export const PROCORE_ENVIRONMENTS = {
  production: { authBaseUrl: 'https://login.procore.com', apiBaseUrl: 'https://api.procore.com' },
  developerSandbox: {
    authBaseUrl: 'https://login-sandbox.procore.com',
    apiBaseUrl: 'https://sandbox.procore.com',
  },
  /** A customer's on-demand sandbox: production hosts and client, its own company id. */
  onDemandSandbox: { authBaseUrl: 'https://login.procore.com', apiBaseUrl: 'https://api.procore.com' },
  monthlySandbox: {
    authBaseUrl: 'https://login-sandbox-monthly.procore.com',
    apiBaseUrl: 'https://api-monthly.procore.com',
  },
} as const satisfies Record<string, { authBaseUrl: string; apiBaseUrl: string }>;

export type ProcoreEnvironment = keyof typeof PROCORE_ENVIRONMENTS;

export interface ProcoreSettings {
  /** The company the app (DMSA) is installed in; sent as Procore-Company-Id on every call. */
  companyId: string;
  /** https://api.procore.com, https://sandbox.procore.com, … or the local simulator. */
  apiBaseUrl: string;
  /** https://login.procore.com, https://login-sandbox.procore.com, … or the local simulator. */
  authBaseUrl: string;
  /** §2.6: 3,600 per hour and 25 per 10 s by default; the server's X-Rate-Limit-* headers win. */
  rateLimits?: { hourly?: number; spikePer10s?: number };
  /** Page size for lists (§2.4: ≤ 2,000 recommended); default 1000. */
  perPage?: number;
  /** Items per sync call (§2.5 caps it at 1000); default 1000. */
  syncChunkSize?: number;
  /** Ids per verification read (`filters[id][]=…` in the URL); default 100 keeps URLs < 4 KB. */
  idsPerRead?: number;
  /**
   * Commitment line-item syncs in flight at once (one call per commitment, §2.5); a whole
   * number from 1 to 16, default 4. 1 = strictly one call after another. Every call still
   * passes the company's rate budget, so this speeds up latency-bound runs, never the limits.
   */
  writeConcurrency?: number;
  /** Sub-reads (commitment lines, invoice items) in flight at once in the F2/F3 reads; 1..16, default 4. */
  readConcurrency?: number;
  /**
   * How far behind the clock the source reads stop (their `filters[updated_at]` upper bound),
   * in seconds; default 5. A change is read once it is this old, so a record whose transaction
   * commits a moment after its updated_at, or a server clock slightly behind ours, loses nothing.
   */
  cursorSettleSeconds?: number;
  /** Budget pacing and retry waits; tests inject a clock that moves simulator time. */
  clock?: KitClock;
  retry?: Partial<RetryPolicy>;
}

export interface ProcoreProject {
  id: string;
  name: string;
  projectNumber: string | null;
  active: boolean;
  originId: string | null;
}

export interface ProcoreVendor {
  id: string;
  name: string;
  active: boolean;
  originId: string | null;
  originCode: string | null;
}

export interface ProcoreReferenceData {
  /** Project id → name and its cost codes (full_code → id). */
  projects: Map<string, { name: string; costCodes: Map<string, string> }>;
  /** Line item type ("cost type") code → id, company level. */
  lineItemTypes: Map<string, string>;
  /** Active company vendor id → name. */
  vendors: Map<string, string>;
}

export interface LineUpsert {
  /** The source line id (Exact line guid); Procore's origin_id of the line. */
  originId: string;
  description: string;
  /** Decimal string with at most two decimals. */
  amount: string;
  quantity: string | null;
  unitCost: string | null;
  uom: string | null;
  costCodeId: string;
  lineItemTypeId: string;
}

export interface CommitmentUpsert {
  originId: string;
  projectId: string;
  vendorId: string;
  title: string;
  number: string;
  description: string;
  /** A purchase order status (Draft, Processing, Submitted, …, Approved, Closed). */
  status: string;
  /** YYYY-MM-DD. */
  contractDate: string;
  /** User-visible external id (e.g. the Exact PO number). */
  originCode: string;
  lines: LineUpsert[];
}

export interface DirectCostUpsert {
  originId: string;
  projectId: string;
  vendorId: string;
  invoiceNumber: string;
  /** YYYY-MM-DD. */
  date: string;
  description: string;
  status: 'draft' | 'pending' | 'revise_and_resubmit' | 'approved';
  lines: LineUpsert[];
}

export type UpsertResult =
  | {
      originId: string;
      ok: true;
      targetId: string;
      /** Line origin id → Procore line id. */
      lineIds: Map<string, string>;
      /** Procore's grand_total after the write; equals the sum of the lines sent, to the cent. */
      grandTotal: string;
    }
  | {
      originId: string;
      ok: false;
      /**
       * true: the call failed in transport (the write may or may not have happened: look it up
       * with find…ByOrigin before retrying); false: Procore or this connector refused the item.
       */
      retryable: boolean;
      /** One readable sentence for the finance user. */
      message: string;
      /** Procore's per-field errors (`base` for the record as a whole). */
      fieldErrors: Record<string, string[]>;
      /** Set when the header was written but its lines or the verification failed. */
      targetId: string | null;
    };

export type UpsertFailure = Extract<UpsertResult, { ok: false }>;

export interface FoundLine {
  id: string;
  originId: string | null;
  amount: string;
}

export interface FoundRecord {
  id: string;
  status: string | null;
  grandTotal: string;
  lines: FoundLine[];
}

// ---- flows F2 / F3: reads and write-backs ------------------------------------------------------

/** A project cost code with its ERP link (listCostCodes, cost code lookups). */
export interface ProcoreCostCode {
  id: string;
  /** Without the parent's prefix. */
  code: string;
  /** With the parent prefixes (what lines show). */
  fullCode: string;
  name: string;
  parentId: string | null;
  originId: string | null;
  originData: string | null;
}

/** A company line item type ("cost type"). */
export interface ProcoreLineItemType {
  id: string;
  code: string;
  name: string;
  baseType: string | null;
  originId: string | null;
}

/**
 * One result per write-back item, in input order. `key` is what the item was keyed by (the
 * Procore id for markSynced, the origin id for vendors, cost codes and payments).
 */
export type WriteBackResult =
  | { key: string; ok: true; procoreId: string }
  | {
      key: string;
      ok: false;
      /**
       * true: the call failed in transport or the run was stopped (the write may or may not have
       * happened: look it up by origin id before retrying); false: Procore or this connector
       * refused the item, and repeating it unchanged will not help.
       */
      retryable: boolean;
      /** One readable sentence for the finance user. */
      message: string;
      fieldErrors: Record<string, string[]>;
      /** The Procore record concerned, when known. */
      procoreId: string | null;
    };

export type WriteBackFailure = Extract<WriteBackResult, { ok: false }>;

/** Records whose ERP link this connector writes: subcontractor invoices and direct costs. */
export type SyncedEntity = 'requisition' | 'direct-cost';

/** The ERP link written onto a Procore record once the ERP document exists (§2.5 origin fields). */
export interface SyncedLink {
  projectId: string;
  /** The Procore record's id. */
  id: string;
  /** The ERP document's key (e.g. the Acumatica bill's reference, the Intacct RECORDNO). */
  originId: string;
  /** Free text shown to integrators (e.g. "Posted to Acumatica 2026-11-03 as AP bill 000123"). */
  originData: string | null;
  /** Requisitions only: an erp_status value to set (the enum is unconfirmed, so the flow chooses). */
  erpStatus?: string | null;
}

/** A company vendor written from the ERP (sync action keyed by origin_id, §2.5). */
export interface VendorUpsert {
  /** The ERP vendor's key; Procore's origin_id. */
  originId: string;
  /** The user-visible External ID (e.g. the ERP vendor code). */
  originCode?: string | null;
  originData?: string | null;
  /** Link this existing Procore vendor (sent as id + origin_id: matched on id, origin_id set). */
  procoreId?: string | null;
  name: string;
  legalName?: string | null;
  abbreviatedName?: string | null;
  active?: boolean;
  address?: string | null;
  city?: string | null;
  stateCode?: string | null;
  /** ISO-3166 alpha-2. */
  countryCode?: string | null;
  zip?: string | null;
  businessPhone?: string | null;
  emailAddress?: string | null;
  website?: string | null;
}

/**
 * A project cost code written from the ERP (sync action keyed by origin_id, §2.5). origin_id is
 * unique per company and object type, so the same ERP code in two projects needs two origin ids
 * (e.g. `<ERP code>@<project id>`).
 */
export interface CostCodeUpsert {
  originId: string;
  /** Without the parent's prefix. */
  code: string;
  name: string;
  parentId?: string | null;
  originData?: string | null;
}

/**
 * An ERP payment of a subcontractor invoice: recorded against the commitment as a contract
 * payment (origin_id = paymentOriginId) and shown on the invoice as its payment date. A voided
 * check (`voided: true`) removes that contract payment and recomputes the invoice's payment
 * date from the payments left.
 */
export interface RequisitionPaymentWriteBack {
  target: 'requisition';
  /** The ERP payment's key (e.g. "ACU-CHK-000045" or the Intacct APPYMT RECORDNO). */
  paymentOriginId: string;
  projectId: string;
  requisitionId: string;
  /** The invoice's number within its commitment (Procore's draw_request_number). */
  requisitionNumber: number;
  commitmentId: string;
  /** Decimal string, at most two decimals. */
  amount: string;
  /** YYYY-MM-DD. */
  date: string;
  checkNumber?: string | null;
  invoiceNumber?: string | null;
  notes?: string | null;
  originData?: string | null;
  voided: boolean;
  /** An erp_status to set on the invoice with the payment date (unconfirmed enum: flow's choice). */
  erpStatus?: string | null;
}

/** An ERP payment of a direct cost: its payment_date (null when the check was voided). */
export interface DirectCostPaymentWriteBack {
  target: 'direct-cost';
  paymentOriginId: string;
  projectId: string;
  directCostId: string;
  /** YYYY-MM-DD, or null to clear it (voided check). */
  paymentDate: string | null;
}

export type PaymentWriteBack = RequisitionPaymentWriteBack | DirectCostPaymentWriteBack;

/** A subcontractor invoice found by its ERP link (recovery lookups). */
export interface FoundRequisition {
  id: string;
  status: string | null;
  originId: string;
  originData: string | null;
  paymentDate: string | null;
  erpStatus: string | null;
}

/** A contract payment found by its origin id (recovery lookups). */
export interface FoundContractPayment {
  id: string;
  originId: string;
  amount: string;
  date: string | null;
  requisitionId: string | null;
  drawRequestNumber: number | null;
}

/** Options of the source reads. */
export interface StatusReadOptions {
  /** Statuses to return (others are passed over; they come back when their status changes). */
  statuses?: readonly string[];
}
